"""Build the course website from the committed notebooks: ``python tools/build_site.py``.

The site is Sphinx + MyST-NB + the book theme (``requirements-site.txt``). Nothing is executed
(the notebooks are rendered with the outputs they were committed with) and nothing is fetched:
MathJax is served from the built site, the search index is the theme's own.

What this script does, and why it does it here rather than in the notebooks or in ``conf.py``:

* It stages a copy of every notebook under ``build/site-src/<language>/`` and marks cells there,
  so the committed notebooks never carry website-only tags: a ``check`` cell (hidden asserts)
  gets ``remove-input`` (its output, if any, stays); a ``solution`` code cell is folded into a
  "Solution" toggle, a ``solution`` markdown cell becomes a "Solution" dropdown; every figure
  gets alt text from the sentence that introduces it and the caption below it.
* It writes the landing, glossary, results and hand-out pages from the page templates in
  ``site/`` and the README's own sections, so the site can never disagree with the README.
* It builds the English edition into ``build/site/`` and, once ``notebooks/ko/*.ipynb`` exists,
  a Korean edition into ``build/site/ko/``, each page with a switch to the other language.
* It fails on any Sphinx warning (a broken internal link or reference is one), so a site that
  builds is a site whose references resolve.

The helpers above the ``build`` function use only the standard library, so that the unit tests
in ``tests/test_site_build.py`` run in the students' environment, which has no Sphinx.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"  # conf.py, page templates, CSS, the language-switch template
BUILD = ROOT / "build"
OUT = BUILD / "site"  # the published folder
STAGE = BUILD / "site-src"  # generated Sphinx sources, one folder per language
DOCTREES = BUILD / "site-doctrees"  # Sphinx's cache, kept out of the published folder

LANGUAGES = {"en": "English", "ko": "한국어"}
RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
MARKER = re.compile(r"^<!--\s*readme:\s*([\w-]+)\s*-->[ \t]*$", re.M)
NOTEBOOK_NAME = re.compile(r"^\d\d_\w+$")
ABBREVIATIONS = {"al.", "e.g.", "i.e.", "cf.", "vs.", "fig.", "eq.", "approx.", "resp."}
ALT_LIMIT = 240  # characters per sentence of alt text; a screen reader reads all of it


class SiteSourceError(ValueError):
    """The README or a notebook is not in the shape the site is built from."""


# --- README sections -------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One heading of a markdown file and the text under it, up to the next heading as high."""

    title: str
    body: str


def split_sections(markdown: str, level: int) -> tuple[str, list[Section]]:
    """Split markdown at its headings of one level (2 for ``##``), ignoring fenced code.

    Returns the text before the first such heading and the sections in order. A deeper heading
    (``###`` when splitting at 2) stays inside its section's body.
    """
    prefix = "#" * level + " "
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    fence = ""
    for line in markdown.splitlines():
        stripped = line.lstrip()
        opening = re.match(r"(`{3,}|~{3,})", stripped)
        if fence and stripped.startswith(fence) and not stripped[len(fence):].strip(" `~"):
            fence = ""
        elif not fence and opening:
            fence = opening.group(1)
        elif not fence and line.startswith(prefix):
            sections.append((line[len(prefix):].strip(), []))
            continue
        (sections[-1][1] if sections else preamble).append(line)
    return ("\n".join(preamble).strip(),
            [Section(title, "\n".join(body).strip()) for title, body in sections])


def find_section(sections: list[Section], what: str, test: re.Pattern[str] | str) -> Section:
    """The first section whose body matches ``test`` (a regex or a literal substring).

    Sections are found by what they hold, not by their titles, so that the same code finds them
    in the English README and in a translated one.
    """
    for section in sections:
        found = test.search(section.body) if isinstance(test, re.Pattern) else test in section.body
        if found:
            return section
    raise SiteSourceError(f"the README has no {what} section (looked for {test!r} in its body)")


