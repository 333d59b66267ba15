"""Checks of the committed notebooks themselves (nbval re-runs them; this checks what is stored)."""

import json
import re
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


# Outputs that nbval compares must be the same on every CPU. Round-off is not: the last bits of a
# float depend on the vector instructions and the BLAS kernel a machine picks (an AMD EPYC machine
# printed 1.7e-16 where the committed run had 2.2e-16). A compared cell prints a bound ("agree to
# < 1e-12") or a value rounded far above round-off; a measurement cell carries nbval-ignore-output.
ROUND_OFF_PATTERNS = {
    # a tiny number in scientific notation that is not a bound: 2.2e-16, -7.7e-53, 4.8e-12
    "a difference at round-off level (print a bound such as '< 1e-12')":
        r"(?<![<≤]\s)(?<![<≤])(?<![\d.eE+-])[-+]?\d(?:\.\d+)?[eE]-(?:0*9|0*[1-9]\d+)\b",
    # a difference that happens to be exactly zero on this machine: 0.0e+00
    "an exact zero in scientific notation (zero here, round-off elsewhere)":
        r"(?<![\d.])[-+]?0(?:\.0+)?[eE][-+]?\d+\b",
    # a float with more than six significant digits: its last digits are round-off
    "a float printed to more than six significant digits":
        r"(?<![\d.])[-+]?\d+\.\d+(?:[eE][-+]?\d+)?(?![\d.])",
    # an object's memory address: <History at 0x7f3a…>
    "a memory address": r"\b0x[0-9a-fA-F]{6,}\b",
}


def significant_digits(number: str) -> int:
    mantissa = re.split(r"[eE]", number.lstrip("+-"))[0].replace(".", "").lstrip("0")
    return len(mantissa)


def round_off_findings(text: str) -> list[str]:
    """Name each pattern of ``text`` that would differ between CPUs (empty: none)."""
    found = []
    for why, pattern in ROUND_OFF_PATTERNS.items():
        for match in re.finditer(pattern, text):
            if why.startswith("a float printed") and significant_digits(match.group()) <= 6:
                continue
            found.append(f"{match.group()!r}: {why}")
    return found


def compared_text(cell):
    tags = cell_tags(cell)
    if "nbval-ignore-output" in tags or "nbval-skip" in tags:
        return ""
    return "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                   for o in cell["outputs"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_compared_outputs_hold_no_round_off(path):
    problems = [f"code cell {i} (nbval's numbering): {finding}"
                for i, cell in enumerate(code_cells(path))
                for finding in round_off_findings(compared_text(cell))]
    assert not problems, "outputs that nbval compares vary by machine:\n" + "\n".join(problems)


@pytest.mark.parametrize("text", [
    "step 1: max |h − σ(a)| = 2.2e-16", "both right: -7.7e-53 nats", "diff 1.0E-09",
    "max |autodiff − closed form| = 0.0e+00", "autodiff 8.218213e-03", "loss 0.05237514",
    "error 14.207134", "<keras.src.callbacks.history.History at 0x7f3a2c1b5d90>",
])
def test_round_off_guard_flags_machine_dependent_output(text):
    assert round_off_findings(text), text


@pytest.mark.parametrize("text", [
    "closed form and autodiff agree to < 1e-12", "relative difference ≤ 1e-10", "8.1e-01",
    "PCA-30 training error 14.2071", "+3.0e-05", "Total params: 1,569,784 (5.99 MB)",
    "λ_27 … λ_33: [0.428 0.415 0.393]", "max 1.00", "seed: 42 | Keras 3.15.1 on tensorflow 2.21.0",
])
def test_round_off_guard_passes_stable_output(text):
    assert not round_off_findings(text), round_off_findings(text)


# Teaching cells and check cells (DEVELOPERS.md). A teaching cell is what a student reads: at most
# 25 non-blank lines and no assert. The asserts that back the prose sit in the collapsed `check`
# cell right after the code cell they check (or after "Key takeaways"), and print nothing.
# Markdown cells stay within 30 lines.
# Binding for the notebooks below; the others adopt it as their evidence issues are done.
def convention_findings(cells: list[dict]) -> list[str]:
    """Name every cell of a notebook that breaks the teaching/check convention (empty: none)."""
    found = []
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        lines = len([line for line in source.splitlines() if line.strip()])
        tags = cell_tags(cell)
        if cell["cell_type"] == "markdown":
            if lines > 30:
                found.append(f"cell {i}: a markdown cell of {lines} lines (at most 30)")
            continue
        if "check" in tags:
            if not cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
                found.append(f"cell {i}: a check cell must be collapsed (jupyter.source_hidden)")
            if "print(" in source or cell.get("outputs"):
                found.append(f"cell {i}: a check cell prints nothing")
            if not re.search(r"^\s*assert\b", source, re.M):
                found.append(f"cell {i}: a check cell without an assert")
            previous = cells[i - 1] if i else {"cell_type": "none", "source": ""}
            takeaways = "".join(previous["source"]).startswith("## Key takeaways")
            if previous["cell_type"] != "code" and not takeaways:
                found.append(f"cell {i}: a check cell follows the code cell (or the takeaways) "
                             "it checks")
        elif "solution" not in tags:
            if re.search(r"^\s*assert\b", source, re.M):
                found.append(f"cell {i}: an assert in a teaching cell (move it to a check cell)")
            if lines > 25:
                found.append(f"cell {i}: a teaching cell of {lines} lines (at most 25)")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_teaching_cells_and_check_cells(path):
    found = convention_findings(json.loads(path.read_text())["cells"])
    assert not found, "\n".join(found)


def test_convention_names_every_kind_of_breach():
    def cell(kind, source, tags=(), hidden=False, outputs=()):
        metadata = {"tags": list(tags)} | ({"jupyter": {"source_hidden": True}} if hidden else {})
        return {"cell_type": kind, "source": source, "metadata": metadata, "outputs": list(outputs)}

    good = [cell("code", "x = 1\nprint(x)"), cell("code", "assert x == 1", ["check"], True),
            cell("markdown", "text\n" * 30), cell("code", "assert x", ["solution"]),
            cell("markdown", "## Key takeaways\n- x is 1"),
            cell("code", "assert x", ["check"], True)]
    assert convention_findings(good) == []
    bad = [cell("markdown", "text\n" * 31), cell("code", "assert x == 1", ["check"]),
           cell("code", "x = 1\nassert x"), cell("code", "y = 2\n" * 26),
           cell("code", "print(x)\nassert x", ["check"], True),
           cell("code", "x = 3", ["check"], True)]
    found = "\n".join(convention_findings(bad))
    for breach in ("markdown cell of 31", "cell 1: a check cell must be collapsed",
                   "cell 1: a check cell follows", "cell 2: an assert in a teaching cell",
                   "cell 3: a teaching cell of 26 lines", "cell 4: a check cell prints nothing",
                   "cell 5: a check cell without an assert"):
        assert breach in found, (breach, found)
