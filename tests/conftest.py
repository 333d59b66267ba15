"""Test-suite setup: a workaround that only acts inside `mutmut run` (mutation testing).

mutmut 3.8.1 replaces every mutated function with a ``(*args, **kwargs)`` trampoline made with
``functools.wraps``. Keras builds a layer's default config from
``inspect.getfullargspec(cls.__init__)``, which ignores ``__wrapped__`` and so fails on a
trampolined ``__init__`` (IndexError in ``Operation.__new__``). ``getfullargspec`` does honour
``__signature__``, so trampolined ``__init__`` methods get the signature of the method they stand
for, as earlier mutmut releases did. Only ``__init__``: Keras re-wraps ``build`` with
``functools.wraps``, which would copy an unbound ``__signature__`` (with ``self``) onto the bound
method, and ``inspect.signature`` already follows ``__wrapped__`` for every other method. Outside
mutmut (no ``MUTANT_UNDER_TEST``) nothing happens.
"""

import inspect
import os

import pytest

if "MUTANT_UNDER_TEST" in os.environ:
    from mutmut.mutation import trampoline

    _wrap_in_trampoline = trampoline.wrap_in_trampoline

    def _wrap_keeping_the_signature(mutants_dict, is_classmethod=False):
        wrap = _wrap_in_trampoline(mutants_dict, is_classmethod)

        def decorate(function):
            wrapper = wrap(function)
            if function.__name__ == "__init__":
                wrapper.__signature__ = inspect.signature(function)
            return wrapper

        return decorate

    trampoline.wrap_in_trampoline = _wrap_keeping_the_signature


@pytest.fixture(autouse=True)
def _notebook_seeds_only(monkeypatch):
    """Unit tests check the seeds they pass: ``AEUTILS_SEED`` set in a shell must not leak in."""
    monkeypatch.delenv("AEUTILS_SEED", raising=False)
