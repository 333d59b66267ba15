"""Greedy layer-wise pretraining (Hinton & Salakhutdinov 2006; Bengio et al. 2007) and unrolling.

Each layer is trained alone, as a shallow model of the codes of the layer below it: a one-hidden-
layer autoencoder (:func:`pretrain_autoencoder_stack`) or an RBM (:func:`pretrain_rbm_stack`).
The trained layers are then stacked into a deep autoencoder, encoder layers in order and decoder
layers in reverse (:func:`stacked_autoencoder`, :func:`unroll_rbm_stack`), to be fine-tuned end to
end with backpropagation, or their encoder is topped with a classifier.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from aeutils import corruption, training
from aeutils.layers import DenseTranspose
from aeutils.rbm import DEFAULT_LEARNING_RATES, BernoulliRBM


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    sizes = list(sizes)
    if not sizes:
        raise ValueError("sizes must name at least one layer width, e.g. (1000, 500, 250, 30)")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"every entry of sizes must be a positive integer, got {size!r}")
    return [int(size) for size in sizes]


def _check_data(x: np.ndarray, unit_range: bool, dtype: str = "float32") -> np.ndarray:
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must have shape (n, features) with n ≥ 1, got {x.shape}; flatten it")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must hold finite values")
    if unit_range and (x.min() < 0.0 or x.max() > 1.0):
        raise ValueError(
            f"x must hold values in [0, 1] here, got the range [{x.min()}, {x.max()}]; divide "
            "8-bit images by 255 first"
        )
    return x


def _encode(layer: layers.Dense, x: np.ndarray) -> np.ndarray:
    """The codes of ``x`` under one trained encoder layer, computed in batches."""
    model = keras.Sequential([keras.Input((x.shape[1],)), layer])
    return model.predict(x, batch_size=1024, verbose=0)


def pretrain_autoencoder_stack(
    x: np.ndarray,
    sizes: Sequence[int],
    *,
    epochs: int,
    activation: str | None = "sigmoid",
    code_activation: str | None = None,
    output_activation: str | None = "sigmoid",
    batch_size: int = 256,
    peak_lr: float = 1e-3,
    corruption_kind: str | None = None,
    corruption_level: float = 0.0,
    seed: int | None = None,
    label: str = "layer",
) -> tuple[list[layers.Dense], list[layers.Dense], list[keras.callbacks.History]]:
    """Greedy layer-wise pretraining of a deep autoencoder, one shallow autoencoder per layer.

    Layer ℓ is trained as ``input → Dense(sizes[ℓ]) → Dense(input width)`` with
    :func:`aeutils.training.train_autoencoder` on the codes of layers 1…ℓ−1 (the data for ℓ = 1),
    which stay frozen meanwhile. Each shallow decoder reconstructs its input in the input's own
    range: with ``output_activation`` for the data, with the activation of the layer below for
    codes; its loss is binary cross-entropy after a sigmoid, mean squared error otherwise. With a
    ``corruption_kind`` every layer is a denoising autoencoder (stacked denoising autoencoders,
    Vincent et al. 2010): corrupted inputs during training, clean codes passed up.

    Args:
        x: training data, shape (n, d); values in [0, 1] when ``output_activation`` is sigmoid.
        sizes: widths of the encoder layers, input side first, e.g. (1000, 500, 250, 30).
        epochs: training epochs of each shallow autoencoder.
        activation: activation of every encoder layer but the last (the code layer).
        code_activation: activation of the code layer; None (linear) as in Hinton & Salakhutdinov.
        output_activation: activation of the first layer's decoder, which reconstructs the data.
        batch_size: examples per gradient step.
        peak_lr: peak learning rate of the warm-up + cosine schedule (Adam).
        corruption_kind: None, or a corruption of :data:`aeutils.corruption.CORRUPTIONS`.
        corruption_level: its level in [0, 1] (see :func:`aeutils.corruption.corruption_layers`).
        seed: seed of the layers' initial weights and of the corruption; None for unseeded.
        label: prefix of each layer's progress line.

    Returns:
        ``(encoder_layers, decoder_layers, histories)``: the trained ``Dense`` layers, encoders
        input side first and decoders code side first (the order in which they are applied), and
        each shallow autoencoder's ``History``. Stack them with :func:`stacked_autoencoder`.

    Raises:
        ValueError: if ``sizes`` is empty or holds a non-positive width, ``x`` is not a
            non-empty 2-D array of finite values (in [0, 1] for a sigmoid output), ``epochs`` < 1
            or the corruption is unknown.
    """
    sizes = _check_sizes(sizes)
    x = _check_data(x, unit_range=output_activation == "sigmoid")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if corruption_kind is not None:
        corruption.corruption_layers(corruption_kind, corruption_level)  # validates both

    encoders, decoders, histories = [], [], []
    codes, activation_below = x, output_activation  # what the shallow decoder must reproduce
    for i, units in enumerate(sizes):
        width = codes.shape[1]
        is_top = i == len(sizes) - 1
        layer_activation = code_activation if is_top else activation
        layer_seed = None if seed is None else seed + 2 * i
        decoder_seed = None if seed is None else seed + 2 * i + 1
        encoder = layers.Dense(units, activation=layer_activation,
                               kernel_initializer=keras.initializers.GlorotUniform(layer_seed),
                               name="code" if is_top else f"enc_{i + 1}")
        decoder = layers.Dense(width, activation=activation_below,
                               kernel_initializer=keras.initializers.GlorotUniform(decoder_seed),
                               name="reconstruction" if i == 0 else f"dec_{len(sizes) - i}")
        inputs = keras.Input((width,), name="codes" if i else "image")
        shallow = keras.Model(inputs, decoder(encoder(inputs)), name=f"shallow_ae_{i + 1}")
        if corruption_kind is not None:
            shallow = corruption.denoising_autoencoder(shallow, corruption_kind,
                                                       corruption_level, seed=layer_seed)
        loss = "binary_crossentropy" if activation_below == "sigmoid" else "mse"
        histories.append(training.train_autoencoder(
            shallow, codes, epochs=epochs, batch_size=batch_size, peak_lr=peak_lr, loss=loss,
            label=f"{label} {i + 1}: {width}→{units}"))
        encoders.append(encoder)
        decoders.insert(0, decoder)
        codes, activation_below = _encode(encoder, codes), layer_activation
    return encoders, decoders, histories


def _copy_dense(layer: layers.Dense, name: str) -> layers.Dense:
    """A fresh built ``Dense`` with the same width, activation and (copied) weights as ``layer``."""
    copy = layers.Dense(layer.units, activation=layer.activation, use_bias=layer.use_bias,
                        name=name)
    copy.build((None, layer.kernel.shape[0]))
    copy.set_weights(layer.get_weights())
    return copy


def stacked_autoencoder(
    encoder_layers: Sequence[layers.Dense],
    decoder_layers: Sequence[layers.Dense],
    *,
    tied: bool = False,
    name: str = "stacked_autoencoder",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Stack pretrained ``Dense`` layers into a deep autoencoder, initialised with their weights.

    The models get fresh layers holding *copies* of the weights, so fine-tuning them leaves the
    pretrained layers as they were, and the same pretraining can start several models (say, a
    deep autoencoder and a classifier on top of ``encoder``). Layers are named as in
    :func:`aeutils.models.dense_autoencoder`: ``enc_1``…, ``code``, ``dec_1``…, ``reconstruction``.

    Args:
        encoder_layers: built ``Dense`` layers, input side first, each one's input the previous
            one's output.
        decoder_layers: built ``Dense`` layers, code side first: ``decoder_layers[j]`` inverts
            ``encoder_layers[-1 - j]`` (its kernel has the transposed shape).
        tied: decode with :class:`aeutils.layers.DenseTranspose` layers tied to the encoder's
            kernels, keeping only the decoders' biases and activations (an unrolled RBM before
            fine-tuning unties it); False for independent decoder weights.
        name: name of the autoencoder; the parts are ``{name}_encoder`` and ``{name}_decoder``.

    Returns:
        ``(autoencoder, encoder, decoder)``: three functional models calling the same layers,
        so they share weights and ``autoencoder(x) == decoder(encoder(x))``. The autoencoder is
        flat (its layers in order, not two nested sub-models), which is what lets a tied
        decoder's tie survive ``autoencoder.save`` (see :class:`aeutils.layers.DenseTranspose`).

    Raises:
        ValueError: if the lists are empty, differ in length, hold something other than built
            ``Dense`` layers, or their shapes do not chain.
    """
    if not encoder_layers or len(encoder_layers) != len(decoder_layers):
        raise ValueError(
            f"need one decoder layer per encoder layer (at least one), got "
            f"{len(encoder_layers)} encoder and {len(decoder_layers)} decoder layers"
        )
    for layer in (*encoder_layers, *decoder_layers):
        if not isinstance(layer, layers.Dense) or not layer.built:
            raise ValueError(f"expected built keras.layers.Dense layers, got {layer!r}")
    shapes = [tuple(layer.kernel.shape) for layer in encoder_layers]
    for below, above in zip(shapes[:-1], shapes[1:], strict=True):
        if below[1] != above[0]:
            raise ValueError(f"encoder layers do not chain: kernel shapes {shapes}")
    for j, layer in enumerate(decoder_layers):
        if tuple(layer.kernel.shape) != shapes[-1 - j][::-1]:
            raise ValueError(
                f"decoder_layers[{j}] has kernel shape {tuple(layer.kernel.shape)} but must invert "
                f"encoder_layers[{len(shapes) - 1 - j}] (kernel shape {shapes[-1 - j]}), i.e. "
                f"have shape {shapes[-1 - j][::-1]}; list the decoder layers code side first"
            )

    depth = len(encoder_layers)
    new_encoders = [_copy_dense(layer, "code" if i == depth - 1 else f"enc_{i + 1}")
                    for i, layer in enumerate(encoder_layers)]
    new_decoders: list[layers.Layer] = []
    for j, layer in enumerate(decoder_layers):
        layer_name = "reconstruction" if j == depth - 1 else f"dec_{j + 1}"
        if tied:
            tied_layer = DenseTranspose(new_encoders[depth - 1 - j],
                                        activation=layer.activation, name=layer_name)
            tied_layer.build((None, layer.kernel.shape[0]))
            if layer.use_bias:
                tied_layer.bias.assign(layer.bias)
            new_decoders.append(tied_layer)
        else:
            new_decoders.append(_copy_dense(layer, layer_name))

    def apply(stack: list[layers.Layer], tensor: keras.KerasTensor) -> keras.KerasTensor:
        for layer in stack:
            tensor = layer(tensor)
        return tensor

    inputs = keras.Input((shapes[0][0],), name="image")
    codes = keras.Input((shapes[-1][1],), name="code_input")
    code = apply(new_encoders, inputs)
    return (keras.Model(inputs, apply(new_decoders, code), name=name),
            keras.Model(inputs, code, name=f"{name}_encoder"),
            keras.Model(codes, apply(new_decoders, codes), name=f"{name}_decoder"))


