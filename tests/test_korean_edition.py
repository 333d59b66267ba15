"""The Korean edition: each notebooks/ko/ notebook is its English notebook, prose re-worded.

For every pair this proves that the code cells, their outputs, every cell's tags and metadata and
the notebook's metadata are identical; that each English markdown cell has exactly one Korean
counterpart, in the same order; that each pair keeps the same formulas, numbers, inline code and
link targets; that no translation is stale (an English markdown cell edited since it was
translated is named); and that the committed notebooks/ko/ is exactly what
``tools/build_korean.py`` builds. The first tests check the builder itself on small notebooks.
"""

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from markdown_it import MarkdownIt  # installed with Keras (through rich)

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_korean", ROOT / "tools" / "build_korean.py")
build_korean = importlib.util.module_from_spec(_spec)
sys.modules["build_korean"] = build_korean  # dataclasses look their module up by name
_spec.loader.exec_module(build_korean)

PAIRS = build_korean.pairs()
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])  # as Jupyter (GFM)
STRUCTURE = {"heading_open", "bullet_list_open", "ordered_list_open", "list_item_open",
             "strong_open", "em_open", "table_open", "tr_open", "blockquote_open", "fence",
             "code_inline", "html_block", "link_open", "image", "s_open"}
IDS = [english.stem for english, _, _ in PAIRS]


def md(cell_id, source, tags=()):
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"tags": list(tags)},
            "source": source}


def code(cell_id, source, text="4\n"):
    return {"cell_type": "code", "id": cell_id, "metadata": {"tags": ["nbval-ignore-output"]},
            "source": source, "execution_count": 3,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}


def tiny_notebook():
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}},
            "cells": [md("a", "# Title\n\nTwo numbers: 3 and 60 000."),
                      code("b", "print(2 + 2)"),
                      md("c", ["We fit $y = wx$ with `fit()`.\n", "It took 12 s."],
                         tags=["solution"])]}


def blocks_for(notebook, texts):
    cells = build_korean.markdown_cells(notebook)
    return [build_korean.Block(c["id"], build_korean.source_hash(build_korean.cell_source(c)), t)
            for (_, c), t in zip(cells, texts, strict=True)]


KOREAN = ["# 제목\n\n두 수: 60 000과 3.", "`fit()`으로 $y = wx$를 맞춥니다.\n12 s 걸렸습니다."]


# --- the builder on a tiny notebook ------------------------------------------------------------

def test_build_replaces_markdown_only_and_copies_everything_else():
    english = tiny_notebook()
    korean = build_korean.build_notebook(english, blocks_for(english, KOREAN))
    assert korean["cells"][1] == english["cells"][1] and korean["metadata"] == english["metadata"]
    assert korean["cells"][0]["source"] == ["# 제목\n", "\n", "두 수: 60 000과 3."]
    assert korean["cells"][2]["metadata"] == {"tags": ["solution"]}
    assert "".join(korean["cells"][2]["source"]) == KOREAN[1]
    assert english["cells"][0]["source"] == "# Title\n\nTwo numbers: 3 and 60 000."  # untouched


def test_translation_file_round_trip():
    english = tiny_notebook()
    blocks = blocks_for(english, KOREAN)
    text = build_korean.render_translation(blocks, "00_tiny.ipynb")
    assert text.startswith("<!-- Korean translation of notebooks/00_tiny.ipynb")
    assert build_korean.parse_translation(text) == blocks


def test_text_before_the_first_marker_is_refused():
    with pytest.raises(build_korean.TranslationError, match="before the first"):
        build_korean.parse_translation("stray\n<!-- cell a · en 0123456789ab -->\n안녕")


