"""Test-run environment, set before anything (and any notebook kernel, which inherits it) starts.

The README's test command runs the notebooks in the quick ``smoke`` profile unless
``AEUTILS_PROFILE`` is already set, and TensorFlow stays quiet. (No ``MPLBACKEND`` here: the
kernels must keep Jupyter's inline backend so figures are displayed and compared.)
"""

import os

os.environ.setdefault("AEUTILS_PROFILE", "smoke")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

# pytest-xdist runs two test files (notebooks) at once, one per worker (pyproject's addopts). Each
# kernel then has about one core, and NumPy's BLAS and scikit-learn's OpenMP thread pools, sized for
# the whole machine, slow each other down: measured here, a bootstrap cell in notebook 03 took 22 s
# instead of 2 s. One such thread per kernel avoids that; TensorFlow keeps its own pool.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")

# The Korean edition (notebooks/ko/) runs exactly the English notebooks' code, copied by
# tools/build_korean.py; nbval re-executes the English ones only, and
# tests/test_korean_edition.py checks that each Korean notebook is its English one re-worded.
collect_ignore = ["notebooks/ko"]
