"""Autoencoder builders: each returns ``(autoencoder, encoder, decoder)`` Keras models.

All models take and return flat 784-vectors (images are reshaped inside the convolutional one), so
one training function and one metric serve every model in the course.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers


def _check_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def dense_autoencoder(
    input_dim: int,
    hidden_units: Sequence[int],
    code_dim: int,
    activation: str | None = "relu",
    output_activation: str | None = "sigmoid",
    code_activation: str | None = None,
    batch_norm: bool = False,
    name: str = "autoencoder",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build a mirrored dense autoencoder ``input → hidden… → code → …hidden → input``.

    The code layer is linear by default, as in Hinton & Salakhutdinov (2006); ``code_activation``
    changes that (e.g. one ReLU layer wider than the input: an overcomplete AE).
    ``activation=None``, ``output_activation=None`` and no hidden layers give the linear
    autoencoder of PCA fame.

    Args:
        input_dim: length of the flat input vectors (784 for MNIST).
        hidden_units: widths of the encoder's hidden layers, input side first; the decoder mirrors
            them. Empty for none.
        code_dim: width of the code (bottleneck) layer.
        activation: activation of every hidden layer; None for linear.
        output_activation: activation of the reconstruction layer: ``"sigmoid"`` for pixels in
            [0, 1], None for linear.
        code_activation: activation of the code layer; None (linear) by default.
        batch_norm: put batch normalisation between each hidden layer's linear map and its
            activation (Ioffe & Szegedy 2015), which tolerates a much larger learning rate and so
            trains far faster on a small budget.
        name: name of the autoencoder; the parts are named ``{name}_encoder`` and
            ``{name}_decoder``.

    Returns:
        ``(autoencoder, encoder, decoder)`` sharing weights, ``autoencoder(x) ==
        decoder(encoder(x))``; they map (N, input_dim) → (N, input_dim), (N, input_dim) →
        (N, code_dim) and (N, code_dim) → (N, input_dim).

    Raises:
        ValueError: if ``input_dim``, ``code_dim`` or an entry of ``hidden_units`` is not a
            positive integer.
    """
    _check_positive("input_dim", input_dim)
    _check_positive("code_dim", code_dim)
    for units in hidden_units:
        _check_positive("every entry of hidden_units", units)

    def add_hidden(model: keras.Sequential, units: int, layer_name: str) -> None:
        if batch_norm:
            model.add(layers.Dense(units, use_bias=False, name=layer_name))
            model.add(layers.BatchNormalization(name=f"{layer_name}_bn"))
            model.add(layers.Activation(activation or "linear", name=f"{layer_name}_act"))
        else:
            model.add(layers.Dense(units, activation=activation, name=layer_name))

    encoder = keras.Sequential(name=f"{name}_encoder")
    encoder.add(keras.Input(shape=(input_dim,)))
    for i, units in enumerate(hidden_units):
        add_hidden(encoder, units, f"enc_{i + 1}")
    encoder.add(layers.Dense(code_dim, activation=code_activation, name="code"))

    decoder = keras.Sequential(name=f"{name}_decoder")
    decoder.add(keras.Input(shape=(code_dim,)))
    for i, units in enumerate(reversed(hidden_units)):
        add_hidden(decoder, units, f"dec_{i + 1}")
    decoder.add(layers.Dense(input_dim, activation=output_activation, name="reconstruction"))

    inputs = keras.Input(shape=(input_dim,), name="image")
    autoencoder = keras.Model(inputs, decoder(encoder(inputs)), name=name)
    return autoencoder, encoder, decoder


def conv_autoencoder(
    code_dim: int,
    filters: Sequence[int] = (16, 32),
    image_shape: tuple[int, int] = (28, 28),
    name: str = "conv_autoencoder",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build a convolutional autoencoder: strided convs → dense code → transposed convs.

    Each of the ``filters`` stages halves the image side (28 → 14 → 7), so the side must be
    divisible by 2**len(filters). Inputs and outputs are flat vectors of length H·W in [0, 1].

    Args:
        code_dim: width of the dense (linear) code layer.
        filters: channels of each 3×3, stride-2, ReLU convolution stage, input side first; the
            decoder mirrors them with transposed convolutions.
        image_shape: (H, W) of the images; each side divisible by 2**len(filters).
        name: name of the autoencoder; the parts are named ``{name}_encoder`` and
            ``{name}_decoder``.

    Returns:
        ``(autoencoder, encoder, decoder)`` sharing weights; they map (N, H·W) → (N, H·W)
        (sigmoid outputs in [0, 1]), (N, H·W) → (N, code_dim) and (N, code_dim) → (N, H·W).

    Raises:
        ValueError: if ``code_dim`` or an entry of ``filters`` is not a positive integer,
            ``filters`` is empty, or a side of ``image_shape`` is not divisible by
            2**len(filters).
    """
    _check_positive("code_dim", code_dim)
    if not filters:
        raise ValueError("filters must name at least one convolution stage, e.g. (16, 32)")
    for f in filters:
        _check_positive("every entry of filters", f)
    height, width = image_shape
    scale = 2 ** len(filters)
    if height % scale or width % scale:
        raise ValueError(
            f"image_shape {image_shape} is not divisible by 2**len(filters) = {scale}; "
            "use fewer stages or pad the images"
        )
    small = (height // scale, width // scale, filters[-1])

    encoder = keras.Sequential(name=f"{name}_encoder")
    encoder.add(keras.Input(shape=(height * width,)))
    encoder.add(layers.Reshape((height, width, 1)))
    for i, f in enumerate(filters):
        encoder.add(layers.Conv2D(f, 3, strides=2, padding="same", activation="relu",
                                  name=f"conv_{i + 1}"))
    encoder.add(layers.Flatten())
    encoder.add(layers.Dense(code_dim, name="code"))

    decoder = keras.Sequential(name=f"{name}_decoder")
    decoder.add(keras.Input(shape=(code_dim,)))
    decoder.add(layers.Dense(small[0] * small[1] * small[2], activation="relu", name="expand"))
    decoder.add(layers.Reshape(small))
    for i, f in enumerate(reversed(filters[:-1])):
        decoder.add(layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation="relu",
                                           name=f"deconv_{i + 1}"))
    decoder.add(layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid",
                                       name="reconstruction"))
    decoder.add(layers.Reshape((height * width,)))

    inputs = keras.Input(shape=(height * width,), name="image")
    autoencoder = keras.Model(inputs, decoder(encoder(inputs)), name=name)
    return autoencoder, encoder, decoder
