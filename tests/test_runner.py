"""The README's test command runs test files on two pytest-xdist workers: the settings behind it.

nbval runs a notebook's cells in one kernel, in order, so a worker must receive whole files; and two
kernels on a small machine must not fight over BLAS and OpenMP threads (``conftest.py``).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def test_workers_receive_whole_files_and_xdist_is_installed_by_the_requirements(pytestconfig):
    options = pytestconfig.getini("addopts")  # pyproject.toml's, as pytest read them
    assert "--nbval" in options and "-n" in options
    dist = options[options.index("--dist") + 1] if "--dist" in options else None
    assert dist in {"loadscope", "loadfile"}, (
        f"--dist is {dist}: without loadscope (or loadfile) one notebook's cells are split between "
        "workers, each with its own kernel")
    pins = (ROOT / "requirements.txt").read_text().split()
    assert any(pin.startswith("pytest-xdist==") for pin in pins), "requirements.txt must pin xdist"


def conftest_environment(worker: str | None) -> dict[str, str | None]:
    """The thread variables that ``conftest.py`` leaves for kernels, run in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items()
           if k not in THREAD_VARIABLES and k != "PYTEST_XDIST_WORKER"}
    if worker is not None:
        env["PYTEST_XDIST_WORKER"] = worker
    code = ("import json, os, runpy; runpy.run_path('conftest.py'); "
            f"print(json.dumps([os.environ.get(v) for v in {THREAD_VARIABLES!r}]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    return dict(zip(THREAD_VARIABLES, json.loads(out), strict=True))


def test_kernels_started_by_a_worker_get_one_blas_thread_and_a_serial_run_keeps_the_default():
    assert set(conftest_environment("gw0").values()) == {"1"}
    assert set(conftest_environment(None).values()) == {None}
