"""Build the Korean edition ``notebooks/ko/`` from the English notebooks and their translations.

``python tools/build_korean.py``           build every Korean notebook (refuses if a translation
                                           is missing or stale, and names the cells)
``python tools/build_korean.py --check``   build in memory and fail if ``notebooks/ko/`` differs
``python tools/build_korean.py --status [NN ...]``  list the markdown cells whose translation is
                                           missing, stale or changes a number, formula or
                                           code, with their English text (NN: only notebook NN)

The English notebooks are the source of truth for code and outputs. Only markdown cells are
translated: ``translations/ko/NN_name.md`` holds one block per markdown cell of
``notebooks/NN_name.ipynb``, in the notebook's order, each opened by a marker line ::

    <!-- cell 6f1d0a2c · en 3b9e41c07d5a -->
    한국어 마크다운 …

``cell`` is the cell's ``id`` in the English notebook; ``en`` is :func:`source_hash` of the English
source the block translates. When an English markdown cell changes, its hash changes, and the
block is *stale* until a translator redoes it and writes the new hash (``--status`` prints both).
Everything else in a Korean notebook (code cells, outputs, tags, metadata, execution counts) is
copied from the English notebook by :func:`build_notebook`; nothing in ``notebooks/ko/`` is edited
by hand. ``tests/test_korean_edition.py`` checks every pair.

This is course tooling, not a notebook helper, so it lives here rather than in ``aeutils``, and
it uses only the standard library.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KOREAN = NOTEBOOKS / "ko"
TRANSLATIONS = ROOT / "translations" / "ko"
MARKER = re.compile(r"^<!-- cell (\S+) · en ([0-9a-f]{12}) -->[ \t]*$", re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)


FENCE = re.compile(r"```.*?```", re.S)
CODE = re.compile(r"`[^`\n]+`")
FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
LINK = re.compile(r"\]\(([^)\s]+)[^)]*\)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
WORD = re.compile(r"\b[A-Za-z]{3,}\b")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


class TranslationError(ValueError):
    """A translation file does not match its English notebook (missing, extra or stale cells)."""


@dataclass(frozen=True)
class Block:
    """One translated markdown cell: the English cell's id, the hash it translates, the text."""

    cell_id: str
    en_hash: str
    text: str


def source_hash(source: str) -> str:
    """The first 12 hex digits of the SHA-256 of an English markdown cell's source.

    Twelve digits (48 bits) are enough to notice any edit of a cell and short enough to read in a
    diff of the translation file.
    """
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat stores it as a list of lines or as a string)."""
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def parse_translation(text: str) -> list[Block]:
    """The blocks of a translation file, in order.

    Anything before the first marker may only be HTML comments (a header for translators).
    """
    markers = list(MARKER.finditer(text))
    head = COMMENT.sub("", text[: markers[0].start()] if markers else text)
    if head.strip():
        raise TranslationError(
            "text before the first '<!-- cell ID · en HASH -->' marker; every translated cell "
            f"must start with its marker line (found: {head.strip()[:60]!r})")
    blocks = []
    ends = [m.start() for m in markers[1:]] + [len(text)] * bool(markers)
    for marker, end in zip(markers, ends, strict=True):
        blocks.append(Block(marker.group(1), marker.group(2), text[marker.end(): end].strip("\n")))
    return blocks


def render_translation(blocks: list[Block], english_name: str) -> str:
    """A translation file's text for ``blocks`` (the inverse of :func:`parse_translation`)."""
    header = (f"<!-- Korean translation of notebooks/{english_name}: one block per markdown cell, "
              "in order. See tools/build_korean.py. -->\n")
    body = "\n\n".join(f"<!-- cell {b.cell_id} · en {b.en_hash} -->\n{b.text}" for b in blocks)
    return f"{header}\n{body}\n"


