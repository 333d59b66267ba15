"""Custom Keras layers of the course: :class:`DenseTranspose`, a decoder layer with tied weights.

A tied autoencoder decodes with the transpose of its encoder's weight matrix, x̂ = f(W h + b′)
for the code h = g(Wᵀ x + c) (Keras stores a ``Dense`` kernel as W of shape (inputs, units), so
the encoder computes ``x @ W`` and the tied decoder ``h @ Wᵀ``). Tying halves the number of weights
and is what an RBM unrolled into an autoencoder starts from (Hinton & Salakhutdinov 2006), before
fine-tuning unties the two halves.
"""

from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="aeutils")
class DenseTranspose(layers.Layer):
    """Dense layer tied to an encoder ``Dense``: y = activation(x Wᵀ + b), W that layer's kernel.

    The layer creates only its bias b (one value per input of ``dense``, set it with
    ``layer.bias.assign(...)``); the kernel is read from ``dense`` at every call, so training
    either layer updates the one shared W and the decoder always follows the encoder. Keras tracks
    ``dense`` inside this layer, so ``layer.weights`` lists the tied layer's variables after the
    bias, a decoder saved on its own still carries the kernel, and ``model.summary()`` shows the
    kernel under both layers while the totals count it once. The tie survives ``model.save(...)``
    and ``keras.saving.load_model`` when ``dense`` and this layer belong to the same functional
    (or Sequential) model: Keras' object-sharing scope records a layer that is serialized twice and
    rebuilds it once. Keep them out of two *different* nested sub-models (an encoder model and a
    decoder model inside an autoencoder): Keras 3 copies each sub-model's config before the
    sharing is recorded, so loading such a file fails ("expected 2 variables, but received 0").

    Args:
        dense: the encoder's ``keras.layers.Dense`` layer, with kernel W of shape (n_in, units).
            It must be built (called once) before this layer is called.
        activation: activation of the output, e.g. ``"sigmoid"`` for pixels in [0, 1]; None for
            linear.
        **kwargs: standard ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Input shape: (batch, units). Output shape: (batch, n_in).

    Usage::

        encode = layers.Dense(30, activation="sigmoid")
        code = encode(inputs)
        reconstruction = DenseTranspose(encode, activation="sigmoid")(code)

    Raises:
        ValueError: if ``dense`` is not a ``keras.layers.Dense`` layer, or (when called) it is not
            built yet or the input width is not ``dense.units``.
    """

    def __init__(self, dense: layers.Dense, activation: str | None = None,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)
        if not isinstance(dense, layers.Dense):
            raise ValueError(
                f"DenseTranspose ties to a keras.layers.Dense layer, got {type(dense).__name__}"
            )
        self.dense = dense
        self.activation = keras.activations.get(activation)

    def build(self, input_shape: tuple) -> None:
        if not self.dense.built:
            raise ValueError(
                f"the tied layer {self.dense.name!r} is not built yet: call it on the encoder's "
                "input before calling DenseTranspose, so that its kernel exists"
            )
        n_in, units = self.dense.kernel.shape
        if input_shape[-1] is not None and input_shape[-1] != units:
            raise ValueError(
                f"DenseTranspose tied to {self.dense.name!r} ({units} units) expects inputs of "
                f"width {units}, got shape {tuple(input_shape)}"
            )
        self.bias = self.add_weight(shape=(n_in,), initializer="zeros", name="bias")

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        kernel = ops.cast(self.dense.kernel, self.compute_dtype)
        return self.activation(ops.matmul(inputs, ops.transpose(kernel)) + self.bias)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.dense.kernel.shape[0])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "dense": keras.saving.serialize_keras_object(self.dense),
            "activation": keras.activations.serialize(self.activation),
        }

    @classmethod
    def from_config(cls, config: dict) -> DenseTranspose:
        config = dict(config)
        config["dense"] = keras.saving.deserialize_keras_object(config["dense"])
        config["activation"] = keras.activations.deserialize(config["activation"])
        return cls(**config)
