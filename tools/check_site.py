"""Build the course website and check it in a real browser: ``python tools/check_site.py``.

Run by ``.ci/run`` after the unit tests. It needs the site's requirements
(``pip install -r requirements-site.txt``), Debian's Chromium and a CJK font
(``apt-get install chromium fonts-noto-cjk``); Playwright drives the system Chromium
(``CHROMIUM``, default ``/usr/bin/chromium``), it never downloads a browser of its own.

What it checks, on every page of every edition (English, and Korean once it exists), opened
from disk (``file://``, as the README tells a reader to) and from a local web server (as GitHub
Pages serves it), with every request that leaves the site blocked and counted as a failure:

* the page loads with no console error, no uncaught exception and no failed request;
* MathJax (served from the site) has typeset every formula, with no TeX error or undefined
  macro, and every notebook page shows at least one typeset formula;
* every image has loaded (natural width > 0), has alt text, and is shown no larger than it is;
* a notebook page shows every figure of its notebook, no source of a ``check`` cell, and each
  ``solution`` cell as a closed "Solution" dropdown;
* every page of a two-language site links to the same page in the other language;
* no internal link or anchor of the built HTML is broken, and none leaves the site;
* searching for "contractive" finds notebook 05;
* the glossary's Korean text is drawn with a CJK font (not as empty boxes);
* the build takes at most two minutes.

It saves screenshots under ``build/site/_screenshots/`` (the landing page, notebook 06, the
glossary) for a person to look at, prints one line per check and closes with
``N passed, M failed``; the exit status is 1 if anything failed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_site  # noqa: E402  (a sibling script, not an installed package)

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Response, Route

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SEARCH_TERM, SEARCH_TARGET = "contractive", "notebooks/05_contractive_autoencoder"
VIEWPORT = {"width": 1280, "height": 900}
BUILD_LIMIT_S = 120  # issue #24: the site builds in at most 2 minutes

# Evaluated in each page once it has loaded: what the checks below need from its DOM.
PAGE_FACTS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const maths = [...document.querySelectorAll("span.math, div.math")];
  const images = [...document.querySelectorAll("article img")].map((img) => ({
    src: img.getAttribute("src"), alt: img.getAttribute("alt") || "",
    natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
    column: img.parentElement.getBoundingClientRect().width,
    output: !!img.closest(".cell_output")}));
  const dropdowns = [...document.querySelectorAll("details.sd-dropdown")];
  const solutions = [...document.querySelectorAll(".cell.tag_solution")].map((cell) => {
    const details = cell.querySelector("details");
    return {folded: !!details && !details.open,
            summary: details ? details.querySelector("summary").innerText : ""};
  });
  return {
    maths: maths.length,
    typeset: maths.filter((m) => m.querySelector("mjx-container")).length,
    // an undefined macro (a typo) is no mjx-merror: MathJax draws its name in red instead
    texErrors: document.querySelectorAll("mjx-merror, mjx-mtext[style*='color: red']").length,
    images,
    checkCells: document.querySelectorAll(".cell.tag_check").length,
    checkSources: document.querySelectorAll(".cell.tag_check .cell_input").length,
    checkOutputs: document.querySelectorAll(".cell.tag_check .cell_output").length,
    solutions,
    dropdowns: dropdowns.length,
    openDropdowns: dropdowns.filter((d) => d.open).length,
    dropdownTitles: dropdowns.map((d) => d.querySelector("summary").innerText.trim()),
    switches: [...document.querySelectorAll("a.lang-switch")].map((a) => a.href),
  };
}"""


