"""Checks of the committed notebooks themselves (nbval re-runs them; this checks what is stored)."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb files"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_from_a_clean_full_profile_run(path):
    cells = code_cells(path)
    counts = [c["execution_count"] for c in cells if c["source"]]
    assert counts == list(range(1, len(counts) + 1)), "run Restart & Run All before committing"
    setup_output = "".join("".join(o.get("text", "")) for o in cells[0]["outputs"])
    assert "profile: full" in setup_output, "commit outputs of a full-profile run"
    for i, cell in enumerate(cells):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"code cell {i} stored an error"
            assert output.get("name") != "stderr", f"code cell {i} stored stderr (log noise)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_full_profile_results_are_committed(path):
    result = json.loads((ROOT / "results" / f"{path.stem}.json").read_text())
    assert result["profile"] == "full" and result["notebook"] == path.stem
    assert result["metrics"], "a notebook must record its headline metrics"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_imports_aeutils_before_keras(path):
    source = "".join(code_cells(path)[0]["source"])
    assert source.index("import aeutils") < source.index("import keras")
