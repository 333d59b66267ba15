"""Run profiles (smoke vs full), per-notebook budgets, and the one-call notebook setup.

``AEUTILS_PROFILE=smoke`` is what CI runs (small subsets, few epochs, minutes on 2 CPU cores);
``full`` (the default) is the real experiment whose outputs are committed. Every epoch count and
subset size a notebook uses lives in :data:`BUDGETS`, so the two profiles differ in one place only.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import keras
import numpy as np
import tensorflow as tf

PROFILES = ("smoke", "full")
DEFAULT_PROFILE = "full"

# Budgets per notebook and profile: subset sizes and epoch counts. Keys must match across profiles.
BUDGETS: dict[str, dict[str, dict[str, int]]] = {
    "01_pca_vs_autoencoder": {
        "smoke": {
            "n_train": 4000,
            "linear_epochs": 5,
            "deep_epochs": 1,
            "code2_epochs": 1,
            "code2_seeds": 1,
            "toy_epochs": 12,
            "overcomplete_epochs": 1,
            "compare_epochs": 1,
            "anomaly_classes": 1,
            "anomaly_epochs": 1,
        },
        "full": {
            "n_train": 55000,
            "linear_epochs": 10,
            "deep_epochs": 20,
            "code2_epochs": 8,
            "code2_seeds": 3,
            "toy_epochs": 80,
            "overcomplete_epochs": 3,
            "compare_epochs": 4,
            "anomaly_classes": 10,
            "anomaly_epochs": 3,
        },
    },
    "02_sparse_autoencoder": {
        "smoke": {"n_train": 3000, "epochs": 14, "wide_epochs": 4, "classifier_epochs": 3,
                  "n_seeds": 1},
        "full": {"n_train": 10000, "epochs": 60, "wide_epochs": 30, "classifier_epochs": 30,
                 "n_seeds": 3},
    },
    "03_denoising_autoencoder": {
        "smoke": {"n_train": 1000, "n_test": 1000, "batch_size": 64, "dense_epochs": 1,
                  "conv_epochs": 1, "toy_epochs": 1, "filter_epochs": 1, "n_val": 500,
                  "probe_epochs": 3, "n_seeds": 1},
        "full": {"n_train": 20000, "n_test": 10000, "batch_size": 128, "dense_epochs": 10,
                 "conv_epochs": 8, "toy_epochs": 40, "filter_epochs": 10, "n_val": 5000,
                 "probe_epochs": 300, "n_seeds": 3},
    },
    "04_stacked_autoencoder": {
        "smoke": {"n_train": 4000, "sgd_epochs": 1, "pretrain_epochs": 2, "finetune_epochs": 1,
                  "random_epochs": 1, "tiny_rbm_epochs": 60, "few_label_epochs": 1,
                  "label_draws": 2, "n_test": 2000, "tiny_rbm_seeds": 2, "cdk_seeds": 2},
        "full": {"n_train": 55000, "sgd_epochs": 5, "pretrain_epochs": 20, "finetune_epochs": 20,
                 "random_epochs": 45, "tiny_rbm_epochs": 300, "few_label_epochs": 50,
                 "label_draws": 3, "n_test": 10000, "tiny_rbm_seeds": 20, "cdk_seeds": 5},
    },
    "05_contractive_autoencoder": {
        "smoke": {"n_train": 3000, "ae_epochs": 3, "finetune_epochs": 1, "n_autodiff": 3,
                  "n_spectrum": 2, "n_moved": 200, "n_timed": 8, "n_scored": 1000},
        "full": {"n_train": 55000, "ae_epochs": 10, "finetune_epochs": 20, "n_autodiff": 200,
                 "n_spectrum": 50, "n_moved": 1000, "n_timed": 256, "n_scored": 10000},
    },
    "06_variational_autoencoder": {
        "smoke": {"n_train": 3000, "vae_epochs": 1, "n_is_test": 200, "big_k": 200,
                  "ctrl_n_train": 300, "ctrl_epochs": 1, "ctrl_seeds": 1, "ctrl_n_test": 100,
                  "ctrl_k": 10, "latent2_epochs": 1, "beta_n_train": 800, "beta_epochs": 1},
        "full": {"n_train": 55000, "vae_epochs": 22, "n_is_test": 10000, "big_k": 1000,
                 "ctrl_n_train": 8000, "ctrl_epochs": 5, "ctrl_seeds": 3, "ctrl_n_test": 1000,
                 "ctrl_k": 200, "latent2_epochs": 6, "beta_n_train": 10000, "beta_epochs": 8},
    },
    "07_semi_supervised": {
        "smoke": {"n_pool": 4000, "n_test": 1000, "n_seeds": 1, "n_budgets": 2,
                  "dae_epochs": 1, "vae_epochs": 1, "stack_epochs": 1,
                  "rows_per_epoch": 128, "epochs": 1, "n_val": 1000, "spread_iters": 30,
                  "n_tsne": 300},
        "full": {"n_pool": 60000, "n_test": 10000, "n_seeds": 3, "n_budgets": 4,
                 "dae_epochs": 10, "vae_epochs": 15, "stack_epochs": 4,
                 "rows_per_epoch": 6400, "epochs": 8, "n_val": 10000, "spread_iters": 100,
                 "n_tsne": 2500},
    },
}


def get_profile() -> str:
    """Return the active profile from ``AEUTILS_PROFILE`` (default ``"full"``), validated.

    Returns:
        ``"smoke"`` or ``"full"``.
    """
    profile = os.environ.get("AEUTILS_PROFILE", DEFAULT_PROFILE).strip().lower()
    if profile not in PROFILES:
        raise ValueError(
            f"AEUTILS_PROFILE={os.environ.get('AEUTILS_PROFILE')!r} is not a profile; "
            f"use one of {', '.join(PROFILES)} (smoke: quick CI run, full: the real experiment)."
        )
    return profile


def get_budget(notebook: str, profile: str | None = None) -> Mapping[str, int]:
    """Return the read-only budget (epochs, subset sizes) of ``notebook`` under ``profile``.

    Args:
        notebook: a key of :data:`BUDGETS`.
        profile: ``"smoke"`` or ``"full"``; the active profile when omitted.

    Returns:
        A read-only mapping from budget name to value.
    """
    if notebook not in BUDGETS:
        raise KeyError(
            f"No budget for notebook {notebook!r}; known notebooks: {', '.join(sorted(BUDGETS))}. "
            "Add its smoke and full budgets to aeutils.config.BUDGETS."
        )
    profile = get_profile() if profile is None else profile
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    return MappingProxyType(dict(BUDGETS[notebook][profile]))


@dataclass(frozen=True)
class Settings:
    """What :func:`setup` decided for a notebook run; ``settings["deep_epochs"]`` reads a budget."""

    notebook: str
    profile: str
    seed: int
    budget: Mapping[str, int]
    started: float = field(default_factory=time.perf_counter)

    def __getitem__(self, key: str) -> int:
        return self.budget[key]

    def elapsed(self) -> float:
        """Seconds since :func:`setup` was called (the notebook's measured runtime)."""
        return time.perf_counter() - self.started

    def reseed(self) -> None:
        """Seed Python, NumPy and Keras again with the notebook's seed.

        Called at the top of a cell that builds or trains a model, it makes that cell reproduce its
        stored numbers when it is re-run on its own, whatever ran before it.
        """
        seed_everything(self.seed)


def get_seed(default: int) -> int:
    """Return the run's seed: ``AEUTILS_SEED`` when it is set, else the notebook's own ``default``.

    The variable lets anyone re-run a notebook with another seed (``AEUTILS_SEED=55 jupyter lab``,
    or with nbconvert) to see that its checks hold beyond the committed run.

    Args:
        default: the notebook's seed, used when ``AEUTILS_SEED`` is unset or empty.

    Returns:
        A non-negative integer.

    Raises:
        ValueError: if ``AEUTILS_SEED`` is not a non-negative integer.
    """
    raw = os.environ.get("AEUTILS_SEED", "").strip()
    if not raw:
        return default
    if not raw.isdecimal():  # digits only: no sign, point or exponent
        raise ValueError(
            f"AEUTILS_SEED={raw!r} is not a non-negative integer; set it to one (e.g. 55), or "
            f"unset it to use the notebook's own seed ({default})."
        )
    return int(raw)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow/Keras at once, and make TF ops deterministic.

    Args:
        seed: a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(int(seed))
    keras.utils.set_random_seed(int(seed))  # also seeds Python's random and NumPy's global RNG
    tf.config.experimental.enable_op_determinism()


def set_threads(threads: int | None = None) -> int:
    """Use ``threads`` CPU threads for TensorFlow's ops (default: every core).

    TensorFlow fixes its thread pools at the first op; after that the call keeps what is set.

    Args:
        threads: intra-op threads; inter-op gets min(2, threads). Every core when omitted.

    Returns:
        The number of intra-op threads in force.
    """
    if threads is None:
        threads = os.cpu_count() or 1
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(min(2, threads))
    except RuntimeError:  # runtime already initialised: the pools cannot change any more
        return tf.config.threading.get_intra_op_parallelism_threads() or threads
    return threads


def setup(notebook: str, seed: int = 42, threads: int | None = None) -> Settings:
    """Seed everything, set threads, pick the profile's budget, start the clock; print one line.

    Args:
        notebook: the notebook's key in :data:`BUDGETS`, e.g. ``"01_pca_vs_autoencoder"``.
        seed: the notebook's one seed; the environment variable ``AEUTILS_SEED`` overrides it
            (see :func:`get_seed`), and the printed line then names both.
        threads: CPU threads for TensorFlow (every core when omitted).

    Returns:
        The run's :class:`Settings`; ``settings["deep_epochs"]`` reads the budget.

    Raises:
        RuntimeError: if Keras runs on another backend than TensorFlow (the course is measured
            and tested on TensorFlow only).
        ValueError: if ``AEUTILS_SEED`` is set to anything but a non-negative integer.
    """
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"Keras is running on the {keras.backend.backend()!r} backend, but this course needs "
            "TensorFlow. Set KERAS_BACKEND=tensorflow before starting Python (or Jupyter), or "
            "import aeutils before keras, then restart the kernel."
        )
    profile = get_profile()
    budget = get_budget(notebook, profile)
    run_seed = get_seed(seed)
    seed_everything(run_seed)
    n_threads = set_threads(threads)
    seed_note = "" if run_seed == seed else f" (AEUTILS_SEED; the notebook's own: {seed})"
    print(
        f"{notebook} | profile: {profile} | seed: {run_seed}{seed_note} | Keras "
        f"{keras.__version__} on {keras.backend.backend()} {tf.__version__} | "
        f"{n_threads} CPU threads"
    )
    return Settings(notebook=notebook, profile=profile, seed=run_seed, budget=budget)
