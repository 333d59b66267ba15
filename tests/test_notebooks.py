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


def cell_tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbval_markers_are_tags_and_lint_exceptions_live_in_pyproject(path):
    for i, cell in enumerate(code_cells(path)):
        source = "".join(cell["source"])
        assert "NBVAL_" not in source, f"code cell {i}: use the cell tag nbval-ignore-output"
        assert "# noqa" not in source, f"code cell {i}: put lint exceptions in pyproject.toml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_training_cells_reseed_show_progress_and_skip_output_comparison(path):
    trains = ("train_autoencoder(", "fine_tune_classifier(", "train_vae(", ".fit(")
    for i, cell in enumerate(code_cells(path)):
        source = "".join(cell["source"])
        if not any(call in source for call in trains) or source.lstrip().startswith("def "):
            continue
        assert "nbval-ignore-output" in cell_tags(cell), f"code cell {i} trains: tag its output"
        assert "cfg.reseed()" in source, f"code cell {i} trains: seed it with cfg.reseed()"
        assert "verbose=1" not in source, f"code cell {i}: progress bars store control characters"
        assert "validation_data=(x_test" not in source, f"code cell {i} validates on test images"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_key_takeaways_come_just_before_the_exercises(path):
    cells = json.loads(path.read_text())["cells"]
    headings = [("".join(c["source"]).splitlines() or [""])[0] for c in cells
                if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")]
    takeaways = [i for i, h in enumerate(headings) if "Key takeaways" in h]
    exercises = [i for i, h in enumerate(headings) if "Exercises" in h]
    assert len(takeaways) == 1 and len(exercises) == 1, headings
    assert exercises[0] == takeaways[0] + 1, "Key takeaways is the section before the exercises"