class Results:
    """Collects pass/fail lines and prints the closing summary."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        """Record one check; print it, with the detail when it failed."""
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed.append(name)
            print(f"FAIL {name}: {detail}")
        return ok

    def summary(self) -> str:
        """The closing line, in the form CI reads."""
        return f"{self.passed} passed, {len(self.failed)} failed"


# --- what the source notebooks lead us to expect ------------------------------------------------


def expected(notebook: Path) -> dict:
    """Counts a notebook's page must show, read from the committed notebook itself."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]

    def tagged(tag: str, kind: str) -> list[dict]:
        return [c for c in cells if c["cell_type"] == kind and tag in build_site.tags_of(c)]

    markdown = "\n".join(build_site.cell_text(c) for c in cells if c["cell_type"] == "markdown")
    return {
        "figures": sum(k in o.get("data", {}) for c in cells for o in c.get("outputs", [])
                       for k in build_site.IMAGE_TYPES),
        "has_math": bool(re.search(r"\$[^$]+\$", markdown)),
        "check_cells": len(tagged("check", "code")),
        "check_cells_with_output": sum(bool(c.get("outputs")) for c in tagged("check", "code")),
        "solution_code": len(tagged("solution", "code")),
        "solution_markdown": len(tagged("solution", "markdown")),
    }


# --- links in the built HTML ---------------------------------------------------------------------


class _Links(HTMLParser):
    """The ids and the link targets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if found.get(key):
                self.ids.add(found[key] or "")
        attribute = {"a": "href", "link": "href", "img": "src", "script": "src"}.get(tag)
        if attribute and found.get(attribute):
            self.targets.append(found[attribute] or "")


@functools.cache
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def broken_links(out: Path) -> list[str]:
    """Internal links, images and scripts of every built page whose file or anchor is missing.

    A relative link that leaves the site (``../../README.md``) counts as broken even where it
    finds a file on this machine: the published folder has nothing above it.
    """
    broken, site = [], out.resolve()
    for page in sorted(out.rglob("*.html")):
        if "_static" in page.relative_to(out).parts:
            continue
        for target in _parse(page).targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith("mailto:"):
                continue  # web links are not the site's own
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not path.is_relative_to(site):
                broken.append(f"{page.relative_to(out)} -> {target} (outside the site)")
            elif not path.exists():
                broken.append(f"{page.relative_to(out)} -> {target} (no such file)")
            elif parts.fragment and path.suffix == ".html" and \
                    unquote(parts.fragment) not in _parse(path).ids:
                broken.append(f"{page.relative_to(out)} -> {target} (no such anchor)")
    return broken


# --- the browser ---------------------------------------------------------------------------------


@contextmanager
def local_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class PageWatch:
    """Console errors, page errors, failed and outside requests of one browser page."""

    def __init__(self, page: Page, base: str) -> None:
        self.problems: list[str] = []
        self.base = base
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(
            f"request failed: {request.url} ({request.failure})"))
        page.on("response", self._response)
        page.route("**/*", self._route)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.problems.append(f"request outside the site: {url}")
            route.abort()


def check_page(results: Results, browser_page: Page, watch: PageWatch, url: str, label: str,
               notebook: Path | None, multilingual: bool) -> dict:
    """Open one page and run every per-page check on it; returns the page's DOM facts."""
    watch.problems.clear()
    browser_page.goto(url, wait_until="load")
    facts = browser_page.evaluate(PAGE_FACTS)
    browser_page.wait_for_timeout(100)  # let late console messages arrive
    results.check(f"{label}: loads with no console error or failed request",
                  not watch.problems, "; ".join(watch.problems[:5]))
    results.check(f"{label}: every formula typeset by MathJax, no TeX error",
                  facts["typeset"] == facts["maths"] and not facts["texErrors"],
                  f"{facts['typeset']} of {facts['maths']} typeset, "
                  f"{facts['texErrors']} TeX errors")
    unloaded = [i["src"] for i in facts["images"] if i["natural"] <= 0]
    no_alt = [i["src"] for i in facts["images"]
              if not i["alt"].strip() or re.search(r"\.(png|jpe?g|svg|gif)$", i["alt"])]
    stretched = [i["src"] for i in facts["images"] if i["shown"] > i["natural"] + 1]
    squeezed = [i["src"] for i in facts["images"]
                if i["shown"] + 2 < min(i["natural"], i["column"])]
    results.check(f"{label}: every image loaded, with alt text, at its own size",
                  not (unloaded or no_alt or stretched or squeezed),
                  f"not loaded {unloaded[:3]}, no alt {no_alt[:3]}, "
                  f"stretched {stretched[:3]}, shrunk more than the column needs {squeezed[:3]}")
    if multilingual:
        results.check(f"{label}: links to the page in the other language",
                      bool(facts["switches"]), "no a.lang-switch on the page")
    if notebook is not None:
        want = expected(notebook)
        figures = sum(i["output"] for i in facts["images"])
        results.check(f"{label}: shows all {want['figures']} figures of the notebook",
                      figures == want["figures"], f"{figures} shown")
        results.check(f"{label}: at least one formula typeset", facts["typeset"] > 0,
                      "none typeset" if want["has_math"] else
                      "the notebook has no LaTeX formula ($…$ or $$…$$) for the page to show")
        results.check(f"{label}: check cells show no source "
                      f"({want['check_cells']} in the notebook)",
                      facts["checkSources"] == 0
                      and facts["checkCells"] == want["check_cells"]
                      and facts["checkOutputs"] == want["check_cells_with_output"],
                      f"{facts['checkSources']} sources shown, "
                      f"{facts['checkCells']} of {want['check_cells']} cells, "
                      f"{facts['checkOutputs']} of {want['check_cells_with_output']} outputs")
        folded = [s for s in facts["solutions"] if s["folded"]]
        results.check(
            f"{label}: {want['solution_code']} code and {want['solution_markdown']} markdown "
            "solutions folded into closed Solution dropdowns",
            len(folded) == len(facts["solutions"]) == want["solution_code"]
            and facts["dropdowns"] == want["solution_markdown"] and not facts["openDropdowns"],
            f"{len(folded)}/{len(facts['solutions'])} code cells folded, "
            f"{facts['dropdowns']} dropdowns ({facts['openDropdowns']} open)")
    return facts