def test_an_edited_english_cell_names_its_stale_translation():
    english = tiny_notebook()
    blocks = blocks_for(english, KOREAN)
    english["cells"][2]["source"] = "We fit $y = wx$ with `fit()`.\nIt took 13 s."
    problems = build_korean.sync_problems(english, blocks)
    assert len(problems) == 1 and problems[0].startswith("cell 2 (id c) is stale")
    assert "We fit" in problems[0]
    with pytest.raises(build_korean.TranslationError, match=r"cell 2 \(id c\) is stale"):
        build_korean.build_notebook(english, blocks)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda b: b[:1], "cell 2 (id c) has no translation"),
    (lambda b: [*b, build_korean.Block("z", "0" * 12, "x")], "cell id z has no markdown cell"),
    (lambda b: b[::-1], "not in the English notebook's order"),
    (lambda b: [b[0], b[0], b[1]], "translated twice: a"),
    (lambda b: [b[0], build_korean.Block("c", b[1].en_hash, " \n")], "empty translation"),
])
def test_missing_extra_reordered_duplicated_or_empty_blocks_are_named(change, expected):
    english = tiny_notebook()
    problems = build_korean.sync_problems(english, change(blocks_for(english, KOREAN)))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(("korean", "kind"), [
    ("`fit()`으로 $y = wx$를 맞춥니다.\n13 s 걸렸습니다.", "numbers"),
    ("`fit()`으로 $y = vx$를 맞춥니다.\n12 s 걸렸습니다.", "formulas"),
    ("`fit`으로 $y = wx$를 맞춥니다.\n12 s 걸렸습니다.", "inline code"),
    ("`fit()`으로 $y = wx$를 [맞춥니다](a.md).\n12 s 걸렸습니다.", "link targets"),
    ("We fit $y = wx$ with `fit()`.\nIt took 12 s.", "still in English"),
    ("`fit()`으로 $y = wx$를 맞춥니다.\n12 s~ 걸렸습니다.", "strikes out"),
])
def test_a_changed_number_formula_code_link_or_untranslated_cell_is_flagged(korean, kind):
    english = "We fit $y = wx$ with `fit()`.\nIt took 12 s."
    problems = build_korean.content_problems(english, korean)
    assert len(problems) == 1 and kind in problems[0], problems


def test_reordered_numbers_and_formulas_are_the_same_content():
    english = "Two numbers, 3 and 60 000, and $a$ then $b$."
    assert build_korean.content_problems(english, "$b$와 $a$, 그리고 60 000과 3.") == []


def rendered_structure(markdown: str) -> tuple[list[str], list[str]]:
    """The markdown elements a cell renders to (headings with their level, lists, list items,
    bold, italics, tables and their rows, code, links), sorted; and any ``*`` or ``_`` left as
    literal text, which is what an emphasis marker that Markdown could not open or close becomes
    (in Korean, typically ``**term(English)**`` followed by a particle)."""
    elements, stray = [], []

    def walk(tokens):
        for token in tokens:
            if token.type in STRUCTURE:
                elements.append(token.tag if token.type == "heading_open" else token.type)
            if token.type == "text" and ("*" in token.content or "__" in token.content):
                stray.append(token.content)
            walk(token.children or [])

    walk(MARKDOWN.parse(markdown))
    return sorted(elements), stray


def test_rendered_structure_sees_emphasis_markdown_cannot_close():
    english = "An **autoencoder (AE)** is *small*."
    assert rendered_structure(english) == (
        sorted(["strong_open", "em_open"]), [])
    elements, stray = rendered_structure("**오토인코더(autoencoder)**는 *작습니다*.")
    assert elements == ["em_open"] and stray
    assert rendered_structure("**오토인코더**(autoencoder)는 *작습니다*.")[0] == elements + [
        "strong_open"]


# --- the committed edition ---------------------------------------------------------------------

def test_every_korean_notebook_has_an_english_one():
    english = {p.name for p, _, _ in PAIRS}
    korean = {p.name for p in (ROOT / "notebooks" / "ko").glob("*.ipynb")}
    translations = {p.stem for p in (ROOT / "translations" / "ko").glob("*.md")}
    assert korean <= english, f"Korean notebooks without an English one: {korean - english}"
    assert translations <= {Path(n).stem for n in english}, translations


