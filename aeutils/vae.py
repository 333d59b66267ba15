"""Variational autoencoders: the reparameterisation as a layer, the ELBO in nats per image, a VAE
that trains, validates and evaluates with Keras' own loops, and the importance-sampled test NLL.

Conventions (Kingma & Welling 2014; Burda, Grosse & Salakhutdinov 2016): the encoder maps x to the
mean μ and the log-variance log σ² of a diagonal Gaussian q(z|x); the prior is p(z) = N(0, I); the
decoder maps z to the 784 *logits* of a Bernoulli p(x|z), whose probabilities are σ(logits).
Every loss is in nats per image: the log-likelihood summed over pixels, the KL summed over latent
dimensions, both averaged over the batch.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

LOG_2PI = math.log(2 * math.pi)
BOUNDS = ("elbo", "iwae")  # the objectives VAE can train; see VAE


def gaussian_kl(mean: keras.KerasTensor, log_var: keras.KerasTensor) -> keras.KerasTensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) per example: −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²), in nats."""
    return -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)


def bernoulli_log_likelihood(x: keras.KerasTensor, logits: keras.KerasTensor) -> keras.KerasTensor:
    """log p(x|z) = Σ_i x_i log y_i + (1 − x_i) log(1 − y_i) with y = σ(logits), per example.

    Computed as Σ_i x_i·l_i − softplus(l_i), the same sum without ever taking log 0, so a
    saturated decoder gives a large finite loss instead of NaN.
    """
    return ops.sum(x * logits - ops.softplus(logits), axis=-1)


def gaussian_log_density(
    z: keras.KerasTensor, mean: keras.KerasTensor, log_var: keras.KerasTensor
) -> keras.KerasTensor:
    """log N(z; μ, diag σ²) per example, summed over dimensions (σ² = 1, μ = 0 for the prior)."""
    return -0.5 * ops.sum(LOG_2PI + log_var + ops.square(z - mean) * ops.exp(-log_var), axis=-1)


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer of at least 1, got {value!r}")
    return int(value)