def shift_headings(markdown: str, by: int) -> str:
    """Move every heading outside fenced code ``by`` levels up (negative) or down (positive)."""
    out, fence = [], ""
    for line in markdown.splitlines():
        stripped = line.lstrip()
        opening = re.match(r"(`{3,}|~{3,})", stripped)
        if fence and stripped.startswith(fence):
            fence = ""
        elif not fence and opening:
            fence = opening.group(1)
        elif not fence and (heading := re.match(r"(#{1,6}) ", line)):
            level = min(6, max(1, len(heading.group(1)) + by))
            line = "#" * level + line[len(heading.group(1)):]
        out.append(line)
    return "\n".join(out)


def rewrite_links(markdown: str, notebooks: Collection[str], pages: dict[str, str]) -> str:
    """Point the README's relative links at the site's pages.

    ``notebooks/NN_name.ipynb`` (or ``notebooks/ko/NN_name.ipynb``) stays a link when that
    notebook is on the site; a repository file listed in ``pages`` (``data/README.md``) is
    pointed at its page; any other relative link would be broken on the site, so it is reduced
    to its text. Web links, anchors and images are left alone.
    """

    def replace(match: re.Match[str]) -> str:
        bang, text, target = match.group(1), match.group(2), match.group(3)
        if bang or re.match(r"[a-z][a-z0-9+.-]*:|#", target):
            return match.group(0)
        path = target.removeprefix("./")
        notebook = re.fullmatch(r"notebooks/(?:ko/)?(\d\d_\w+)\.ipynb", path)
        if notebook and notebook.group(1) in notebooks:
            return f"[{text}](notebooks/{notebook.group(1)}.ipynb)"
        if path in pages:
            return f"[{text}]({pages[path]})"
        return text

    return re.sub(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)", replace, markdown)


def short_title(title: str) -> str:
    """A notebook title up to its colon: "06 · Variational autoencoders" for a table cell."""
    return title.split(":", 1)[0].strip()


def link_notebook_names(table: str, notebooks: dict[str, str]) -> str:
    """Turn a bare notebook name in a table's first column into a link to its page.

    The link shows the notebook's short title, which can wrap in a narrow column, where the
    file name ``01_pca_vs_autoencoder`` cannot.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in notebooks:
            return match.group(0)
        text = short_title(notebooks[name])
        return f"{match.group(1)}[{text}](notebooks/{name}.ipynb){match.group(3)}"

    return re.sub(r"^(\|\s*)(\d\d_\w+)(\s*\|)", replace, table, flags=re.M)


def link_notebook_numbers(table: str, notebooks: Collection[str]) -> str:
    """Link each two-digit notebook number in a table's last column ("01, 05") to its page."""
    by_number = {name[:2]: name for name in notebooks}
    out = []
    for line in table.splitlines():
        cells = re.split(r"(?<!\\)\|", line.rstrip())
        if line.startswith("|") and len(cells) >= 3 and not re.fullmatch(r"[\s:-]*", cells[-2]):
            cells[-2] = re.sub(
                r"\b(\d\d)\b",
                lambda m: (f"[{m.group(1)}](notebooks/{by_number[m.group(1)]}.ipynb)"
                           if m.group(1) in by_number else m.group(1)),
                cells[-2])
            line = "|".join(cells)
        out.append(line)
    return "\n".join(out)


def split_table(markdown: str) -> tuple[str, list[str], list[list[str]], str]:
    """The first markdown table in a text: (text before, header cells, rows of cells, after)."""
    lines = markdown.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("|")), None)
    if start is None or start + 1 >= len(lines) or "-" not in lines[start + 1]:
        raise SiteSourceError("expected a markdown table (a header row, then |---|)")
    end = start
    while end < len(lines) and lines[end].lstrip().startswith("|"):
        end += 1

    def cells(line: str) -> list[str]:
        return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]

    return ("\n".join(lines[:start]).strip(), cells(lines[start]),
            [cells(line) for line in lines[start + 2:end]], "\n".join(lines[end:]).strip())


