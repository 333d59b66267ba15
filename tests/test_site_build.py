"""The website's build helpers (tools/build_site.py), without Sphinx or a browser.

These run in the students' environment: the helpers use only the standard library. The build
itself and the browser checks run in CI through tools/check_site.py (see .ci/run).
"""

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
build_site = importlib.util.module_from_spec(_spec)
sys.modules["build_site"] = build_site  # dataclasses look their module up by name
_spec.loader.exec_module(build_site)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
TITLES = {p.stem: build_site.notebook_title(p) for p in NOTEBOOKS}


def md(source, tags=(), **extra):
    return {"cell_type": "markdown", "metadata": {"tags": list(tags)} if tags else {},
            "source": source, **extra}


def code(source="x = 1", tags=(), figures=0, text=""):
    outputs = [{"output_type": "display_data", "metadata": {},
                "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}] * figures
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text})
    return {"cell_type": "code", "metadata": {"tags": list(tags)} if tags else {},
            "source": source, "outputs": outputs, "execution_count": 1}


# --- the README's sections ---------------------------------------------------------------------


def test_split_sections_ignores_headings_inside_fenced_code():
    text = "# T\n\nintro\n\n## A\n\n```bash\n## not a heading\n```\n\n### sub\n\n## B\n\nb"
    preamble, sections = build_site.split_sections(text, 2)
    assert preamble == "# T\n\nintro"
    assert [s.title for s in sections] == ["A", "B"]
    assert "## not a heading" in sections[0].body and "### sub" in sections[0].body


def test_shift_headings_moves_levels_but_not_code():
    text = "### a\n\n```\n# comment\n```\n#### b"
    assert build_site.shift_headings(text, -2) == "# a\n\n```\n# comment\n```\n## b"


def test_readme_parts_finds_every_section_of_the_real_readme():
    parts = build_site.readme_parts(README, TITLES)
    assert parts["title"].startswith("# Autoencoders")
    assert "who know basic neural networks" in parts["intro"]
    for stem, title in TITLES.items():  # one linked heading per notebook, in lecture order
        assert f"### [{title}](notebooks/{stem}.ipynb)" in parts["notebooks"]
    headings = re.findall(r"^### \[(\d\d)", parts["notebooks"], re.M)
    assert headings == sorted(headings) and len(headings) == len(NOTEBOOKS)
    runtime_01 = re.search(r"^\| 01 \|(?:[^|]*\|){3} ([^|]+) \|", README, re.M)
    assert runtime_01 and runtime_01.group(1).strip() in parts["notebooks"]  # runtimes kept
    assert parts["quickstart"].startswith("## Quick start")
    assert "(handout.md)" in parts["quickstart"]
    assert "TagRemovePreprocessor" not in parts["quickstart"]  # it moved to its own page
    assert parts["handout"].startswith("# Students") and "TagRemovePreprocessor" in parts["handout"]
    assert parts["results"].startswith("# Results")
    assert "results:start" not in parts["results"] and "results:end" not in parts["results"]
    assert "| [01 · PCA versus autoencoders](notebooks/01_pca_vs_autoencoder.ipynb) |" in (
        parts["results"])
    assert parts["glossary"].startswith("# Glossary") and "| 한국어 |" in parts["glossary"]
    assert parts["data"].startswith("## Data") and "(data.md)" in parts["data"]
    assert parts["license"].startswith("## License")


def test_every_page_template_is_filled_without_leftover_markers():
    parts = build_site.readme_parts(README, TITLES)
    for language in ("en", "ko"):
        for name, template in build_site.page_templates(language, ROOT / "site").items():
            page = build_site.fill_template(template, parts)
            assert "<!-- readme:" not in page, (language, name)
            assert page.lstrip().startswith("# "), f"{language}/{name}.md needs a title"


def test_an_unknown_template_part_is_an_error():
    with pytest.raises(build_site.SiteSourceError, match="unknown README part 'nonsense'"):
        build_site.fill_template("<!-- readme: nonsense -->", {"title": "# T"})


@pytest.mark.parametrize("missing", ["<!-- results:start -->", "| 한국어 |",
                                     "TagRemovePreprocessor", "pip install -r requirements.txt"])
def test_a_readme_without_a_needed_section_is_an_error(missing):
    with pytest.raises(build_site.SiteSourceError):
        build_site.readme_parts(README.replace(missing, "something else"), TITLES)


def test_rewrite_links_keeps_site_links_and_drops_links_the_site_cannot_follow():
    text = ("[a](notebooks/01_x.ipynb) [b](notebooks/ko/01_x.ipynb) [c](data/README.md) "
            "[d](aeutils/data.py) [e](https://arxiv.org/abs/1312.6114) [f](#top) ![g](fig.png) "
            "[h](notebooks/09_missing.ipynb)")
    out = build_site.rewrite_links(text, {"01_x"}, {"data/README.md": "data.md"})
    assert out == ("[a](notebooks/01_x.ipynb) [b](notebooks/01_x.ipynb) [c](data.md) d "
                   "[e](https://arxiv.org/abs/1312.6114) [f](#top) ![g](fig.png) h")