@pytest.mark.parametrize(("english_path", "translation_path", "korean_path"), PAIRS, ids=IDS)
def test_translation_is_complete_current_and_keeps_the_content(
        english_path, translation_path, korean_path):
    assert translation_path.exists(), f"no translation: {translation_path.relative_to(ROOT)}"
    english = json.loads(english_path.read_text(encoding="utf-8"))
    blocks = build_korean.parse_translation(translation_path.read_text(encoding="utf-8"))
    problems = build_korean.sync_problems(english, blocks)
    by_id = {b.cell_id: b for b in blocks}
    for position, cell in build_korean.markdown_cells(english):
        if cell["id"] in by_id:
            problems += [f"cell {position} (id {cell['id']}): {p}" for p in
                         build_korean.content_problems(build_korean.cell_source(cell),
                                                       by_id[cell["id"]].text)]
            en_structure, en_stray = rendered_structure(build_korean.cell_source(cell))
            ko_structure, stray = rendered_structure(by_id[cell["id"]].text)
            if sum(t.count("*") for t in stray) <= sum(t.count("*") for t in en_stray):
                stray = []  # the English shows the same literal asterisks (r*, say)
            if ko_structure != en_structure:
                en_count, ko_count = Counter(en_structure), Counter(ko_structure)
                problems.append(f"cell {position} (id {cell['id']}): renders to other Markdown "
                                f"elements: English has {dict(en_count - ko_count)} more, "
                                f"Korean {dict(ko_count - en_count)} more")
            if stray:
                problems.append(f"cell {position} (id {cell['id']}): '*' or '__' shown as text "
                                f"(emphasis Markdown cannot close before a particle?): {stray}")
    assert not problems, (f"{translation_path.relative_to(ROOT)} (python tools/build_korean.py "
                          "--status lists the English text):\n" + "\n".join(problems))


@pytest.mark.parametrize(("english_path", "translation_path", "korean_path"), PAIRS, ids=IDS)
def test_committed_korean_notebook_is_the_build(english_path, translation_path, korean_path):
    assert korean_path.exists(), f"run python tools/build_korean.py to write {korean_path.name}"
    assert korean_path.read_text(encoding="utf-8") == build_korean.built(
        english_path, translation_path), (
        f"{korean_path.relative_to(ROOT)} is not what tools/build_korean.py builds: it was edited "
        "by hand or the English notebook changed since; run python tools/build_korean.py")


@pytest.mark.parametrize(("english_path", "translation_path", "korean_path"), PAIRS, ids=IDS)
def test_code_outputs_tags_and_metadata_are_the_english_ones(
        english_path, translation_path, korean_path):
    english = json.loads(english_path.read_text(encoding="utf-8"))
    korean = json.loads(korean_path.read_text(encoding="utf-8"))
    assert korean["metadata"] == english["metadata"]
    assert [c["cell_type"] for c in korean["cells"]] == [c["cell_type"] for c in english["cells"]]
    for position, (en, ko) in enumerate(zip(english["cells"], korean["cells"], strict=True)):
        if en["cell_type"] == "code":
            assert ko == en, f"code cell {position} differs from the English notebook's"
        else:
            assert {k: v for k, v in ko.items() if k != "source"} == {
                k: v for k, v in en.items() if k != "source"}, f"cell {position}'s id or tags"


# --- the two READMEs ---------------------------------------------------------------------------

def readme(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start): text.index(end, text.index(start))]


def glossary_table(text: str) -> str:
    start = text.index("| 한국어 | English |")
    end = text.find("\n\n", start)
    return text[start: end if end >= 0 else len(text)]


def notebook_rows(text: str) -> dict[str, str]:
    """Each notebook-table row of a README, keyed by the notebook it links."""
    rows = re.findall(r"^\| (\d\d) \| .*\]\((notebooks/(?:ko/)?\d\d_\w+\.ipynb)\).*$", text, re.M)
    return {number: (path, line) for number, path, line in
            [(m[0], m[1], next(ln for ln in text.splitlines()
                               if ln.startswith(f"| {m[0]} |"))) for m in rows]}


def test_korean_readme_has_the_english_results_and_glossary_tables():
    markers = ("<!-- results:start -->", "<!-- results:end -->")
    assert between(readme("README.ko.md"), *markers) == between(readme("README.md"), *markers), (
        "README.ko.md's results table differs: run python -m aeutils.results")
    assert glossary_table(readme("README.ko.md")) == glossary_table(readme("README.md")), (
        "README.ko.md's glossary table differs from README.md's: copy it over")


def test_korean_readme_rows_link_the_korean_notebooks_and_keep_the_numbers():
    english, korean = notebook_rows(readme("README.md")), notebook_rows(readme("README.ko.md"))
    assert sorted(korean) == sorted(english) == [p.stem[:2] for p, _, _ in PAIRS]
    for number, (path, line) in korean.items():
        assert path == english[number][0].replace("notebooks/", "notebooks/ko/"), path
        problems = build_korean.content_problems(
            english[number][1].replace("](notebooks/", "](notebooks/ko/"), line)
        assert not problems, f"README.ko.md's row {number}: {problems}"
    assert "jupyter lab notebooks/ko/01_pca_vs_autoencoder.ipynb" in readme("README.ko.md")
