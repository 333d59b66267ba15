"""Activity penalties for autoencoder codes, as identity layers that add their penalty to the loss.

The penalties are added with ``self.add_loss`` inside ``call``, which no Keras 3 release rescales.
Keras' own ``activity_regularizer=`` argument is *not* used: since Keras 3.14 its value is divided
by the batch size, before that it was not, so the same number would mean two different penalties.
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

KL_EPSILON = 1e-7  # ρ̂ is clipped to [ε, 1 − ε]: the KL stays finite at dead or saturated units


def _check_rho(rho: float) -> float:
    if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0.0 < float(rho) < 1.0:
        raise ValueError(
            f"rho (the target mean activation) must lie strictly between 0 and 1, got {rho!r}; "
            "typical values are 0.01-0.1 for sigmoid units"
        )
    return float(rho)


def _check_weight(name: str, value: float) -> float:
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(float(value)) or float(value) < 0.0):
        raise ValueError(f"{name} (the penalty weight) must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_activations(activations: keras.KerasTensor) -> None:
    if len(activations.shape) != 2:
        raise ValueError(
            f"expected activations of shape (batch, units), got shape {tuple(activations.shape)}; "
            "put the penalty layer right after a Dense layer (flatten other layers' outputs first)"
        )


def kl_divergence(rho: float, rho_hat: keras.KerasTensor) -> keras.KerasTensor:
    """Elementwise Bernoulli KL(ρ‖ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)).

    ρ̂ is clipped to [1e-7, 1 − 1e-7] first, so a unit that never (or always) fires gives a large
    but finite penalty instead of inf/NaN. Zero exactly when ρ̂ = ρ.

    Args:
        rho: the target mean activation ρ, strictly between 0 and 1.
        rho_hat: the measured mean activations ρ̂ (any shape).

    Returns:
        A tensor of ρ̂'s shape holding KL(ρ‖ρ̂) in nats.
    """
    rho = _check_rho(rho)
    rho_hat = ops.clip(rho_hat, KL_EPSILON, 1.0 - KL_EPSILON)
    return rho * ops.log(rho / rho_hat) + (1.0 - rho) * ops.log((1.0 - rho) / (1.0 - rho_hat))


@keras.saving.register_keras_serializable(package="aeutils")
class KLSparsity(layers.Layer):
    """Identity layer adding β Σ_j KL(ρ‖ρ̂_j) to the loss, ρ̂_j the batch mean of unit j (UFLDL).

    Put it right after a sigmoid layer; its input passes through unchanged, shape (batch, units)
    in and out. The added loss is exactly ``penalty(activations)`` on every Keras 3 release and at
    every batch size. Usage::

        hidden = layers.Dense(196, activation="sigmoid")(inputs)
        hidden = KLSparsity(rho=0.1, beta=3.0)(hidden)
    """

    def __init__(self, rho: float = 0.05, beta: float = 3.0, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.rho = _check_rho(rho)
        self.beta = _check_weight("beta", beta)

    def penalty(self, activations: keras.KerasTensor) -> keras.KerasTensor:
        """β Σ_j KL(ρ‖ρ̂_j) for a batch of activations of shape (batch, units).

        Args:
            activations: hidden-unit activations in (0, 1), shape (batch, units).

        Returns:
            The scalar penalty in nats.
        """
        _check_activations(activations)
        rho_hat = ops.mean(activations, axis=0)
        return self.beta * ops.sum(kl_divergence(self.rho, rho_hat))

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        self.add_loss(self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "beta": self.beta}


@keras.saving.register_keras_serializable(package="aeutils")
class L1Activity(layers.Layer):
    """Identity layer adding c · mean over the batch of Σ_j |a_j| to the loss (an L1 code penalty).

    The per-example sum averaged over the batch, so c means the same at every batch size and on
    every Keras 3 release. Shape (batch, units) in and out. Usage: ``L1Activity(0.3)(hidden)``.
    """

    def __init__(self, strength: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.strength = _check_weight("strength", strength)

    def penalty(self, activations: keras.KerasTensor) -> keras.KerasTensor:
        """c · (1/m) Σ_i Σ_j |a_j(x⁽ⁱ⁾)| for activations of shape (batch, units).

        Args:
            activations: hidden-unit activations, shape (batch, units).

        Returns:
            The scalar penalty.
        """
        _check_activations(activations)
        return self.strength * ops.mean(ops.sum(ops.abs(activations), axis=1))

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        self.add_loss(self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "strength": self.strength}


@keras.saving.register_keras_serializable(package="aeutils")
class ContractivePenalty(layers.Layer):
    """Identity layer adding λ · mean over the batch of ‖J_f(x)‖²_F for a sigmoid Dense encoder f.

    For h = f(x) = σ(xW + b) the encoder's Jacobian is J_ji = ∂h_j/∂x_i = h_j(1 − h_j) W_ij, so
    ‖J_f(x)‖²_F = Σ_j (h_j(1 − h_j))² Σ_i W_ij² (Rifai et al. 2011): no autodiff needed, one
    product per unit. The layer reads W from ``dense`` at every call (like
    :class:`aeutils.layers.DenseTranspose`), takes that layer's output h as its input and passes it
    through unchanged. The added loss is exactly λ times the batch mean on every Keras 3 release
    and at every batch size. Usage::

        encode = layers.Dense(1000, activation="sigmoid")
        code = ContractivePenalty(encode, lam=0.1)(encode(inputs))

    Args:
        dense: the encoder's ``keras.layers.Dense`` layer with a sigmoid activation (the closed
            form holds only for it); built before this layer is called.
        lam: the penalty weight λ, a finite number ≥ 0 (0 gives the plain autoencoder).
        **kwargs: standard ``keras.layers.Layer`` arguments.

    Raises:
        ValueError: if ``dense`` is not a sigmoid ``Dense`` layer, λ is negative or not finite, or
            (when called) the input is not the (batch, units) output of ``dense``.
    """

    def __init__(self, dense: layers.Dense, lam: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        if not isinstance(dense, layers.Dense):
            raise ValueError(
                f"ContractivePenalty needs the encoder's keras.layers.Dense layer, got "
                f"{type(dense).__name__}"
            )
        if dense.activation is not keras.activations.sigmoid:
            raise ValueError(
                f"the closed-form Jacobian holds for a sigmoid encoder, but {dense.name!r} uses "
                f"{getattr(dense.activation, '__name__', dense.activation)!r}; use "
                "activation='sigmoid', or measure other encoders with metrics.jacobian_frobenius"
            )
        self.dense = dense
        self.lam = _check_weight("lam", lam)

    def squared_norms(self, codes: keras.KerasTensor) -> keras.KerasTensor:
        """‖J_f(x)‖²_F per example, from the codes h = f(x) of shape (batch, units).

        Args:
            codes: the sigmoid encoder's outputs for a batch, shape (batch, units).

        Returns:
            A tensor of shape (batch,).
        """
        _check_activations(codes)
        if codes.shape[-1] is not None and codes.shape[-1] != self.dense.units:
            raise ValueError(
                f"expected the {self.dense.units} codes of {self.dense.name!r}, got shape "
                f"{tuple(codes.shape)}"
            )
        kernel = ops.cast(self.dense.kernel, codes.dtype)
        column_norms = ops.sum(ops.square(kernel), axis=0)  # Σ_i W_ij², one per unit j
        return ops.sum(ops.square(codes * (1.0 - codes)) * column_norms, axis=1)

    def penalty(self, codes: keras.KerasTensor) -> keras.KerasTensor:
        """λ · (1/m) Σ_n ‖J_f(x⁽ⁿ⁾)‖²_F for a batch of m codes.

        Args:
            codes: the sigmoid encoder's outputs for a batch, shape (batch, units).

        Returns:
            The scalar penalty.
        """
        return self.lam * ops.mean(self.squared_norms(codes))

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        self.add_loss(self.penalty(inputs))
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "dense": keras.saving.serialize_keras_object(self.dense),
            "lam": self.lam,
        }

    @classmethod
    def from_config(cls, config: dict) -> ContractivePenalty:
        config = dict(config)
        config["dense"] = keras.saving.deserialize_keras_object(config["dense"])
        return cls(**config)
