"""Sparsity penalties for autoencoder codes: the UFLDL KL-divergence penalty, as a regularizer."""

from __future__ import annotations

import keras
from keras import ops

KL_EPSILON = 1e-7  # ρ̂ is clipped to [ε, 1 − ε]: the KL stays finite at dead or saturated units


def _check_rho(rho: float) -> float:
    if not 0.0 < float(rho) < 1.0:
        raise ValueError(
            f"rho (the target mean activation) must lie strictly between 0 and 1, got {rho}; "
            "typical values are 0.01-0.1 for sigmoid units"
        )
    return float(rho)


def kl_divergence(rho: float, rho_hat: keras.KerasTensor) -> keras.KerasTensor:
    """Elementwise Bernoulli KL(ρ‖ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)).

    ρ̂ is clipped to [1e-7, 1 − 1e-7] first, so a unit that never (or always) fires gives a large
    but finite penalty instead of inf/NaN. Zero exactly when ρ̂ = ρ.
    """
    rho = _check_rho(rho)
    rho_hat = ops.clip(rho_hat, KL_EPSILON, 1.0 - KL_EPSILON)
    return rho * ops.log(rho / rho_hat) + (1.0 - rho) * ops.log((1.0 - rho) / (1.0 - rho_hat))


@keras.saving.register_keras_serializable(package="aeutils")
class KLSparsity(keras.regularizers.Regularizer):
    """Activity regularizer adding β Σ_j KL(ρ‖ρ̂_j), with ρ̂_j the batch mean of unit j (UFLDL eq. 5).

    Keras 3 divides an activity regularizer's value by the batch size before adding it to the loss;
    this one multiplies by the batch size first, so the model's loss gains exactly β Σ_j KL(ρ‖ρ̂_j)
    whatever the batch size. Use with units in (0, 1):
    ``Dense(196, activation="sigmoid", activity_regularizer=KLSparsity(rho=0.1, beta=3.0))``.
    """

    def __init__(self, rho: float = 0.05, beta: float = 3.0) -> None:
        self.rho = _check_rho(rho)
        if not float(beta) >= 0.0:
            raise ValueError(f"beta (the penalty weight) must be >= 0, got {beta}")
        self.beta = float(beta)

    def penalty(self, activations: keras.KerasTensor) -> keras.KerasTensor:
        """β Σ_j KL(ρ‖ρ̂_j) for a batch of activations of shape (batch, units)."""
        rho_hat = ops.mean(activations, axis=0)
        return self.beta * ops.sum(kl_divergence(self.rho, rho_hat))

    def __call__(self, activations: keras.KerasTensor) -> keras.KerasTensor:
        batch_size = ops.cast(ops.shape(activations)[0], activations.dtype)
        return self.penalty(activations) * batch_size  # Keras divides by batch size again

    def get_config(self) -> dict:
        return {"rho": self.rho, "beta": self.beta}