def test_glossary_numbers_link_to_notebooks_and_escaped_pipes_survive():
    table = ("| 한국어 | English | where |\n|---|---|---|\n"
             "| 손상 | corruption q(x̃ \\| x) | 03 |\n| 다양체 | manifold | 01, 09, all |")
    out = build_site.link_notebook_numbers(table, {"01_a": "", "03_b": ""})
    assert "| 손상 | corruption q(x̃ \\| x) | [03](notebooks/03_b.ipynb) |" in out
    assert "| [01](notebooks/01_a.ipynb), 09, all |" in out
    assert out.splitlines()[:2] == table.splitlines()[:2]


def test_notebook_table_rows_without_a_notebook_are_an_error():
    table = "| # | notebook | topic |\n|---|---|---|\n| 01 | nothing | x |"
    with pytest.raises(build_site.SiteSourceError, match="names no notebook"):
        build_site.notebook_entries(table, {})


# --- notebooks: tags, solutions, alt text ------------------------------------------------------


def test_sentences_do_not_split_at_abbreviations_or_decimals():
    text = "Kingma et al. (2014) reach 0.85 here. Next one, e.g. this. Last"
    assert build_site.sentences(text) == ["Kingma et al. (2014) reach 0.85 here.",
                                          "Next one, e.g. this.", "Last"]


def test_plain_text_drops_markup_and_display_formulas():
    text = "**Bold** *it* `code` [link](x.md) <b>tag</b> $\\beta$ $$E = mc^2$$ end"
    assert build_site.plain_text(text) == "Bold it code link tag \\beta end"


def test_alt_text_joins_the_introduction_and_the_caption():
    cells = [md("## 2 · Section\n\nTheory first. The two code planes, one colour per class:"),
             code(figures=1),
             md("PCA-2 piles the classes up. The autoencoder separates them.")]
    alt = build_site.figure_alt_text(cells, 1)
    assert alt == "The two code planes, one colour per class. PCA-2 piles the classes up."


def test_alt_text_takes_no_caption_from_a_new_section_a_colon_or_the_next_figures_intro():
    intro = md("The filters:")
    for following in (md("## 5 · Next section\n\nText."), md("The table's claims, checked:")):
        assert build_site.figure_alt_text([intro, code(figures=1), following], 1) == "The filters."
    cells = [intro, code(figures=1), md("Interpolation between two digits."), code(figures=1)]
    assert build_site.figure_alt_text(cells, 1) == "The filters."
    assert build_site.figure_alt_text(cells, 3) == "Interpolation between two digits."
    assert build_site.figure_alt_text([code(figures=1)], 0) == "Figure"


def test_solution_dropdown_unwraps_details_and_outfences_nested_colons():
    out = build_site.solution_dropdown(
        "<details><summary>Solution</summary>\n\nText with a fence:\n:::{note}\nx\n:::\n"
        "</details>")
    assert out == "::::{dropdown} Solution\nText with a fence:\n:::{note}\nx\n:::\n::::\n"
    assert build_site.solution_dropdown("Just the text.") == (
        ":::{dropdown} Solution\nJust the text.\n:::\n")


