"""aeutils: the small helper package behind the autoencoder course notebooks.

Importing it first in a notebook sets the TensorFlow/Keras environment (Keras on the TensorFlow
backend, TensorFlow's C++ log lines silenced) *before* TensorFlow loads, so stored notebook outputs
stay free of log noise. Modules: ``config`` (profiles, seeding), ``data`` (MNIST), ``models``,
``corruption`` (denoising noise), ``regularizers`` (sparsity and contractive penalties),
``layers`` (tied decoder layers), ``rbm`` (restricted Boltzmann machines), ``pretraining`` (greedy
layer-wise pretraining), ``vae`` (variational autoencoders), ``semisupervised`` (label spreading
and classifier heads), ``training``, ``metrics``, ``plotting``, ``results``.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 pointed at /dev/null.

    TensorFlow's CUDA stub and absl print C-level lines to stderr during import that no environment
    variable silences; Jupyter would store them in the notebook. Python-level errors still raise.
    """
    try:
        saved_fd = os.dup(2)
    except OSError:  # no usable stderr (some embedded runners): nothing to silence
        import tensorflow  # noqa: F401

        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        os.close(devnull)


_import_tensorflow_quietly()

import logging  # noqa: E402

import tensorflow as tf  # noqa: E402

# tf.function retracing notices and similar Python-side warnings would land in stored outputs.
tf.get_logger().setLevel(logging.ERROR)

# ``results`` is left to ``from aeutils import results`` so that ``python -m aeutils.results`` runs
# it fresh (importing it here first would make runpy warn).
from aeutils import (  # noqa: E402
    config,
    corruption,
    data,
    layers,
    metrics,
    models,
    plotting,
    pretraining,
    rbm,
    regularizers,
    semisupervised,
    training,
    vae,
)
from aeutils.config import setup  # noqa: E402

__all__ = [
    "config", "corruption", "data", "layers", "metrics", "models", "plotting", "pretraining", "rbm",
    "regularizers", "semisupervised", "training", "vae", "setup",
]
__version__ = "0.1.0"
