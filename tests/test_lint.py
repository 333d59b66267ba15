import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_python_sources_are_ruff_clean():
    sources = ["aeutils", "tests", "notebooks", "conftest.py", "tools", "site"]
    command = [sys.executable, "-m", "ruff", "check", *sources]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
