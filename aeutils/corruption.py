"""Input corruption for denoising autoencoders (Vincent et al. 2008, 2010): layers and a function.

Three corruptions, each with one level in [0, 1]:

- ``"gaussian"``: x̃ = clip(x + ε, 0, 1) with ε ~ N(0, σ²); the level is σ. Keras'
  :class:`keras.layers.GaussianNoise` adds the noise, a ``ReLU(max_value=1)`` clips it back into the
  pixel range.
- ``"masking"``: each pixel is set to 0 with probability ν (:class:`MaskingNoise`). Unlike
  :class:`keras.layers.Dropout` the survivors are **not** scaled by 1/(1 − ν): the corrupted image
  must look like a damaged image, not a rescaled one.
- ``"salt_and_pepper"``: each pixel is replaced with probability ν by 0 or 1, chosen by a fair coin
  (:class:`SaltAndPepperNoise`).

The layers corrupt only when called with ``training=True`` (inside ``fit``) and are the identity at
inference, so a trained denoiser is applied to noisy inputs as a plain model. :func:`corrupt` draws
the same corruptions in NumPy from a seed, to build fixed noisy test sets outside any model.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

CORRUPTIONS = ("gaussian", "masking", "salt_and_pepper")


def _check_level(name: str, value: float) -> float:
    """Return ``value`` as a float if it lies in [0, 1]; else raise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    if not (math.isfinite(float(value)) and 0.0 <= float(value) <= 1.0):
        raise ValueError(
            f"{name} must lie in [0, 1] (a fraction of pixels, or σ for pixels in [0, 1]), "
            f"got {value}"
        )
    return float(value)


def _check_kind(kind: str) -> str:
    if kind not in CORRUPTIONS:
        raise ValueError(f"unknown corruption {kind!r}; use one of {', '.join(CORRUPTIONS)}")
    return kind


class _PixelNoise(layers.Layer):
    """Shared base of the pixel-replacing corruptions: a validated ``rate`` and a seeded generator.

    Subclasses implement ``_corrupt``; ``call`` applies it only in training mode.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.rate = _check_level("rate", rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs: keras.KerasTensor, training: bool = False) -> keras.KerasTensor:
        """Corrupt ``inputs`` when ``training`` (inside ``fit``); else return them unchanged."""
        if not training or self.rate == 0.0:
            return inputs
        return self._corrupt(inputs)

    def _corrupt(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output has the input's shape."""
        return input_shape

    def get_config(self) -> dict:
        """Constructor arguments, so ``.keras`` files rebuild the layer."""
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="aeutils")
class MaskingNoise(_PixelNoise):
    """Set each input to 0 with probability ``rate`` during training; identity at inference.

    x̃ = m ⊙ x with m_i ~ Bernoulli(1 − rate), drawn afresh at every training call. Close to the
    masking noise of Vincent et al. (2008), which zeroes a fixed number ν·d of randomly chosen
    inputs per example, where this layer zeroes each input independently (so the count varies
    around ν·d, binomially). Like theirs, no 1/(1 − rate) rescaling of the kept inputs, so a
    corrupted image stays in the data's value range and its mean drops by the factor (1 − rate).

    Args:
        rate: probability ν in [0, 1] that an input is set to 0.
        seed: seed of the layer's random generator; None for an unseeded one.
        **kwargs: standard ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Input shape: any, e.g. (batch, 784). Output shape: the input's.

    Usage: ``noisy = MaskingNoise(0.3, seed=1)(x, training=True)``.

    Raises:
        ValueError: if ``rate`` is not a number in [0, 1].
    """

    def _corrupt(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        draw = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)
        return ops.where(draw < self.rate, ops.zeros_like(inputs), inputs)


