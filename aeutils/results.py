"""Record each notebook's headline numbers as JSON and rebuild the README's results table.

``record`` writes ``results/<notebook>.json`` in the full profile and
``results/smoke/<notebook>.json`` in the smoke profile (ignored by git), so a quick test run never
overwrites the committed numbers.
``python -m aeutils.results`` rewrites the table between the results markers of ``README.md``
and of the Korean ``README.ko.md`` (the same table in both, so the two cannot disagree).
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Sequence
from pathlib import Path

from aeutils.config import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(os.environ.get("AEUTILS_RESULTS_DIR", REPO_ROOT / "results"))
TABLE_START = "<!-- results:start -->"
TABLE_END = "<!-- results:end -->"


def metric(
    name: str,
    value: float,
    unit: str = "",
    paper_value: float | None = None,
    paper: str = "",
    better: str | None = "lower",
    digits: int | None = None,
) -> dict:
    """One headline number, with the paper's value and citation when there is one to compare to.

    Args:
        name: what was measured, as the README's table shows it.
        value: the measured number (finite).
        unit: appended to the value in the table, e.g. ``"%"`` or ``"dB"``.
        paper_value: the published number, if there is one.
        paper: the citation of ``paper_value``.
        better: ``"lower"`` or ``"higher"`` when one direction is better, ``None`` for a number
            that is only descriptive (e.g. a measured mean activation next to its target).
        digits: decimals to show in the table (0 for a count); the table's default when omitted.

    Returns:
        The metric as a JSON-ready dict.
    """
    if not math.isfinite(float(value)):
        raise ValueError(f"metric {name!r} has a non-finite value {value!r}; fix the run first")
    if better not in ("lower", "higher", None):
        raise ValueError(f"better must be 'lower', 'higher' or None, got {better!r}")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                               or digits < 0):
        raise ValueError(f"digits must be a non-negative integer or None, got {digits!r}")
    entry = {"name": name, "value": float(value), "unit": unit, "paper_value": paper_value,
             "paper": paper, "better": better}
    return entry if digits is None else {**entry, "digits": digits}


def record(settings: Settings, metrics: Sequence[dict], results_dir: Path | None = None) -> Path:
    """Write the notebook's metrics, profile and runtime to JSON; return the file's path."""
    if not metrics:
        raise ValueError("record needs at least one metric")
    base = Path(results_dir or RESULTS_DIR)
    folder = base if settings.profile == "full" else base / settings.profile
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "notebook": settings.notebook,
        "profile": settings.profile,
        "seed": settings.seed,
        "runtime_s": round(settings.elapsed(), 1),
        "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}",
        "metrics": list(metrics),
    }
    path = folder / f"{settings.notebook}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def _format(value: float | None, digits: int | None = None) -> str:
    if value is None:
        return "—"
    if digits is not None:
        return f"{value:.{digits}f}"
    if float(value).is_integer() and abs(value) >= 100:  # a count, e.g. of components
        return f"{int(value)}"
    # 0.99999 is "1.00", not "1": the two-decimal form from where it rounds to 1.00
    return f"{value:.2f}" if round(abs(value), 2) >= 1 else f"{value:.3g}"


def render_table(results_dir: Path | None = None) -> str:
    """Markdown table of every full-profile result: ours beside the paper's, with runtimes."""
    base = Path(results_dir or RESULTS_DIR)
    rows = [
        "| notebook | metric | this course (full profile) | paper | source "
        "| runtime full / smoke |",
        "|---|---|---|---|---|---|",
    ]
    for path in sorted(base.glob("*.json")):
        result = json.loads(path.read_text())
        if result.get("profile") != "full":
            raise ValueError(
                f"{path} holds a {result.get('profile')!r} run; the table takes full runs only"
            )
        smoke_path = base / "smoke" / path.name
        smoke = json.loads(smoke_path.read_text())["runtime_s"] if smoke_path.exists() else None
        runtime = f"{result['runtime_s'] / 60:.1f} min / " + (
            f"{smoke / 60:.1f} min" if smoke is not None else "—")
        for i, m in enumerate(result["metrics"]):
            unit = f" {m['unit']}" if m["unit"] else ""
            first = i == 0
            rows.append(
                f"| {result['notebook'] if first else ''} | {m['name']} | "
                f"{_format(m['value'], m.get('digits'))}{unit} | {_format(m['paper_value'])} | "
                f"{m['paper'] or '—'} | {runtime if first else ''} |"
            )
    return "\n".join(rows)


def update_readme(readme: Path | None = None, results_dir: Path | None = None) -> str:
    """Replace the text between the README's results markers with :func:`render_table`."""
    readme = Path(readme or REPO_ROOT / "README.md")
    text = readme.read_text()
    if text.count(TABLE_START) != 1 or text.count(TABLE_END) != 1:
        raise ValueError(f"{readme} must contain {TABLE_START} and {TABLE_END} exactly once each")
    head, rest = text.split(TABLE_START)
    _, tail = rest.split(TABLE_END)
    new_text = f"{head}{TABLE_START}\n{render_table(results_dir)}\n{TABLE_END}{tail}"
    readme.write_text(new_text)
    return new_text


if __name__ == "__main__":
    for name in ("README.md", "README.ko.md"):
        if (REPO_ROOT / name).exists():
            update_readme(REPO_ROOT / name)
            print(f"Updated the results table in {REPO_ROOT / name}")
