import json
import math

import pytest

from aeutils import results
from aeutils.config import Settings


def settings(profile):
    return Settings(notebook="01_demo", profile=profile, seed=1, budget={})


def test_record_writes_full_results_beside_smoke_ones(tmp_path):
    m = [results.metric("error", 2.5, "per image", 3.0, "Hinton & Salakhutdinov 2006")]
    full = results.record(settings("full"), m, tmp_path)
    smoke = results.record(settings("smoke"), m, tmp_path)
    assert full == tmp_path / "01_demo.json" and smoke == tmp_path / "smoke" / "01_demo.json"
    payload = json.loads(full.read_text())
    assert payload["profile"] == "full" and payload["metrics"][0]["value"] == 2.5
    assert payload["runtime_s"] >= 0


def test_metric_rejects_non_finite_values_and_bad_direction():
    with pytest.raises(ValueError, match="non-finite"):
        results.metric("error", math.nan)
    with pytest.raises(ValueError, match="better"):
        results.metric("error", 1.0, better="smaller")
    assert results.metric("mean activation", 0.11, better=None)["better"] is None
    with pytest.raises(ValueError, match="at least one"):
        results.record(settings("full"), [])


def test_table_shows_ours_beside_the_paper_and_both_runtimes(tmp_path):
    m = [results.metric("error", 2.5, "per image", 3.0, "H&S 2006"), results.metric("angle", 1.0)]
    results.record(settings("full"), m, tmp_path)
    results.record(settings("smoke"), m, tmp_path)
    table = results.render_table(tmp_path).splitlines()
    assert len(table) == 4
    assert "| 01_demo | error | 2.50 per image | 3.00 | H&S 2006 |" in table[2]
    assert "min / 0.0 min |" in table[2] and table[3] == "|  | angle | 1.00 | — | — |  |"


def test_small_values_keep_three_significant_digits():
    assert results._format(0.1274) == "0.127" and results._format(13.866) == "13.87"
    assert results._format(None) == "—"
    assert results._format(125.0) == "125" and results._format(100.5) == "100.50"


def test_table_refuses_a_smoke_run_among_full_ones(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"profile": "smoke", "metrics": []}))
    with pytest.raises(ValueError, match="full"):
        results.render_table(tmp_path)


def test_update_readme_replaces_only_the_marked_block(tmp_path):
    results.record(settings("full"), [results.metric("error", 2.5)], tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{results.TABLE_START}\nold\n{results.TABLE_END}\noutro\n")
    text = results.update_readme(readme, tmp_path)
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old" not in text
    assert "| 01_demo | error | 2.50 |" in readme.read_text()
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="exactly once"):
        results.update_readme(readme, tmp_path)