def test_stage_notebook_marks_cells_and_leaves_the_notebook_alone():
    notebook = {"cells": [
        md("# 09 · Title\n\nIntro."),
        md("The curve:"),
        code("plot()", figures=2),
        code("assert ok", tags=["check"], text="checked\n"),
        md("<details><summary>Solution</summary>\n\nBecause.\n</details>", tags=["solution"]),
        code("answer()", tags=["solution", "nbval-ignore-output"]),
        code("show()", figures=1, tags=[]),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    notebook["cells"][6]["metadata"]["mystnb"] = {"image": {"alt": "The author's own alt"}}
    before = json.dumps(notebook)
    staged = build_site.stage_notebook(notebook, notice="Not translated yet.")
    assert json.dumps(notebook) == before, "the committed notebook must not change"
    cells = staged["cells"]
    assert build_site.cell_text(cells[0]) == (
        "# 09 · Title\n\n:::{note}\nNot translated yet.\n:::\n\nIntro.")
    assert cells[2]["metadata"]["mystnb"]["image"]["alt"] == "The curve."
    assert cells[3]["metadata"]["tags"] == ["check", "remove-input"]
    assert cells[3]["source"] == "assert ok" and cells[3]["outputs"], "source and output kept"
    assert cells[4]["source"] == ":::{dropdown} Solution\nBecause.\n:::\n"
    assert cells[5]["metadata"]["tags"] == ["solution", "nbval-ignore-output", "hide-cell"]
    assert cells[5]["metadata"]["mystnb"]["code_prompt_show"] == "Solution (code)"
    assert cells[6]["metadata"]["mystnb"]["image"]["alt"] == "The author's own alt"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_committed_figure_gets_alt_text_and_every_solution_folds(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    staged = build_site.stage_notebook(notebook)
    for index, cell in enumerate(staged["cells"]):
        if cell["cell_type"] == "code" and build_site.has_image(cell):
            alt = cell["metadata"]["mystnb"]["image"]["alt"]
            assert len(alt) > 20, f"cell {index}: no sentence introduces or follows the figure"
        if "solution" in build_site.tags_of(cell):
            text = build_site.cell_text(cell)
            if cell["cell_type"] == "markdown":
                assert text.startswith(":::{dropdown}") and "<details>" not in text, index
            else:
                assert "hide-cell" in build_site.tags_of(cell), index


# --- editions ----------------------------------------------------------------------------------


def make_course(root, korean=()):
    (root / "notebooks").mkdir(parents=True)
    notebook = {"cells": [md("# 0N · A title\n\nText.")], "metadata": {},
                "nbformat": 4, "nbformat_minor": 5}
    for stem in ("01_first", "02_second"):
        (root / "notebooks" / f"{stem}.ipynb").write_text(json.dumps(notebook))
    for stem in korean:
        (root / "notebooks" / "ko").mkdir(exist_ok=True)
        (root / "notebooks" / "ko" / f"{stem}.ipynb").write_text(json.dumps(notebook))
    (root / "README.md").write_text(README)


def test_english_only_until_korean_notebooks_exist(tmp_path):
    make_course(tmp_path)
    (tmp_path / "notebooks" / "ko").mkdir()  # an empty folder is not an edition
    assert [e.language for e in build_site.editions(tmp_path)] == ["en"]


def test_a_korean_edition_shows_every_notebook_and_falls_back_to_english(tmp_path):
    make_course(tmp_path, korean=["02_second"])
    english, korean = build_site.editions(tmp_path)
    assert (korean.language, korean.prefix) == ("ko", "ko/")
    assert korean.notebooks["02_second"] == tmp_path / "notebooks" / "ko" / "02_second.ipynb"
    assert korean.notebooks["01_first"] == tmp_path / "notebooks" / "01_first.ipynb"
    assert korean.fallbacks == {"01_first"} and korean.readme == tmp_path / "README.md"
    (tmp_path / "README.ko.md").write_text(README)
    assert build_site.editions(tmp_path)[1].readme == tmp_path / "README.ko.md"


def test_staged_editions_link_to_each_other(tmp_path):
    make_course(tmp_path, korean=["01_first"])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "README.md").write_text("# Data\n\nProvenance.")
    found = build_site.editions(tmp_path)
    for edition in found:
        dest = tmp_path / "stage" / edition.language
        names = build_site.stage_edition(edition, found, dest, tmp_path, ROOT / "site")
        facts = json.loads((dest / "_site.json").read_text())
        assert sorted(names) == sorted(facts["docnames"])
        assert {"index", "glossary", "results", "handout", "data", "notebooks/01_first",
                "notebooks/02_second"} == set(names)
        root = "ko/" if edition.language == "en" else "../"
        assert [s["root"] for s in facts["switches"]] == [root]
    fallback = json.loads((tmp_path / "stage" / "ko" / "notebooks" / "02_second.ipynb").read_text())
    assert build_site.NOT_TRANSLATED in build_site.cell_text(fallback["cells"][0])
    assert "이 사이트에는" in (tmp_path / "stage" / "ko" / "index.md").read_text()


def test_broken_links_finds_missing_files_anchors_and_links_that_leave_the_site(tmp_path):
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "tools" / "check_site.py")
    check_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_site)  # no browser needed: Playwright is imported on use
    (tmp_path / "README.md").write_text("outside the site, but on this disk")
    site = tmp_path / "site"
    (site / "notebooks").mkdir(parents=True)
    (site / "index.html").write_text(
        '<a id="top" href="notebooks/a.html#sec">a</a> <a href="#top">top</a> '
        '<a href="https://example.com/">web</a> <a href="../README.md">readme</a> '
        '<a href="notebooks/a.html#nowhere">x</a> <img src="_images/gone.png">')
    (site / "notebooks" / "a.html").write_text('<h2 id="sec">S</h2><a href="../index.html">up</a>')
    assert check_site.broken_links(site) == [
        "index.html -> ../README.md (outside the site)",
        "index.html -> notebooks/a.html#nowhere (no such anchor)",
        "index.html -> _images/gone.png (no such file)",
    ]
