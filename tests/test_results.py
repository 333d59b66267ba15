import json
import math
import time

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


def write_result(folder, name, profile, runtime_s, metrics):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(
        {"notebook": name, "profile": profile, "runtime_s": runtime_s, "metrics": metrics}))


def test_table_rows_by_hand(tmp_path):
    write_result(tmp_path, "b_second", "full", 90.0, [
        {"name": "acc", "value": 0.98765, "unit": "%", "paper_value": None, "paper": "",
         "better": "higher"}])
    write_result(tmp_path, "a_first", "full", 600.0, [
        {"name": "error", "value": 1.0, "unit": "", "paper_value": 0.5, "paper": "P 2006",
         "better": "lower"},
        {"name": "angle", "value": -1.5, "unit": "°", "paper_value": 13.866, "paper": "",
         "better": None}])
    write_result(tmp_path / "smoke", "a_first", "smoke", 600.0, [])  # 10.0 min (9.8 if / 61)
    assert results.render_table(tmp_path) == "\n".join([
        "| notebook | metric | this course (full profile) | paper | source "
        "| runtime full / smoke |",
        "|---|---|---|---|---|---|",
        "| a_first | error | 1.00 | 0.5 | P 2006 | 10.0 min / 10.0 min |",
        "|  | angle | -1.50 ° | 13.87 | — |  |",
        "| b_second | acc | 0.988 % | — | — | 1.5 min / — |"])


def test_table_takes_its_folder_from_the_module_by_default(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    write_result(tmp_path, "only", "full", 6.0, [
        {"name": "x", "value": 2.0, "unit": "", "paper_value": None, "paper": "", "better": None}])
    assert results.render_table().splitlines()[2] == "| only | x | 2.00 | — | — | 0.1 min / — |"


def test_table_refusal_names_the_file_and_its_profile(tmp_path):
    write_result(tmp_path, "bad", "smoke", 1.0, [])
    with pytest.raises(ValueError) as err:
        results.render_table(tmp_path)
    assert str(err.value) == (f"{tmp_path / 'bad.json'} holds a 'smoke' run; the table takes "
                              "full runs only")


def test_record_writes_the_exact_payload(tmp_path, monkeypatch):
    monkeypatch.setattr(results.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(results.platform, "machine", lambda: "x86_64")
    run = Settings(notebook="02_demo", profile="full", seed=7, budget={},
                   started=time.perf_counter() - 12.345)
    metrics = [results.metric("error", 3)]
    path = results.record(run, metrics, tmp_path / "new" / "folder")  # parents are created
    assert path == tmp_path / "new" / "folder" / "02_demo.json"
    expected = {"notebook": "02_demo", "profile": "full", "seed": 7, "runtime_s": 12.3,
                "machine": "4 CPU cores, x86_64", "metrics": [
                    {"name": "error", "value": 3.0, "unit": "", "paper_value": None, "paper": "",
                     "better": "lower"}]}
    assert path.read_text() == json.dumps(expected, indent=2) + "\n"
    assert path.read_text().startswith('{\n  "notebook": "02_demo",\n')
    assert results.record(run, metrics, tmp_path / "new" / "folder") == path  # may overwrite


def test_record_defaults_to_the_module_folder_and_files_smoke_runs_below_it(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    assert results.record(settings("smoke"), [results.metric("e", 1.0)]) == (
        tmp_path / "smoke" / "01_demo.json")
    assert results.record(settings("full"), [results.metric("e", 1.0)]) == tmp_path / "01_demo.json"


def test_format_switches_to_significant_digits_below_one():
    assert [results._format(v) for v in (1.0, 1.5, -1.5, 0.5, -0.12345, 1234.5678)] == [
        "1.00", "1.50", "-1.50", "0.5", "-0.123", "1234.57"]


def test_metric_digits_fix_the_decimals_shown():
    assert results._format(20.0, 0) == "20" and results._format(3.14159, 3) == "3.142"
    assert results.metric("units", 20, digits=0)["digits"] == 0
    assert "digits" not in results.metric("units", 20)
    for bad in (-1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="^digits must be a non-negative integer"):
            results.metric("units", 20, digits=bad)


def test_the_table_shows_a_count_without_decimals(tmp_path):
    payload = {"notebook": "09_demo", "profile": "full", "runtime_s": 60.0,
               "metrics": [results.metric("active units", 20, digits=0, better=None),
                           results.metric("error", 2.0)]}
    (tmp_path / "09_demo.json").write_text(json.dumps(payload))
    table = results.render_table(tmp_path)
    assert "| active units | 20 |" in table and "| error | 2.00 |" in table


def test_format_keeps_two_decimals_for_values_that_round_to_one():
    assert [results._format(v) for v in (0.99999, -0.996, 0.994)] == ["1.00", "-1.00", "0.994"]


def test_format_shows_counts_from_100_up_without_decimals():
    assert [results._format(v) for v in (100.0, -100.0, 99.0, 100.5, 784)] == [
        "100", "-100", "99.00", "100.50", "784"]


def test_metric_record_and_defaults():
    assert results.metric("x", 1) == {"name": "x", "value": 1.0, "unit": "", "paper_value": None,
                                      "paper": "", "better": "lower"}
    assert results.metric("y", 2.5, "dB", 3.0, "V 2010", "higher")["better"] == "higher"
    for call, message in [
            (lambda: results.metric("error", math.inf), "metric 'error' has a non-finite value "
                                                        "inf; fix the run first"),
            (lambda: results.metric("e", 1.0, better="LOWER"), "better must be 'lower', 'higher' "
                                                               "or None, got 'LOWER'"),
            (lambda: results.record(settings("full"), []), "record needs at least one metric")]:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message


@pytest.mark.parametrize("text", [
    f"{results.TABLE_START}\n{results.TABLE_START}\n{results.TABLE_END}\n",
    f"{results.TABLE_START}\n{results.TABLE_END}\n{results.TABLE_END}\n",
    f"{results.TABLE_START}\n", f"{results.TABLE_END}\n"])
def test_update_readme_needs_each_marker_exactly_once(tmp_path, text):
    readme = tmp_path / "README.md"
    readme.write_text(text)
    with pytest.raises(ValueError) as err:
        results.update_readme(readme, tmp_path)
    assert str(err.value) == (f"{readme} must contain {results.TABLE_START} and "
                              f"{results.TABLE_END} exactly once each")
    assert readme.read_text() == text  # left untouched


def test_update_readme_defaults_to_the_repository_readme(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    (tmp_path / "README.md").write_text(f"a\n{results.TABLE_START}\nx\n{results.TABLE_END}\nb\n")
    text = results.update_readme()
    table = results.render_table(tmp_path)
    assert text == f"a\n{results.TABLE_START}\n{table}\n{results.TABLE_END}\nb\n"
    assert (tmp_path / "README.md").read_text() == text