def pretrain_rbm_stack(
    x: np.ndarray,
    sizes: Sequence[int],
    *,
    epochs: int,
    gaussian_top: bool = True,
    batch_size: int = 100,
    learning_rate: float = DEFAULT_LEARNING_RATES["bernoulli"],
    gaussian_learning_rate: float = DEFAULT_LEARNING_RATES["gaussian"],
    k: int = 1,
    momentum: float = 0.9,
    initial_momentum: float = 0.5,
    initial_momentum_epochs: int = 5,
    weight_decay: float = 2e-4,
    weight_std: float = 0.1,
    seed: int | None = None,
    dtype: str = "float32",
) -> list[BernoulliRBM]:
    """Greedy layer-wise RBM pretraining as in Hinton & Salakhutdinov (2006).

    RBM ℓ has ``sizes[ℓ]`` hidden units and is trained by :meth:`BernoulliRBM.fit` on the hidden
    probabilities E[h | v] of RBM ℓ − 1 for the whole data set (the data for ℓ = 1), computed
    after RBM ℓ − 1 is trained. The last RBM has Gaussian (linear) hidden units when
    ``gaussian_top``, giving a real-valued code; the others are Bernoulli. Defaults are those of
    the paper's code; it trained each layer for 50 epochs with sizes (1000, 500, 250, 30) on MNIST.

    Args:
        x: training data, shape (n, d), values in [0, 1].
        sizes: hidden widths, input side first.
        epochs: CD epochs per RBM.
        gaussian_top: Gaussian hidden units in the last RBM.
        batch_size: examples per CD update.
        learning_rate: learning rate of the RBMs with Bernoulli hidden units.
        gaussian_learning_rate: learning rate of the RBM with Gaussian hidden units.
        k: Gibbs steps per update (CD-k).
        momentum: momentum after the first ``initial_momentum_epochs`` epochs.
        initial_momentum: momentum during the first ``initial_momentum_epochs`` epochs.
        initial_momentum_epochs: how many epochs use ``initial_momentum``.
        weight_decay: L2 weight cost on the weights.
        weight_std: standard deviation of the initial weights.
        seed: RBM ℓ is seeded with ``seed + ℓ``; None for unseeded.
        dtype: ``"float32"`` or ``"float64"``.

    Returns:
        The trained RBMs, input side first; ``rbm.history`` holds each one's per-epoch
        reconstruction errors. Unroll them with :func:`unroll_rbm_stack`.

    Raises:
        ValueError: if ``sizes`` is empty or holds a non-positive width, ``x`` is not a 2-D array
            of values in [0, 1], or a hyperparameter is out of range.
    """
    sizes = _check_sizes(sizes)
    x = _check_data(x, unit_range=True, dtype=dtype)  # no float32 rounding for float64 RBMs
    rbms: list[BernoulliRBM] = []
    data = x
    for i, units in enumerate(sizes):
        gaussian = gaussian_top and i == len(sizes) - 1
        rbm = BernoulliRBM(data.shape[1], units, hidden="gaussian" if gaussian else "bernoulli",
                           weight_std=weight_std, seed=None if seed is None else seed + i,
                           dtype=dtype)
        rbm.fit(data, epochs=epochs, batch_size=batch_size,
                learning_rate=gaussian_learning_rate if gaussian else learning_rate, k=k,
                momentum=momentum, initial_momentum=initial_momentum,
                initial_momentum_epochs=initial_momentum_epochs, weight_decay=weight_decay)
        rbms.append(rbm)
        if i < len(sizes) - 1:
            data = rbm.hidden_means(data)
    return rbms


