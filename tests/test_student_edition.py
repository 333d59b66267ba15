"""The students' hand-out: the README's nbconvert commands remove every exercise solution.

There is one command per edition (English ``notebooks/``, Korean ``notebooks/ko/``); both READMEs
give the same two.
"""

import json
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
README_COMMAND_START = "jupyter nbconvert --to notebook --TagRemovePreprocessor"
# edition: (the notebooks the command reads, the folder it writes, a takeaways heading, a summary)
EDITIONS = {
    "en": ("notebooks/*.ipynb", "handout", "Key takeaways", "<summary>Solution"),
    "ko": ("notebooks/ko/*.ipynb", "handout/ko", "핵심 정리", "<summary>풀이"),
}


def readme_commands(readme: str = "README.md") -> list[list[str]]:
    """The hand-out commands exactly as a README gives them (one line each)."""
    lines = [ln.strip() for ln in (ROOT / readme).read_text().splitlines()
             if ln.strip().startswith(README_COMMAND_START)]
    return [shlex.split(line) for line in lines]


def readme_command(edition: str) -> list[str]:
    """The README's hand-out command for one edition."""
    pattern, out_dir, _, _ = EDITIONS[edition]
    found = [c for c in readme_commands() if c[-1] == pattern]
    assert len(found) == 1, f"the README gives the {edition} hand-out command once, on one line"
    assert found[0][found[0].index("--output-dir") + 1] == out_dir, found[0]
    return found[0]


def test_both_readmes_give_the_same_two_hand_out_commands():
    assert len(readme_commands()) == 2
    assert readme_commands("README.ko.md") == readme_commands()


def solution_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if "solution" in c.get("metadata", {}).get("tags", [])]


def edition_notebooks(edition: str) -> list[Path]:
    return sorted(ROOT.glob(EDITIONS[edition][0]))


@pytest.mark.parametrize("path", [*edition_notebooks("en"), *edition_notebooks("ko")],
                         ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_every_solution_sits_in_a_tagged_cell(path):
    nb = json.loads(path.read_text())
    solutions = solution_cells(nb)
    assert solutions, "exercises need solutions, in cells tagged 'solution'"
    summary = EDITIONS["ko" if path.parent.name == "ko" else "en"][3]
    for cell in nb["cells"]:
        if cell not in solutions:
            assert summary not in "".join(cell["source"]), (
                "a solution is in a cell without the 'solution' tag")


@pytest.mark.parametrize("edition", EDITIONS)
def test_hand_out_copies_hold_no_solution_and_are_valid(tmp_path, edition):
    command, notebooks = readme_command(edition), edition_notebooks(edition)
    assert notebooks, f"no notebooks match {EDITIONS[edition][0]}"
    out_dir = tmp_path / "hand-out"
    command[command.index("--output-dir") + 1] = str(out_dir)
    command = [sys.executable, "-m", "jupyter", *command[1:-1], *map(str, notebooks)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    _, _, takeaways, summary = EDITIONS[edition]
    for path in notebooks:
        original = json.loads(path.read_text())
        copy = nbformat.read(out_dir / path.name, as_version=4)
        nbformat.validate(copy)
        text = (out_dir / path.name).read_text()
        kept = [c for c in original["cells"] if c not in solution_cells(original)]
        assert len(copy.cells) == len(kept), path.name
        assert not solution_cells(copy) and summary not in text, path.name
        for cell in solution_cells(original):
            source = "".join(cell["source"]).strip()
            assert json.dumps(source, ensure_ascii=False)[1:-1] not in text, (
                f"{path.name}: solution text left in")
        assert any(takeaways in "".join(c.source) for c in copy.cells), path.name