def notebook_entries(body: str, titles: dict[str, str]) -> str:
    """The README's notebook table as one short entry per notebook, for the landing page.

    Six columns of long text do not fit a web page's column; an entry per notebook does: its
    title (from the notebook) as a linked heading, the topic as a paragraph, and the other
    columns (paper, runtimes, headline result) as labelled lines with the table's own labels.
    The first column (the number) and the second (the file) are the heading.
    """
    before, header, rows, after = split_table(body)
    entries = [before] if before else []
    for row in rows:
        found = re.search(r"notebooks/(?:ko/)?(\d\d_\w+)\.ipynb", " ".join(row))
        if not found or len(row) < 3:
            raise SiteSourceError(f"a row of the notebook table names no notebook: {row[:2]}")
        stem = found.group(1)
        lines = [f"### [{titles.get(stem, stem)}](notebooks/{stem}.ipynb)", "", row[2], ""]
        for label, value in zip(header[3:], row[3:], strict=False):
            lines.append(f"- **{label[:1].upper() + label[1:]}:** {value}")
        entries.append("\n".join(lines))
    if after:
        entries.append(after)
    return "\n\n".join(entries)


def readme_parts(readme: str, notebooks: dict[str, str]) -> dict[str, str]:
    """The README's pieces that the page templates place, keyed by the names the templates use.

    ``title`` and ``intro`` come from above the first ``##``; the sections are found by content
    (the notebook table, the install command, the results markers, the Korean column of the
    glossary, the hand-out command), so a translated README works without a list of titles.
    A section that becomes a page of its own starts with a ``#`` title; a section placed on the
    landing page keeps its ``##``. ``data`` and ``license`` are optional and empty if missing.
    ``notebooks`` maps each notebook on the site (``01_pca_vs_autoencoder``) to its title.
    """
    preamble, sections = split_sections(readme, 2)
    title = re.search(r"^# (.+)$", preamble, re.M)
    if not title:
        raise SiteSourceError("the README does not start with a '# ' title")
    intro = preamble[title.end():].strip()
    # README.md and README.ko.md are not pages: a link to either is reduced to its text (each
    # edition's landing page is made from its own README, and every page has a language switch).
    pages = {"data/README.md": "data.md", "handout.md": "handout.md"}

    def tidy(markdown: str) -> str:
        return rewrite_links(markdown, notebooks, pages)

    table = find_section(sections, "notebook table", re.compile(r"\]\(notebooks/(ko/)?\d\d_"))
    quick = find_section(sections, "install-and-run", "pip install -r requirements.txt")
    results = find_section(sections, "results", RESULTS_START)
    glossary = find_section(sections, "glossary", re.compile(r"^\|\s*한국어\s*\|", re.M))
    quick_intro, subsections = split_sections(quick.body, 3)
    handout = find_section(subsections, "students' hand-out", "TagRemovePreprocessor")
    quick_body = [quick_intro]
    for sub in subsections:
        if sub is handout:
            sub = Section(sub.title, f"→ [{sub.title}](handout.md)")
        quick_body.append(f"### {sub.title}\n\n{sub.body}")
    start, end = results.body.index(RESULTS_START), results.body.find(RESULTS_END)
    if end < start:
        raise SiteSourceError(f"the README's results table has no {RESULTS_END!r} after it")
    results_body = (results.body[:start] + results.body[start + len(RESULTS_START):end]
                    + results.body[end + len(RESULTS_END):])
    parts = {
        "title": f"# {title.group(1).strip()}",
        "intro": tidy(intro),
        "notebooks": tidy(f"## {table.title}\n\n{notebook_entries(table.body, notebooks)}"),
        "quickstart": tidy(f"## {quick.title}\n\n" + "\n\n".join(quick_body)),
        "handout": tidy(f"# {handout.title}\n\n{shift_headings(handout.body, -2)}"),
        "results": tidy(f"# {results.title}\n\n"
                        + link_notebook_names(shift_headings(results_body, -1), notebooks)),
        "glossary": tidy(f"# {glossary.title}\n\n"
                         + link_notebook_numbers(shift_headings(glossary.body, -1), notebooks)),
        "data": "",
        "license": "",
    }
    for name, test in (("data", re.compile(r"\(data/README\.md\)")),
                       ("license", re.compile(r"\bMIT\b"))):
        matches = [s for s in sections if test.search(s.body) and s not in (table, quick, results)]
        if matches:
            parts[name] = tidy(f"## {matches[0].title}\n\n{matches[0].body}")
    return parts