@keras.saving.register_keras_serializable(package="aeutils")
class Sampling(layers.Layer):
    """z = μ + σ ⊙ ε with ε ~ N(0, I): the reparameterisation trick as a layer.

    The randomness is in ε alone, so z is a differentiable function of μ and log σ²: gradients of
    a Monte Carlo estimate of E_q[·] flow back into the encoder. Called on ``[mean, log_var]`` of
    shape (B, d); ``samples`` > 1 draws that many z per example, shape (samples, B, d).
    """

    def __init__(self, samples: int = 1, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.samples = _check_count("samples", samples)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs: list[keras.KerasTensor]) -> keras.KerasTensor:
        mean, log_var = inputs
        shape = ops.shape(mean) if self.samples == 1 else (self.samples, *ops.shape(mean))
        epsilon = keras.random.normal(shape, dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * epsilon

    def compute_output_shape(self, input_shape: list[tuple]) -> tuple:
        shape = tuple(input_shape[0])
        return shape if self.samples == 1 else (self.samples, *shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "samples": self.samples, "seed": self.seed}


def dense_vae_parts(latent_dim: int, name: str = "vae",
                    hidden: tuple[int, ...] = (512, 256)) -> tuple[keras.Model, keras.Model]:
    """The course's dense VAE halves: images → ``[mean, log_var]`` and codes → 784 logits, GELU.

    The encoder is 784 → ``hidden`` → (μ, log σ²), the decoder mirrors it: ``latent_dim`` →
    reversed ``hidden`` → 784 Bernoulli logits (no sigmoid: the loss works on logits).

    Args:
        latent_dim: size d of the code z.
        name: prefix of the two models' names, ``{name}_encoder`` and ``{name}_decoder``.
        hidden: widths of the encoder's hidden layers, image side first.

    Returns:
        ``(encoder, decoder)``, to pass to :class:`VAE`.
    """
    latent_dim = _check_count("latent_dim", latent_dim)
    for width in hidden:
        _check_count("every entry of hidden", width)
    image = keras.Input((784,), name="image")
    features = image
    for width in hidden:
        features = layers.Dense(width, activation="gelu")(features)
    encoder = keras.Model(image, [layers.Dense(latent_dim, name="mean")(features),
                                  layers.Dense(latent_dim, name="log_var")(features)],
                          name=f"{name}_encoder")
    code = keras.Input((latent_dim,), name="code")
    features = code
    for width in reversed(hidden):
        features = layers.Dense(width, activation="gelu")(features)
    decoder = keras.Model(code, layers.Dense(784, name="logits")(features),
                          name=f"{name}_decoder")
    return encoder, decoder


@keras.saving.register_keras_serializable(package="aeutils")
class VAE(keras.Model):
    """A VAE whose ``fit``, ``evaluate`` and ``validation_data`` all report the held-out bound.

    ``encoder`` maps images (B, D) to ``[mean, log_var]``, each (B, d); ``decoder`` maps codes
    (B, d) to D Bernoulli logits. The loss, in nats per image, is chosen by ``bound``:

    - ``"elbo"`` (default): the negative ELBO −E_q[log p(x|z)] + β·KL(q(z|x) ‖ p(z)), the
      expectation estimated with ``samples`` draws of z per image (1 is the usual VAE; k > 1 is
      Burda et al.'s "VAE with k samples", the control that separates more samples from a
      tighter bound);
    - ``"iwae"``: the negative importance-weighted bound −log (1/k) Σ_i p(x, z_i)/q(z_i|x) of
      Burda et al. with k = ``samples`` ≥ 2 (β must then be 1).

    Besides ``loss`` it tracks ``reconstruction`` (−E_q[log p(x|z)], averaged over the samples)
    and ``kl``, so ``reconstruction + kl`` is always the −ELBO, whichever bound is trained.
    ``model(x)`` returns a dict: ``mean`` and ``log_var`` of q(z|x), the sampled codes ``z`` and the
    decoder's ``logits`` (with a leading axis of ``samples`` when it is above 1).
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0,
                 samples: int = 1, seed: int | None = None, bound: str = "elbo",
                 **kwargs) -> None:
        super().__init__(**kwargs)
        beta = float(beta)
        if not math.isfinite(beta) or beta < 0:
            raise ValueError(f"beta must be a finite number ≥ 0 (1 for the ELBO), got {beta}")
        samples = _check_count("samples", samples)
        if bound not in BOUNDS:
            raise ValueError(f"bound must be one of {', '.join(map(repr, BOUNDS))}, got {bound!r}: "
                             "'elbo' for the (β-)VAE, 'iwae' for the importance-weighted bound")
        if bound == "iwae" and samples < 2:
            raise ValueError("the importance-weighted bound needs samples ≥ 2 (with one sample it "
                             "is the ELBO); pass samples=k with k ≥ 2, or use bound='elbo'")
        if bound == "iwae" and beta != 1.0:
            raise ValueError(f"the importance-weighted bound has no β (got beta={beta}); use "
                             "beta=1 with bound='iwae', or bound='elbo' for a β-VAE")
        self.encoder, self.decoder = encoder, decoder
        self.beta, self.samples, self.seed, self.bound = beta, samples, seed, bound
        self.sampler = Sampling(samples, seed=seed, name="sampling")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def _check_images(self, x: keras.KerasTensor) -> None:
        if len(x.shape) != 2:
            raise ValueError(f"the VAE takes flattened images of shape (batch, pixels), got shape "
                             f"{tuple(x.shape)}; load MNIST with flatten=True")

    def posterior(self, x: keras.KerasTensor) -> tuple[keras.KerasTensor, keras.KerasTensor]:
        """μ and log σ² of q(z|x)."""
        self._check_images(x)
        mean, log_var = self.encoder(x)
        return mean, log_var

    def call(self, x: keras.KerasTensor, training: bool = False) -> dict:
        mean, log_var = self.posterior(x)
        z = self.sampler([mean, log_var])
        flat_z = z if self.samples == 1 else ops.reshape(z, (-1, ops.shape(mean)[-1]))
        logits = self.decoder(flat_z, training=training)
        if self.samples > 1:
            logits = ops.reshape(logits, (self.samples, -1, ops.shape(logits)[-1]))
        return {"mean": mean, "log_var": log_var, "z": z, "logits": logits}

    def compute_loss(self, x: keras.KerasTensor = None, y: None = None, y_pred: dict | None = None,
                     sample_weight: None = None, training: bool = True) -> keras.KerasTensor:
        """The training objective in nats per image; also updates ``reconstruction`` and ``kl``."""
        if sample_weight is not None:
            raise ValueError("the VAE's loss takes no sample_weight; pass the images alone")
        x = ops.cast(x, y_pred["logits"].dtype)
        mean, log_var, z, logits = (y_pred[key] for key in ("mean", "log_var", "z", "logits"))
        log_likelihood = bernoulli_log_likelihood(x, logits)  # (B,), or (samples, B): broadcast
        kl = gaussian_kl(mean, log_var)
        reconstruction = -log_likelihood
        if self.bound == "elbo":  # the mean over draws and images of −log p(x|z) + β·KL
            loss = ops.mean(reconstruction + self.beta * kl)
        else:
            log_weights = (log_likelihood + gaussian_log_density(z, 0.0, 0.0)
                           - gaussian_log_density(z, mean, log_var))
            bound = ops.logsumexp(log_weights, axis=0) - math.log(self.samples)
            loss = -ops.mean(bound)
        batch = ops.shape(kl)[0]  # weighted like Keras' loss tracker: a short batch counts less
        self.reconstruction_tracker.update_state(ops.mean(reconstruction), sample_weight=batch)
        self.kl_tracker.update_state(ops.mean(kl), sample_weight=batch)
        if self.losses:
            loss = loss + ops.sum(self.losses)
        return loss

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "beta": self.beta, "samples": self.samples, "seed": self.seed, "bound": self.bound,
        }

    @classmethod
    def from_config(cls, config: dict) -> VAE:
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)


def importance_sampled_nll(
    encoder: keras.Model,
    decoder: keras.Model,
    x: np.ndarray,
    k: int,
    *,
    max_rows: int = 20000,
    seed: int | None = None,
) -> np.ndarray:
    """−log p(x) per image, estimated as −log (1/k) Σ_i p(x, z_i)/q(z_i|x), z_i ~ q(z|x), in nats.

    The estimate is a bound: on average it lies above the true −log p(x) and falls towards it as k
    grows (Burda et al. 2016); k = 1 is the one-sample −ELBO. The k weights are combined with
    log-sum-exp, never exponentiated, and the images are processed in chunks of at most
    ``max_rows`` decoded samples, so k = 1 000 on 10 000 images needs no more memory than k = 1
    (the chunking does not change the result: ε is drawn image by image).

    Args:
        encoder: images (B, D) → ``[mean, log_var]``, each (B, d).
        decoder: codes (B, d) → D Bernoulli logits.
        x: binary (or [0, 1]) images, shape (N, D).
        k: importance samples per image.
        max_rows: decoded samples per chunk (memory ≈ max_rows · D · 4 bytes per array).
        seed: seed of the NumPy generator that draws ε.

    Returns:
        float64 array of shape (N,): the estimate for every image.
    """
    k = _check_count("k", k)
    max_rows = _check_count("max_rows", max_rows)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"x must be flattened images of shape (N, pixels), got shape {x.shape}")
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"x must lie in [0, 1] (binarized or scaled images), got values in "
                         f"[{x.min()}, {x.max()}]")
    rng = np.random.default_rng(seed)
    per_chunk = max(1, max_rows // k)
    result = np.empty(len(x), dtype=np.float64)
    for start in range(0, len(x), per_chunk):
        images = ops.convert_to_tensor(x[start:start + per_chunk])
        mean, log_var = encoder(images, training=False)
        n, latent = int(mean.shape[0]), int(mean.shape[-1])
        # drawn image by image, so the estimate does not depend on how the images are chunked
        epsilon = ops.convert_to_tensor(
            rng.standard_normal((n, k, latent)).transpose(1, 0, 2).astype(np.float32))
        z = mean + ops.exp(0.5 * log_var) * epsilon  # (k, n, latent)
        logits = ops.reshape(decoder(ops.reshape(z, (-1, latent)), training=False), (k, n, -1))
        log_weights = (bernoulli_log_likelihood(images[None], logits)  # log p(x|z) + log p(z)
                       - 0.5 * ops.sum(LOG_2PI + ops.square(z), axis=-1)  # − log q(z|x)
                       + 0.5 * ops.sum(LOG_2PI + log_var + ops.square(epsilon), axis=-1))
        log_weights = ops.convert_to_numpy(log_weights).astype(np.float64)  # (k, n)
        peak = log_weights.max(axis=0)
        log_mean_weight = peak + np.log(np.mean(np.exp(log_weights - peak), axis=0))
        result[start:start + n] = -log_mean_weight
    return result
