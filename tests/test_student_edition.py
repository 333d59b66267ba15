"""The students' hand-out: the README's nbconvert command removes every exercise solution."""

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


def readme_command() -> list[str]:
    """The hand-out command exactly as the README gives it (one line)."""
    lines = [ln.strip() for ln in (ROOT / "README.md").read_text().splitlines()
             if ln.strip().startswith(README_COMMAND_START)]
    assert len(lines) == 1, "the README gives the hand-out command once, on one line"
    return shlex.split(lines[0])


def solution_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if "solution" in c.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_solution_sits_in_a_tagged_cell(path):
    nb = json.loads(path.read_text())
    solutions = solution_cells(nb)
    assert solutions, "exercises need solutions, in cells tagged 'solution'"
    for cell in nb["cells"]:
        if cell not in solutions:
            assert "<summary>Solution" not in "".join(cell["source"]), (
                "a solution is in a cell without the 'solution' tag")


def test_hand_out_copies_hold_no_solution_and_are_valid(tmp_path):
    command = readme_command()
    assert command[-1] == "notebooks/*.ipynb" and "--output-dir" in command
    out_dir = tmp_path / "hand-out"
    command[command.index("--output-dir") + 1] = str(out_dir)
    command = [sys.executable, "-m", "jupyter", *command[1:-1], *map(str, NOTEBOOKS)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    for path in NOTEBOOKS:
        original = json.loads(path.read_text())
        copy = nbformat.read(out_dir / path.name, as_version=4)
        nbformat.validate(copy)
        text = (out_dir / path.name).read_text()
        kept = [c for c in original["cells"] if c not in solution_cells(original)]
        assert len(copy.cells) == len(kept), path.name
        assert not solution_cells(copy) and "<summary>Solution" not in text, path.name
        for cell in solution_cells(original):
            source = "".join(cell["source"]).strip()
            assert json.dumps(source)[1:-1] not in text, f"{path.name}: solution text left in"
        assert any("Key takeaways" in "".join(c.source) for c in copy.cells), path.name