def fill_template(template: str, parts: dict[str, str]) -> str:
    """Replace each ``<!-- readme: NAME -->`` line of a page template with the README's part."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in parts:
            raise SiteSourceError(f"a page template asks for an unknown README part {name!r}; "
                                  f"known: {', '.join(sorted(parts))}")
        return parts[name]

    return MARKER.sub(replace, template)


# --- notebooks ---------------------------------------------------------------------------------


def cell_text(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a list of lines or a string)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def has_image(cell: dict) -> bool:
    """Whether a code cell's stored outputs include a figure."""
    return any(kind in output.get("data", {})
               for output in cell.get("outputs", []) for kind in IMAGE_TYPES)


def plain_text(markdown: str) -> str:
    """Markdown reduced to readable text: no formulas in display, links, tags or emphasis marks."""
    text = re.sub(r"\$\$.*?\$\$", " ", markdown, flags=re.S)
    text = re.sub(r"\$([^$\n]+)\$", r"\1", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text, flags=re.S)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text, flags=re.S)
    text = text.replace("`", "")
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    """Split prose into sentences, not at "et al." or "e.g." or inside numbers like 0.85."""
    out, start = [], 0
    for match in re.finditer(r"[.!?](?=\s+[\"'(‘“*A-Z0-9ρβλσμ])", text):
        word = text[:match.end()].rsplit(None, 1)[-1].lower()
        if word in ABBREVIATIONS:
            continue
        out.append(text[start:match.end()].strip())
        start = match.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def shorten(text: str, limit: int = ALT_LIMIT) -> str:
    """Cut text at a word boundary to at most ``limit`` characters, marking a cut with '…'."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—(") + "…"


def prose_paragraphs(markdown: str) -> list[str]:
    """The paragraphs of a markdown cell that are prose: not headings, formulas, tables or code."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", re.sub(r"```.*?```", "", markdown, flags=re.S)):
        block = block.strip()
        if block and not block.startswith(("#", "$$", "|", "<", ":::", "\\begin")):
            text = plain_text(block)
            if text:
                paragraphs.append(text)
    return paragraphs


def figure_alt_text(cells: list[dict], index: int) -> str:
    """Alt text for the figures of code cell ``index``: what introduces them, then their caption.

    The introduction is the last sentence of the nearest markdown cell above (the house style
    ends it with a colon: "The two code planes, one colour per digit class:"); the caption is
    the first sentence of a markdown cell right below, unless that cell starts a new section,
    opens by introducing something else (a colon), or is a one-sentence introduction of the next
    figure. Either part may be missing; a figure with neither is called "Figure".
    """
    intro = caption = ""
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") == "markdown":
            paragraphs = prose_paragraphs(cell_text(cell))
            if paragraphs:
                intro = shorten(sentences(paragraphs[-1])[-1]).rstrip(":").rstrip()
            break
    following = cells[index + 1] if index + 1 < len(cells) else {}
    after = cells[index + 2] if index + 2 < len(cells) else {}
    if following.get("cell_type") == "markdown" and "solution" not in tags_of(following):
        paragraphs = prose_paragraphs(cell_text(following))
        heading = cell_text(following).lstrip().startswith("#")
        first = sentences(paragraphs[0]) if paragraphs else []
        said = sum(len(sentences(paragraph)) for paragraph in paragraphs)
        introduces_next = after.get("cell_type") == "code" and has_image(after) and said < 2
        if first and not heading and not first[0].endswith(":") and not introduces_next:
            caption = shorten(first[0])
    if intro and intro[-1] not in ".!?…":
        intro += "."
    return " ".join(part for part in (intro, caption) if part) or "Figure"


def notebook_title(path: Path) -> str:
    """A notebook's title: the first ``# `` heading of its first markdown cell (else its name)."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell.get("cell_type") == "markdown":
            found = re.search(r"^# (.+)$", cell_text(cell), re.M)
            return found.group(1).strip() if found else path.stem
    return path.stem


def tags_of(cell: dict) -> list[str]:
    """A cell's tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def solution_dropdown(markdown: str) -> str:
    """A markdown solution as a MyST dropdown (closed), without its ``<details>`` wrapper."""
    match = re.fullmatch(r"\s*<details>\s*<summary>(.*?)</summary>(.*?)</details>\s*",
                         markdown, flags=re.S)
    summary, body = (match.group(1).strip(), match.group(2).strip()) if match else (
        "Solution", markdown.strip())
    longest = max((len(run) for run in re.findall(r"^\s*(:{3,})", body, re.M)), default=2)
    fence = ":" * max(3, longest + 1)
    return f"{fence}{{dropdown}} {summary or 'Solution'}\n{body}\n{fence}\n"