def check_search(results: Results, browser_page: Page, watch: PageWatch, url: str,
                 label: str) -> None:
    """Search for the term and expect notebook 05 among the hits."""
    watch.problems.clear()
    browser_page.goto(f"{url}search.html?q={SEARCH_TERM}", wait_until="load")
    hits: list[str] = []
    try:
        browser_page.wait_for_selector("#search-results ul.search li a", timeout=30_000)
        browser_page.wait_for_timeout(500)  # snippets (over http) arrive after the hits
        hits = browser_page.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))")
    except Exception as error:  # a timeout or a closed page: reported as a failed check
        watch.problems.append(f"no search results: {error}")
    results.check(f"{label}: searching '{SEARCH_TERM}' finds notebook 05 without errors",
                  any(SEARCH_TARGET in hit for hit in hits) and not watch.problems,
                  f"hits {hits[:5]}; {'; '.join(watch.problems[:3])}")


# Marks the first element of the article whose text has Hangul, for the font query below.
MARK_HANGUL = """() => {
  const root = document.querySelector("article") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (/[\\uac00-\\ud7a3]/.test(walker.currentNode.data)) {
      walker.currentNode.parentElement.setAttribute("data-hangul-probe", "");
      return walker.currentNode.data.trim();
    }
  }
  return null;
}"""
# Font families that draw Hangul (Noto/Source Han CJK, Nanum, Malgun/Apple SD Gothic, Un*, ...).
CJK_FAMILY = re.compile(r"CJK|Han Sans|Han Serif|Hangul|Nanum|Gothic|Malgun|Gulim|Dotum|Batang|"
                        r"Myeongjo|^Un[A-Z]|Baekmuk", re.I)


def check_cjk_font(results: Results, browser_page: Page, url: str, label: str) -> None:
    """The page's Korean text is drawn by a font that has Hangul, not as empty boxes (tofu).

    Chromium reports the fonts it used for an element (DevTools' CSS.getPlatformFontsForNode);
    without a CJK font it draws Hangul with a Latin font's empty glyph.
    """
    browser_page.goto(url, wait_until="load")
    text = browser_page.evaluate(MARK_HANGUL)
    fonts: list[str] = []
    if text:
        cdp = browser_page.context.new_cdp_session(browser_page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-hangul-probe]"})
        used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
        fonts = [font["familyName"] for font in used["fonts"]]
        cdp.detach()
    results.check(f"{label}: Korean text drawn with a CJK font",
                  any(CJK_FAMILY.search(family) for family in fonts),
                  "no Korean text on the page" if not text else
                  f"{text[:30]!r} drawn with {fonts} (install fonts-noto-cjk)")