def unroll_rbm_stack(
    rbms: Sequence[BernoulliRBM], *, tied: bool = False, name: str = "rbm_autoencoder"
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Unroll a stack of RBMs into a deep autoencoder whose weights start at the RBMs'.

    The encoder applies each RBM's E[h | v] in turn (kernel W, bias c: sigmoid layers, a linear
    code for a Gaussian top); the decoder applies each RBM's p(v = 1 | h) in reverse (kernel Wᵀ,
    bias b, sigmoid). So before fine-tuning, ``autoencoder(x)`` is the stack's deterministic
    up-down pass, and ``encoder(x)`` its top-level hidden means. As in the 2006 paper's code the
    decoder weights start as copies of the encoder's and fine-tuning unties them; ``tied=True``
    keeps them tied (:class:`aeutils.layers.DenseTranspose`).

    Args:
        rbms: trained RBMs, input side first, each one's ``n_visible`` the previous one's
            ``n_hidden``; only the last may have Gaussian hidden units.
        tied: decode with the transposed encoder kernels instead of copies.
        name: name of the autoencoder (see :func:`stacked_autoencoder`).

    Returns:
        ``(autoencoder, encoder, decoder)`` as from :func:`stacked_autoencoder`.

    Raises:
        ValueError: if ``rbms`` is empty, holds something other than :class:`BernoulliRBM`, the
            sizes do not chain, or an RBM below the top has Gaussian hidden units.
    """
    rbms = list(rbms)
    if not rbms:
        raise ValueError("rbms must hold at least one trained BernoulliRBM")
    for i, rbm in enumerate(rbms):
        if not isinstance(rbm, BernoulliRBM):
            raise ValueError(f"rbms[{i}] is not a BernoulliRBM: {rbm!r}")
        if i and rbm.n_visible != rbms[i - 1].n_hidden:
            raise ValueError(
                f"rbms[{i}] has {rbm.n_visible} visible units but rbms[{i - 1}] has "
                f"{rbms[i - 1].n_hidden} hidden units; they must match to stack"
            )
        if rbm.hidden == "gaussian" and i < len(rbms) - 1:
            raise ValueError(
                f"rbms[{i}] has Gaussian hidden units, whose real values cannot be the visible "
                "units of the next RBM; only the top RBM may be Gaussian"
            )
    pairs = [rbm.to_dense_layers(f"rbm_{i + 1}") for i, rbm in enumerate(rbms)]
    return stacked_autoencoder([up for up, _ in pairs], [down for _, down in pairs[::-1]],
                               tied=tied, name=name)