def stage_notebook(notebook: dict, notice: str = "") -> dict:
    """A copy of a notebook marked up for the site; the input is left as it was.

    ``check`` cells lose their source on the page (``remove-input``; outputs stay); ``solution``
    cells fold into a closed "Solution" dropdown; figures get alt text (an alt already set in a
    cell's ``mystnb.image`` metadata wins). ``notice``, if given, is shown under the title (a
    Korean page that is still the English notebook says so).
    """
    staged = copy.deepcopy(notebook)
    cells = staged["cells"]
    for index, cell in enumerate(cells):
        tags = tags_of(cell)
        metadata = cell.setdefault("metadata", {})
        if cell.get("cell_type") == "code":
            if "check" in tags and "remove-input" not in tags:
                tags.append("remove-input")
            if "solution" in tags and "hide-cell" not in tags:
                tags.append("hide-cell")
                mystnb = metadata.setdefault("mystnb", {})
                mystnb.setdefault("code_prompt_show", "Solution (code)")
                mystnb.setdefault("code_prompt_hide", "Hide the solution code")
            if has_image(cell):
                image = metadata.setdefault("mystnb", {}).setdefault("image", {})
                image.setdefault("alt", figure_alt_text(notebook["cells"], index))
        elif cell.get("cell_type") == "markdown" and "solution" in tags:
            cell["source"] = solution_dropdown(cell_text(cell))
        if tags:
            metadata["tags"] = tags
    if notice:
        note = f":::{{note}}\n{notice}\n:::"
        first = cell_text(cells[0]).lstrip() if cells else ""
        if first.startswith("# ") and cells[0].get("cell_type") == "markdown":
            title, _, rest = first.partition("\n")
            cells[0]["source"] = f"{title}\n\n{note}\n\n{rest.strip()}"
        else:
            cells.insert(0, {"cell_type": "markdown", "id": "site-notice", "metadata": {},
                             "source": note})
    return staged


# --- editions and the Sphinx run ---------------------------------------------------------------

NOT_TRANSLATED = "이 노트북은 아직 번역되지 않았습니다. 아래는 영어판입니다. (Not translated yet.)"


@dataclass
class Edition:
    """One language of the site: where its notebooks and README are, where it is built."""

    language: str
    notebooks: dict[str, Path]  # stem -> the notebook shown (a translation, or the English one)
    fallbacks: set[str] = field(default_factory=set)  # stems shown in English in this edition
    readme: Path = ROOT / "README.md"
    prefix: str = ""  # the edition's folder inside the published site ("" or "ko/")


def editions(root: Path = ROOT) -> list[Edition]:
    """English always; Korean too once ``notebooks/ko/*.ipynb`` exists.

    A Korean edition shows every notebook: the translation where there is one, the English
    notebook with a notice where there is not yet, so its pages, links and order match the
    English edition's. Its landing page comes from ``README.ko.md`` (the English README until
    that exists).
    """
    english = {p.stem: p for p in sorted((root / "notebooks").glob("*.ipynb"))
               if NOTEBOOK_NAME.match(p.stem)}
    if not english:
        raise SiteSourceError(f"no notebooks NN_name.ipynb in {root / 'notebooks'}")
    found = [Edition("en", english, readme=root / "README.md")]
    korean = {p.stem: p for p in sorted((root / "notebooks" / "ko").glob("*.ipynb"))
              if NOTEBOOK_NAME.match(p.stem)}
    if korean:
        readme_ko = root / "README.ko.md"
        found.append(Edition(
            "ko", {**english, **korean}, fallbacks=set(english) - set(korean),
            readme=readme_ko if readme_ko.exists() else root / "README.md", prefix="ko/"))
    return found


