"""The package's public surface: every module its docstring names is imported and exported."""

from pathlib import Path

import aeutils

# ``results`` is imported on demand so that ``python -m aeutils.results`` runs it fresh.
NOT_IMPORTED = {"__init__", "results"}


def test_every_module_is_imported_and_listed_in_all():
    modules = {p.stem for p in Path(aeutils.__file__).parent.glob("*.py")} - NOT_IMPORTED
    assert modules <= set(aeutils.__all__), modules - set(aeutils.__all__)
    for name in modules:
        assert getattr(aeutils, name).__name__ == f"aeutils.{name}"
        assert f"``{name}``" in aeutils.__doc__, f"the package docstring does not name {name}"
