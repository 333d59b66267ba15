"""MNIST from the repository's offline copy, verified, plus few-label subsets and binarization."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_MNIST_PATH = DATA_DIR / "mnist.npz"

# SHA-256 of each array's raw C-order bytes (see data/README.md); the .npz's own hash varies.
MNIST_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
MNIST_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
_RESTORE_HINT = (
    "Restore the repository's copy with `git checkout -- data/mnist.npz`, or delete "
    "data/mnist.npz and call load_mnist() without a path to download MNIST through Keras instead."
)


class MnistFileError(RuntimeError):
    """The MNIST file exists but is unreadable, truncated, or holds data other than MNIST."""


def verify_mnist_arrays(arrays: dict[str, np.ndarray], source: str) -> None:
    """Check the shapes, dtypes and SHA-256 digests of the four MNIST arrays.

    Args:
        arrays: mapping from ``"x_train"``, ``"y_train"``, ``"x_test"`` and ``"y_test"`` to arrays:
            uint8 images of shape (60000, 28, 28) and (10000, 28, 28), uint8 labels of shape
            (60000,) and (10000,). Other entries are ignored.
        source: where the arrays came from (a path, or ``"keras.datasets.mnist"``), named in errors.

    Raises:
        MnistFileError: if an array is missing, has another shape or dtype, or fails its SHA-256
            check (over its raw C-order bytes, see :data:`MNIST_SHA256`).
    """
    for name, expected_shape in MNIST_SHAPES.items():
        if name not in arrays:
            raise MnistFileError(f"{source} has no array {name!r}. {_RESTORE_HINT}")
        array = arrays[name]
        if array.shape != expected_shape or array.dtype != np.uint8:
            raise MnistFileError(
                f"{source}: {name} is {array.dtype}{list(array.shape)}, expected "
                f"uint8{list(expected_shape)}. {_RESTORE_HINT}"
            )
        digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if digest != MNIST_SHA256[name]:
            raise MnistFileError(
                f"{source}: {name} fails its SHA-256 check (the data is not canonical MNIST). "
                f"{_RESTORE_HINT}"
            )


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as err:
        reason = f"{type(err).__name__}: {err}"
    raise MnistFileError(f"Cannot read {path} as an .npz archive ({reason}). {_RESTORE_HINT}")


def _download_with_keras() -> dict[str, np.ndarray]:
    import keras

    print(f"Note: {DEFAULT_MNIST_PATH.name} not found in the repository; loading MNIST via Keras.")
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def load_mnist(
    path: str | Path | None = None,
    *,
    dtype: str = "float32",
    flatten: bool = False,
    n_train: int | None = None,
    n_test: int | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load verified MNIST as ``(x_train, y_train), (x_test, y_test)``.

    With ``path=None`` the repository's ``data/mnist.npz`` is used, falling back to
    ``keras.datasets.mnist.load_data()`` (with a notice) when that file is absent. Every array is
    checked against its published SHA-256 (:func:`verify_mnist_arrays`) before it is returned.

    Args:
        path: a Keras-layout ``mnist.npz``; the repository's ``data/mnist.npz`` when omitted.
        dtype: ``"float32"`` (the default) for pixels in [0, 1] (``x / 255``), or ``"uint8"`` for
            the raw pixels in 0–255.
        flatten: give each image as a 784-vector instead of a 28×28 array.
        n_train: keep the first n training examples, 1 to 60000 (a profile-sized subset; MNIST is
            already shuffled); all of them when omitted.
        n_test: keep the first n test examples, 1 to 10000; all of them when omitted.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images of shape (n, 28, 28), or (n, 784) with
        ``flatten``, in ``dtype``; labels int64 of shape (n,), digits 0–9.

    Raises:
        ValueError: if ``dtype`` is neither ``"float32"`` nor ``"uint8"``, or ``n_train`` or
            ``n_test`` is out of range.
        FileNotFoundError: if ``path`` is given and no file is there.
        MnistFileError: if the file cannot be read as an .npz archive, or its arrays are not
            canonical MNIST.
    """
    if dtype not in ("float32", "uint8"):
        raise ValueError(f"dtype must be 'float32' (pixels in [0, 1]) or 'uint8', got {dtype!r}")
    for name, n, total in (("n_train", n_train, 60000), ("n_test", n_test, 10000)):
        if n is not None and not 1 <= n <= total:
            raise ValueError(f"{name} must be between 1 and {total}, got {n}")

    if path is None and not DEFAULT_MNIST_PATH.exists():
        arrays, source = _download_with_keras(), "keras.datasets.mnist"
    else:
        file = Path(DEFAULT_MNIST_PATH if path is None else path)
        if not file.exists():
            raise FileNotFoundError(
                f"No MNIST file at {file}. Pass the path of a Keras-layout mnist.npz, "
                "or path=None for the repository's data/mnist.npz."
            )
        arrays, source = _read_npz(file), str(file)
    verify_mnist_arrays(arrays, source)

    x_train, y_train = arrays["x_train"][:n_train], arrays["y_train"][:n_train]
    x_test, y_test = arrays["x_test"][:n_test], arrays["y_test"][:n_test]
    if flatten:
        x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    if dtype == "float32":
        x_train, x_test = x_train.astype(np.float32) / 255.0, x_test.astype(np.float32) / 255.0
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def few_label_subset(labels: np.ndarray, n_per_class: int, seed: int = 0) -> np.ndarray:
    """Indices of a stratified subset: ``n_per_class`` examples of every class, drawn with ``seed``.

    Used for the few-label experiments (semi-supervised notebook).

    Args:
        labels: class ids, shape (N,).
        n_per_class: examples to draw from each class: an integer from 1 to the size of the
            smallest class.
        seed: seed of the NumPy generator that draws them.

    Returns:
        Indices into ``labels``, shape (n_per_class · number of classes,), sorted, without repeats.

    Raises:
        ValueError: if ``labels`` is not 1-D, ``n_per_class`` is not an integer of at least 1, or a
            class has fewer than ``n_per_class`` examples.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array of class ids, got shape {labels.shape}")
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, (int, np.integer)):
        raise ValueError(f"n_per_class must be an integer, got {n_per_class!r}")
    if n_per_class < 1:
        raise ValueError(f"n_per_class must be at least 1, got {n_per_class}")
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < n_per_class:
            raise ValueError(
                f"class {label} has only {len(members)} examples, fewer than n_per_class="
                f"{n_per_class}; lower n_per_class or pass more data"
            )
        chosen.append(rng.choice(members, size=n_per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def dynamic_binarize(
    images: np.ndarray, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """Sample binary images with P(pixel = 1) = intensity (fresh each call; for Bernoulli models).

    Args:
        images: intensities in [0, 1], any shape (e.g. (N, 784) or (N, 28, 28)).
        seed: an integer seed, a NumPy ``Generator`` to draw from (it advances), or None for fresh
            OS entropy.

    Returns:
        float32 samples in {0, 1}, with the shape of ``images``.

    Raises:
        ValueError: if an intensity is NaN or lies outside [0, 1] (e.g. uint8 pixels not yet
            divided by 255).
    """
    images = np.asarray(images)
    if images.size and (np.nanmin(images) < 0 or np.nanmax(images) > 1 or np.isnan(images).any()):
        raise ValueError(
            "dynamic_binarize needs intensities in [0, 1] (did you pass uint8 pixels? divide by "
            f"255); got values in [{np.nanmin(images)}, {np.nanmax(images)}]"
        )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return (rng.random(images.shape) < images).astype(np.float32)