def page_templates(language: str, site: Path = SITE) -> dict[str, str]:
    """One language's page templates: ``site/<lang>/X.md`` where it exists, else ``site/X.md``."""
    templates = {p.stem: p.read_text(encoding="utf-8") for p in sorted(site.glob("*.md"))}
    localized = site / language
    if language != "en" and localized.is_dir():
        templates.update({p.stem: p.read_text(encoding="utf-8")
                          for p in sorted(localized.glob("*.md"))})
    return templates


def stage_edition(edition: Edition, all_editions: list[Edition], dest: Path,
                  root: Path = ROOT, site: Path = SITE) -> list[str]:
    """Write one edition's Sphinx sources into ``dest``; returns its document names."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "notebooks").mkdir(parents=True)
    for stem, path in edition.notebooks.items():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notice = NOT_TRANSLATED if stem in edition.fallbacks else ""
        (dest / "notebooks" / path.name).write_text(
            json.dumps(stage_notebook(notebook, notice), ensure_ascii=False, indent=1),
            encoding="utf-8")
    titles = {stem: notebook_title(path) for stem, path in edition.notebooks.items()}
    parts = readme_parts(edition.readme.read_text(encoding="utf-8"), titles)
    docnames = [f"notebooks/{stem}" for stem in edition.notebooks]
    for name, template in page_templates(edition.language, site).items():
        (dest / f"{name}.md").write_text(fill_template(template, parts), encoding="utf-8")
        docnames.append(name)
    data_readme = root / "data" / "README.md"
    if data_readme.exists() and "data" not in docnames:
        (dest / "data.md").write_text(data_readme.read_text(encoding="utf-8"), encoding="utf-8")
        docnames.append("data")
    switches = [{"code": other.language, "label": LANGUAGES[other.language],
                 "root": "../" * edition.prefix.count("/") + other.prefix}
                for other in all_editions if other is not edition]
    (dest / "_site.json").write_text(json.dumps(
        {"language": edition.language, "switches": switches, "docnames": docnames},
        ensure_ascii=False, indent=1), encoding="utf-8")
    return docnames


def run_sphinx(source: Path, out: Path, doctrees: Path, language: str,
               site: Path = SITE) -> None:
    """Run Sphinx's HTML builder, failing on any warning (a broken reference is one)."""
    from sphinx.cmd.build import build_main  # only the build needs Sphinx, not the unit tests

    args = ["-b", "html", "-c", str(site), "-d", str(doctrees), "-D", f"language={language}",
            "--fail-on-warning", "--keep-going", "--quiet", str(source), str(out)]
    status = build_main(args)
    if status != 0:
        raise SystemExit(f"Sphinx failed for the {LANGUAGES[language]} edition (exit {status}); "
                         "its warnings are printed above")


def build(out: Path = OUT, root: Path = ROOT, site: Path = SITE) -> list[Edition]:
    """Build every edition from scratch into ``out`` (English at its root, Korean in ``ko/``)."""
    stage, doctrees = out.parent / "site-src", out.parent / "site-doctrees"
    if (out.resolve() != OUT.resolve() and out.is_dir() and any(out.iterdir())
            and not (out / ".buildinfo").exists()):
        # --out . or --out ~ must not delete a folder that is not a build of this site
        raise SystemExit(f"{out} is not empty and holds no earlier build of the site "
                         "(no .buildinfo): not deleting it; choose an empty or new folder")
    for folder in (out, stage, doctrees):
        if folder.exists():
            shutil.rmtree(folder)
    found = editions(root)
    for edition in found:
        source = stage / edition.language
        stage_edition(edition, found, source, root, site)
        run_sphinx(source, out / edition.prefix, doctrees / edition.language,
                   edition.language, site)
        # MyST-NB writes the notebooks' outputs to <outdir>/../jupyter_execute; for the Korean
        # edition (outdir = out/ko) that is inside the published site. Its images are in ko/_images.
        scratch = (out / edition.prefix).parent / "jupyter_execute"
        if edition.prefix and scratch.is_dir():
            shutil.rmtree(scratch)
    return found


def main(argv: list[str] | None = None) -> int:
    """Command line: build the site and say where it is and how long it took."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        found = build(args.out.resolve())
    except SiteSourceError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    languages = ", ".join(LANGUAGES[e.language] for e in found)
    print(f"built the site ({languages}) in {time.perf_counter() - start:.0f} s: "
          f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