def markdown_cells(notebook: dict) -> list[tuple[int, dict]]:
    """``(position in the cell list, cell)`` for every markdown cell of a notebook."""
    return [(i, c) for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "markdown"]


def first_line(text: str, width: int = 70) -> str:
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def sync_problems(english: dict, blocks: list[Block]) -> list[str]:
    """What keeps ``blocks`` from being a current translation of ``english``, one line each.

    A block must exist for every markdown cell, in the same order, with the hash of that cell's
    current English source. A stale block is named by the cell's position and id and the first
    line of its new English text, so a translator knows which cell to redo.
    """
    cells = markdown_cells(english)
    wanted = [c["id"] for _, c in cells]
    have = [b.cell_id for b in blocks]
    problems = []
    for position, cell in cells:
        if cell["id"] not in have:
            problems.append(f"cell {position} (id {cell['id']}) has no translation: "
                            f"{first_line(cell_source(cell))!r}")
    for block in blocks:
        if block.cell_id not in wanted:
            problems.append(f"the translation of cell id {block.cell_id} has no markdown cell "
                            "in the English notebook (deleted or changed type): remove it")
    if len(set(have)) != len(have):
        twice = sorted({i for i in have if have.count(i) > 1})
        problems.append(f"cell ids translated twice: {', '.join(twice)}")
    if not problems and have != wanted:
        problems.append("the translations are not in the English notebook's order of cells")
    by_id = {b.cell_id: b for b in blocks}
    for position, cell in cells:
        block = by_id.get(cell["id"])
        if block and block.en_hash != source_hash(cell_source(cell)):
            problems.append(
                f"cell {position} (id {cell['id']}) is stale: its English text changed "
                f"(now en {source_hash(cell_source(cell))}, translated {block.en_hash}); redo it: "
                f"{first_line(cell_source(cell))!r}")
        elif block and not block.text.strip():
            problems.append(f"cell {position} (id {cell['id']}) has an empty translation")
    return problems


def invariants(text: str) -> dict[str, list[str]]:
    """What a translation must keep exactly: code, formulas, link targets and numbers.

    Each kind is taken out of the text before the next is looked for (a number inside a formula
    counts as part of the formula), and each is a sorted list, because Korean word order may move
    a formula or a number within a cell but must neither drop nor change one.
    """
    found = {}
    for name, pattern in (("code blocks", FENCE), ("inline code", CODE), ("formulas", FORMULA),
                          ("link targets", LINK), ("numbers", NUMBER)):
        found[name] = sorted(m.group(1) if pattern is LINK else m.group(0)
                             for m in pattern.finditer(text))
        text = pattern.sub(" ", text)
    found["english words"] = WORD.findall(text)
    found["tildes"] = ["~"] * text.count("~")
    return found


def content_problems(english: str, korean: str) -> list[str]:
    """How a translated cell's code, formulas, link targets or numbers differ from the English.

    Also flags a cell left in English: one whose English has prose (three or more words outside
    code and formulas) but whose translation has no Hangul.
    """
    en, ko = invariants(english), invariants(korean)
    problems = []
    for kind in ("code blocks", "inline code", "formulas", "link targets", "numbers"):
        if en[kind] != ko[kind]:
            lost = [x for x in en[kind] if en[kind].count(x) > ko[kind].count(x)]
            added = [x for x in ko[kind] if ko[kind].count(x) > en[kind].count(x)]
            problems.append(f"{kind} differ: only in English {sorted(set(lost))}, "
                            f"only in Korean {sorted(set(added))}")
    if len(ko["tildes"]) > len(en["tildes"]):
        problems.append("'~' outside code: Jupyter's Markdown strikes out the text between two "
                        "of them; write a range as 1.2–3.4")
    if len(en["english words"]) >= 3 and not HANGUL.search(korean):
        problems.append("no Hangul: the cell is still in English")
    return problems


def as_lines(text: str) -> list[str]:
    """nbformat's on-disk form of a source: lines that keep their line ends."""
    return text.splitlines(keepends=True)


