"""Evaluation numbers shared by the notebooks: reconstruction error, subspace angles, PSNR."""

from __future__ import annotations

import numpy as np


def _as_batch(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(len(x), -1)


def squared_error_per_image(x: np.ndarray, x_hat: np.ndarray) -> float:
    """Mean over images of the squared error summed over pixels: (1/N) Σ_n ‖x_n − x̂_n‖².

    This is the unit of Hinton & Salakhutdinov (2006), Table/Fig. 2 (pixels in [0, 1]):
    PCA with 30 components scores 13.87 on the MNIST test set.

    Args:
        x: original images, shape (N, ...) (flat or not), N ≥ 1; pixels in [0, 1] for the paper's
            unit.
        x_hat: reconstructions, the shape of ``x``.

    Returns:
        The mean over the N images of the per-image sum of squared errors, as a float.

    Raises:
        ValueError: if the shapes differ, or ``x`` is not a non-empty batch (N, ...) of at least
            two dimensions.
    """
    x, x_hat = np.asarray(x), np.asarray(x_hat)
    if x.shape != x_hat.shape:
        raise ValueError(f"x and x_hat must have the same shape, got {x.shape} and {x_hat.shape}")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"expected a non-empty batch of images (N, ...), got shape {x.shape}")
    return float(np.mean(np.sum((_as_batch(x) - _as_batch(x_hat)) ** 2, axis=1)))


def principal_angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Principal angles (degrees, ascending) between the column spaces of ``a`` and ``b``.

    With orthonormal bases Q_a, Q_b the cosines are the singular values of Q_aᵀ Q_b (Björck &
    Golub 1973). All angles are 0 exactly when the spaces coincide, whatever bases span them.

    Args:
        a: a basis of the first subspace, one vector per column, shape (D, k_a).
        b: a basis of the second subspace, one vector per column, shape (D, k_b).

    Returns:
        The angles in degrees, each in [0, 90], ascending, shape (min(k_a, k_b),).

    Raises:
        ValueError: if ``a`` or ``b`` is not a matrix, their numbers of rows differ, or the columns
            of either are linearly dependent.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(
            f"a and b must be matrices with the same number of rows (basis vectors as columns), "
            f"got shapes {a.shape} and {b.shape}"
        )
    for name, m in (("a", a), ("b", b)):
        if np.linalg.matrix_rank(m) < m.shape[1]:
            raise ValueError(f"the columns of {name} are linearly dependent; pass a basis")
    q_a, _ = np.linalg.qr(a)
    q_b, _ = np.linalg.qr(b)
    cosines = np.clip(np.linalg.svd(q_a.T @ q_b, compute_uv=False), -1.0, 1.0)
    return np.sort(np.degrees(np.arccos(cosines)))


def psnr(
    x: np.ndarray, x_hat: np.ndarray, data_range: float = 1.0, per_image: bool = False
) -> float | np.ndarray:
    """Peak signal-to-noise ratio in dB: 10 log₁₀(R² / MSE), R the pixel range (1 for [0, 1]).

    By default MSE is the mean over every pixel of every image, giving one number for the whole set
    (finite unless the set is copied exactly). ``per_image=True`` returns one PSNR per image
    instead, +inf for an image reproduced exactly. Higher is better; +10 dB is 10× less error.

    Args:
        x: reference (clean) images, shape (N, ...) (flat or not), N ≥ 1.
        x_hat: reconstructions or noisy images, the shape of ``x``.
        data_range: R, the span of the pixel values: 1.0 for [0, 1], 255.0 for 8-bit pixels.
        per_image: return one PSNR per image instead of one for the whole set.

    Returns:
        The PSNR in dB: a float, or with ``per_image`` an array of shape (N,).

    Raises:
        ValueError: if the shapes differ, ``x`` is not a non-empty batch (N, ...), or
            ``data_range`` is not a positive finite number.
    """
    x, x_hat = np.asarray(x), np.asarray(x_hat)
    if x.shape != x_hat.shape:
        raise ValueError(f"x and x_hat must have the same shape, got {x.shape} and {x_hat.shape}")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"expected a non-empty batch of images (N, ...), got shape {x.shape}")
    if not data_range > 0 or not np.isfinite(data_range):
        raise ValueError(f"data_range must be a positive number (1.0 for [0, 1]), got {data_range}")
    squared = (_as_batch(x) - _as_batch(x_hat)) ** 2
    mse = squared.mean(axis=1) if per_image else squared.mean()
    with np.errstate(divide="ignore"):
        result = 10.0 * np.log10(data_range**2 / mse)
    return result if per_image else float(result)


def jacobian_frobenius(encoder: object, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """‖J_f(x)‖_F for every example: the Frobenius norm of the encoder's Jacobian, by autodiff.

    J_f(x) holds ∂f_j/∂x_i for every code unit j and input pixel i (the code and the input are
    flattened), so this works for any Keras encoder, dense or convolutional. It is the measuring
    stick that compares how strongly AE, DAE and CAE codes react to small input changes, and the
    reference against which the closed form of :class:`aeutils.regularizers.ContractivePenalty`
    is tested. Computed in batches with TensorFlow's ``batch_jacobian``: one backward pass per code
    unit, so the cost grows with the code size (measured: about 16 s per 1 000 MNIST images for a
    784→1000 sigmoid encoder on a 2-core CPU; score a subset of the test set).

    Args:
        encoder: a callable Keras model or layer mapping a batch of inputs to a batch of codes.
        x: inputs, shape (N, ...) as the encoder expects them, N ≥ 1.
        batch_size: examples per Jacobian computation (memory grows with batch · code · input).

    Returns:
        The norms, shape (N,), float64.

    Raises:
        ValueError: if ``x`` is empty or ``batch_size`` is not a positive integer.
    """
    import tensorflow as tf  # the course runs on the TensorFlow backend (aeutils.setup checks it)

    x = np.asarray(x)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"expected a non-empty batch of inputs (N, ...), got shape {x.shape}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    norms = []
    for start in range(0, len(x), batch_size):
        batch = tf.convert_to_tensor(x[start:start + batch_size])
        if not batch.dtype.is_floating:
            batch = tf.cast(batch, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(batch)
            codes = tf.reshape(encoder(batch), (tf.shape(batch)[0], -1))
        jacobian = tape.batch_jacobian(codes, batch)  # (batch, code, *input)
        flat = tf.reshape(jacobian, (tf.shape(batch)[0], -1))
        norms.append(tf.norm(tf.cast(flat, tf.float64), axis=1).numpy())
    return np.concatenate(norms)