@keras.saving.register_keras_serializable(package="aeutils")
class SaltAndPepperNoise(_PixelNoise):
    """Replace each input with probability ``rate`` by 0 or 1 (a fair coin) during training.

    x̃_i = s_i if h_i else x_i, with h_i ~ Bernoulli(rate) and s_i ~ Bernoulli(1/2). Identity at
    inference. The salt-and-pepper noise of Vincent et al. (2010) for inputs in [0, 1]: about
    ``rate / 2`` of the values become 0 and ``rate / 2`` become 1.

    Args:
        rate: probability ν in [0, 1] that an input is replaced.
        seed: seed of the layer's random generator; None for an unseeded one.
        **kwargs: standard ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Input shape: any, e.g. (batch, 784), values in [0, 1]. Output shape: the input's.

    Usage: ``noisy = SaltAndPepperNoise(0.3, seed=1)(x, training=True)``.

    Raises:
        ValueError: if ``rate`` is not a number in [0, 1].
    """

    def _corrupt(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        shape = ops.shape(inputs)
        hit = keras.random.uniform(shape, seed=self.seed_generator) < self.rate
        salt = keras.random.uniform(shape, seed=self.seed_generator) < 0.5
        return ops.where(hit, ops.cast(salt, inputs.dtype), inputs)


def corruption_layers(kind: str, level: float, seed: int | None = None) -> list[layers.Layer]:
    """Build the training-time layers for one corruption: apply them in order in front of a model.

    Gaussian noise is Keras' own ``GaussianNoise(σ)`` followed by ``ReLU(max_value=1)``, which clips
    the noisy pixels back to [0, 1] and leaves clean pixels (already in [0, 1]) untouched.

    Args:
        kind: ``"gaussian"``, ``"masking"`` or ``"salt_and_pepper"`` (see :data:`CORRUPTIONS`).
        level: in [0, 1]: σ for ``"gaussian"`` (pixels in [0, 1]), else the probability ν that a
            pixel is hit.
        seed: seed of the noise layer's random generator; None for an unseeded one.

    Returns:
        A list of one or two layers, each keeping its input's shape; the noise is drawn only when
        they are called with ``training=True``.

    Raises:
        ValueError: if ``kind`` is not one of :data:`CORRUPTIONS`, or ``level`` is not a number in
            [0, 1].
    """
    level = _check_level("level", level)
    if _check_kind(kind) == "gaussian":
        return [layers.GaussianNoise(level, seed=seed, name="gaussian_noise"),
                layers.ReLU(max_value=1.0, name="clip_to_unit_range")]
    if kind == "masking":
        return [MaskingNoise(level, seed=seed, name="masking_noise")]
    return [SaltAndPepperNoise(level, seed=seed, name="salt_and_pepper_noise")]


def denoising_autoencoder(
    autoencoder: keras.Model, kind: str, level: float, seed: int | None = None
) -> keras.Model:
    """Put training-time corruption in front of ``autoencoder``: fit it on clean x, target x.

    During ``fit`` the model sees x̃ ~ q(x̃|x) and is scored against the clean x, with fresh noise in
    every epoch. At inference the corruption layers are the identity, so ``model(x_noisy)`` equals
    ``autoencoder(x_noisy)``: the returned model shares every weight with ``autoencoder``.

    Args:
        autoencoder: the model to train as a denoiser (e.g. from
            :func:`aeutils.models.dense_autoencoder`), inputs in [0, 1].
        kind: the corruption, one of :data:`CORRUPTIONS`.
        level: in [0, 1]: σ for ``"gaussian"``, else the probability ν that a pixel is hit.
        seed: seed of the corruption layers; None for unseeded ones.

    Returns:
        A model named ``{autoencoder.name}_{kind}_dae`` with the input and output shapes of
        ``autoencoder``, e.g. (N, 784) → (N, 784).

    Raises:
        ValueError: if ``kind`` is not one of :data:`CORRUPTIONS`, or ``level`` is not a number in
            [0, 1].
    """
    inputs = keras.Input(shape=autoencoder.input_shape[1:], name="clean_image")
    corrupted = inputs
    for layer in corruption_layers(kind, level, seed):
        corrupted = layer(corrupted)
    return keras.Model(inputs, autoencoder(corrupted), name=f"{autoencoder.name}_{kind}_dae")


def corrupt(x: np.ndarray, kind: str, level: float, seed: int) -> np.ndarray:
    """Corrupt a batch in NumPy as the layers do in training; one ``seed``, one fixed batch.

    Args:
        x: pixel values in [0, 1], any shape (scale 8-bit images by 1/255 first); never modified.
        kind: the corruption, one of :data:`CORRUPTIONS`.
        level: in [0, 1]: σ for ``"gaussian"``, else the probability ν that a pixel is hit.
        seed: seed of the NumPy generator; the same seed gives the same corrupted batch.

    Returns:
        A new float32 array of the shape of ``x``, also in [0, 1].

    Raises:
        ValueError: if ``kind`` is not one of :data:`CORRUPTIONS`, ``level`` is not a number in
            [0, 1], or ``x`` is empty or holds values that are not finite or lie outside [0, 1].
    """
    level = _check_level("level", level)
    _check_kind(kind)
    x = np.asarray(x, dtype=np.float32)
    if x.size == 0:
        raise ValueError("corrupt needs a non-empty array of pixels")
    if not np.all(np.isfinite(x)) or x.min() < 0.0 or x.max() > 1.0:
        raise ValueError(
            f"corrupt expects pixel values in [0, 1], got the range [{np.nanmin(x)}, "
            f"{np.nanmax(x)}]; divide 8-bit images by 255 first"
        )
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        noisy = x + rng.normal(0.0, level, size=x.shape).astype(np.float32)
        return np.clip(noisy, 0.0, 1.0)
    if kind == "masking":
        return np.where(rng.random(x.shape) < level, np.float32(0.0), x)
    hit = rng.random(x.shape) < level
    salt = (rng.random(x.shape) < 0.5).astype(np.float32)
    return np.where(hit, salt, x)