def build_notebook(english: dict, blocks: list[Block]) -> dict:
    """The Korean notebook: ``english`` with each markdown cell's source replaced by its block.

    Raises :class:`TranslationError` listing every problem of :func:`sync_problems`.
    """
    problems = sync_problems(english, blocks)
    if problems:
        raise TranslationError("\n".join(problems))
    korean = copy.deepcopy(english)
    by_id = {b.cell_id: b for b in blocks}
    for _, cell in markdown_cells(korean):
        cell["source"] = as_lines(by_id[cell["id"]].text)
    return korean


def dumps(notebook: dict) -> str:
    """A notebook's JSON as Jupyter writes it (indent 1, UTF-8 kept, final newline)."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def pairs(root: Path = ROOT) -> list[tuple[Path, Path, Path]]:
    """``(English notebook, translation file, Korean notebook)`` for every English notebook."""
    english = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [(nb, root / "translations" / "ko" / f"{nb.stem}.md",
             root / "notebooks" / "ko" / nb.name) for nb in english]


def built(english_path: Path, translation_path: Path) -> str:
    """The text of the Korean notebook built from an English notebook and its translation."""
    if not translation_path.exists():
        raise TranslationError(f"{translation_path.relative_to(ROOT)} does not exist: translate "
                               f"{english_path.name} first (--status lists its cells)")
    english = json.loads(english_path.read_text(encoding="utf-8"))
    blocks = parse_translation(translation_path.read_text(encoding="utf-8"))
    try:
        return dumps(build_notebook(english, blocks))
    except TranslationError as error:
        raise TranslationError(f"{translation_path.relative_to(ROOT)}:\n{error}") from None


def status(only: list[str] | None = None) -> int:
    """Print the cells to translate or redo, with their current English text; 1 if any.

    ``only`` limits the list to notebooks whose name starts with one of its entries ("01").
    """
    todo = 0
    for english_path, translation_path, _ in pairs():
        if only and not english_path.name.startswith(tuple(only)):
            continue
        english = json.loads(english_path.read_text(encoding="utf-8"))
        text = translation_path.read_text(encoding="utf-8") if translation_path.exists() else ""
        blocks = {b.cell_id: b for b in parse_translation(text)}
        for position, cell in markdown_cells(english):
            digest = source_hash(cell_source(cell))
            block = blocks.get(cell["id"])
            content = content_problems(cell_source(cell), block.text) if block else []
            if block is None or block.en_hash != digest or content:
                todo += 1
                state = ("missing" if block is None else f"stale (translated {block.en_hash})"
                         if block.en_hash != digest else "; ".join(content))
                print(f"## {english_path.name} cell {position}: {state}\n"
                      f"<!-- cell {cell['id']} · en {digest} -->\n{cell_source(cell)}\n")
    print(f"{todo} markdown cell(s) to translate or redo")
    return 1 if todo else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true",
                       help="fail if notebooks/ko/ differs from what would be built")
    group.add_argument("--status", action="store_true",
                       help="list missing or stale translations with their English text")
    parser.add_argument("only", nargs="*", metavar="NN",
                        help="with --status: only these notebooks (by number, e.g. 01 06)")
    args = parser.parse_args(argv)
    if args.status:
        return status(args.only)
    failures = []
    for english_path, translation_path, korean_path in pairs():
        try:
            text = built(english_path, translation_path)
        except TranslationError as error:
            failures.append(str(error))
            continue
        current = korean_path.read_text(encoding="utf-8") if korean_path.exists() else None
        if args.check:
            if current != text:
                failures.append(f"{korean_path.relative_to(ROOT)} differs from its build: run "
                                "python tools/build_korean.py")
        elif current != text:
            korean_path.parent.mkdir(exist_ok=True)
            korean_path.write_text(text, encoding="utf-8")
            print(f"wrote {korean_path.relative_to(ROOT)}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
