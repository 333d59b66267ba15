"""Sphinx configuration of the course website.

Built by ``python tools/build_site.py``, which stages the sources under ``build/site-src/<lang>/``
and runs Sphinx with this folder as its configuration folder (``-c site``), once per language.
Everything the pages need is served from the built site: nothing is executed and nothing is
fetched from the network (MathJax comes from ``sphinx-mathjax-offline``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

project = "Autoencoders, from PCA to VAEs"
author = "the course's authors"
copyright = "the course's authors; code and text MIT, MNIST CC BY-SA 3.0"

extensions = [
    "myst_nb",  # notebooks and markdown pages
    "sphinx_design",  # the "Solution" dropdowns
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: no CDN
    "sphinx.ext.githubpages",  # .nojekyll, so GitHub Pages serves _static/ as it is
]

# Render the outputs the notebooks were committed with; never run a kernel.
nb_execution_mode = "off"
nb_merge_streams = True  # consecutive prints show as one block, as in Jupyter
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "Autoencoders, from PCA to VAEs"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_js_files = ["file-protocol.js"]  # search from disk: no snippet fetches (see the file)
templates_path = ["_templates"]
html_last_updated_fmt = None
html_show_sphinx = False
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,  # the notebook itself, from the page
    "use_fullscreen_button": False,
    "article_header_end": ["lang-switch.html", "article-header-buttons.html"],
    "navigation_with_keys": False,
    "navbar_persistent": [],  # search sits in the sidebar; no second search bar on top
}
# The figures are drawn on white; without a default the theme logs a console error on a
# visitor's first page. Readers can still switch to dark mode in the header.
html_context = {"default_mode": "light"}

# A title-less cell or two headings of one level in a row are the notebooks' style, not errors.
suppress_warnings = ["myst.header"]


def _edition(app: Any) -> dict:
    """The edition facts that tools/build_site.py wrote beside the sources (language, switches)."""
    if not hasattr(app, "_course_edition"):
        path = Path(app.srcdir) / "_site.json"
        app._course_edition = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return app._course_edition


def add_language_switches(app: Any, pagename: str, templatename: str, context: dict,
                          doctree: Any) -> None:
    """Give every page a link to the same page in the other language(s), or to their start page.

    The link is relative (``../`` per folder level, then the other edition's folder), so the
    site works from disk, from a local server and from any sub-path of a web host.
    """
    edition = _edition(app)
    up = "../" * pagename.count("/")
    names = set(edition.get("docnames", [])) | {"search", "genindex"}
    context["lang_switches"] = [
        {"code": switch["code"], "label": switch["label"],
         "url": f"{up}{switch['root']}{pagename if pagename in names else 'index'}.html"}
        for switch in edition.get("switches", [])
    ]


def setup(app: Any) -> dict:
    """Register the language switch with Sphinx."""
    app.connect("html-page-context", add_language_switches)
    return {"parallel_read_safe": True}