def edition_pages(out: Path, edition: build_site.Edition) -> list[tuple[str, Path | None]]:
    """(page path relative to the site, the notebook it shows or None) for an edition."""
    root = out / edition.prefix
    pages: list[tuple[str, Path | None]] = [(f"{edition.prefix}index.html", None)]
    for stem, notebook in edition.notebooks.items():
        pages.append((f"{edition.prefix}notebooks/{stem}.html", notebook))
    for page in sorted(root.glob("*.html")):
        if page.stem not in ("index", "search", "genindex"):
            pages.append((f"{edition.prefix}{page.name}", None))
    return pages


def browser_checks(results: Results, out: Path, editions: list[build_site.Edition],
                   shots: Path) -> None:
    """Every per-page check over file:// and over http://127.0.0.1, then the screenshots."""
    from playwright.sync_api import sync_playwright

    multilingual = len(editions) > 1
    with sync_playwright() as playwright, local_server(out) as served:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for mode, base in (("file", out.resolve().as_uri() + "/"), ("http", served)):
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                watch = PageWatch(page, base)
                for edition in editions:
                    for relative, notebook in edition_pages(out, edition):
                        check_page(results, page, watch, base + relative,
                                   f"[{mode}] {relative}", notebook, multilingual)
                    check_search(results, page, watch, base + edition.prefix,
                                 f"[{mode}] {edition.prefix}search")
                if mode == "file":
                    for edition in editions:  # the glossary always has a Korean column
                        check_cjk_font(results, page, f"{base}{edition.prefix}glossary.html",
                                       f"[{mode}] {edition.prefix}glossary.html")
                    take_screenshots(page, base, editions, shots)
                context.close()
        finally:
            browser.close()


def take_screenshots(page: Page, base: str, editions: list[build_site.Edition],
                     shots: Path) -> None:
    """Landing page (whole), notebook 06 and the glossary (first screen) of each edition."""
    shots.mkdir(parents=True, exist_ok=True)
    for edition in editions:
        name = "" if edition.language == "en" else f"{edition.language}-"
        page.goto(f"{base}{edition.prefix}index.html", wait_until="load")
        page.screenshot(path=shots / f"{name}landing.png", full_page=True)
        sixth = [stem for stem in edition.notebooks if stem.startswith("06_")]
        if sixth:
            page.goto(f"{base}{edition.prefix}notebooks/{sixth[0]}.html", wait_until="load")
            page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.screenshot(path=shots / f"{name}notebook06.png")
            page.evaluate("() => document.querySelector('div.math')?.scrollIntoView()")
            page.screenshot(path=shots / f"{name}notebook06-formula.png")
        page.goto(f"{base}{edition.prefix}glossary.html", wait_until="load")
        page.screenshot(path=shots / f"{name}glossary.png")
    print(f"screenshots in {shots}")


def main(argv: list[str] | None = None) -> int:
    """Build (unless told not to), check, print the summary; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="check the existing build")
    args = parser.parse_args(argv)
    out = build_site.OUT
    results = Results()
    if not args.no_build:
        start = time.perf_counter()
        try:
            build_site.build(out)
            built = True
        except (SystemExit, build_site.SiteSourceError) as error:
            built, message = False, str(error)
        seconds = time.perf_counter() - start
        results.check(f"the site builds offline, in at most {BUILD_LIMIT_S} s ({seconds:.0f} s)",
                      built and seconds <= BUILD_LIMIT_S,
                      f"took {seconds:.0f} s" if built else message)
        if not built:
            print(results.summary())
            return 1
    editions = build_site.editions()
    broken = broken_links(out)
    results.check("no broken internal link or anchor in the built HTML", not broken,
                  f"{len(broken)} broken, e.g. {broken[:5]}")
    start = time.perf_counter()
    try:
        browser_checks(results, out, editions, out / "_screenshots")
    except Exception as error:  # a page that never loads, a crashed browser: one failed check
        results.check("the browser checks ran to the end", False,
                      f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    print(f"browser checks took {time.perf_counter() - start:.0f} s")
    print(results.summary())
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
