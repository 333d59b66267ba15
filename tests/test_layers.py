import keras
import numpy as np
import pytest
import tensorflow as tf

from aeutils.layers import DenseTranspose


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def tied_autoencoder(n_in=5, units=3, seed=0):
    """n_in → Dense(units, sigmoid) → DenseTranspose(sigmoid) → n_in, biases set non-zero."""
    inputs = keras.Input((n_in,))
    encode = keras.layers.Dense(units, activation="sigmoid", name="encode")
    decode = DenseTranspose(encode, activation="sigmoid", name="decode")
    model = keras.Model(inputs, decode(encode(inputs)))
    rng = np.random.default_rng(seed)
    encode.set_weights([rng.normal(size=(n_in, units)), rng.normal(size=units)])
    decode.bias.assign(rng.normal(size=n_in))
    return model, encode, decode


def numpy_tied(x, W, c, b):
    return sig(sig(x @ W + c) @ W.T + b)


def test_output_is_activation_of_input_times_the_transposed_kernel_plus_own_bias():
    model, encode, decode = tied_autoencoder()
    W, c = encode.get_weights()
    b = decode.bias.numpy()
    own = {id(w) for w in decode.weights} - {id(w) for w in encode.weights}
    assert own == {id(decode.bias)} and b.shape == (5,), "the layer owns only its bias"
    x = np.random.default_rng(1).random((4, 5)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), numpy_tied(x, W, c, b), rtol=1e-5)
    h = np.random.default_rng(2).normal(size=(4, 3)).astype("float32")
    linear = DenseTranspose(encode)
    np.testing.assert_allclose(np.asarray(linear(h)), h @ W.T, rtol=1e-5, atol=1e-6)


def test_decoder_follows_the_encoder_kernel():
    model, encode, decode = tied_autoencoder()
    x = np.random.default_rng(1).random((4, 5)).astype("float32")
    before = model.predict(x, verbose=0)
    new_W = np.random.default_rng(7).normal(size=(5, 3)).astype("float32")
    encode.kernel.assign(new_W)
    after = model.predict(x, verbose=0)
    assert np.abs(after - before).max() > 1e-2
    np.testing.assert_allclose(after, numpy_tied(x, new_W, encode.get_weights()[1],
                                                 decode.bias.numpy()), rtol=1e-5)


def test_the_shared_kernel_is_counted_once_and_gets_both_gradients():
    model, encode, decode = tied_autoencoder()
    assert len(model.trainable_weights) == 3  # kernel, encoder bias, decoder bias
    assert model.count_params() == 5 * 3 + 3 + 5
    W, c = (w.astype(np.float64) for w in encode.get_weights())
    b = decode.bias.numpy()
    x = np.random.default_rng(1).random((4, 5)).astype("float32")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((model(x) - x) ** 2)
    (grad,) = tape.gradient(loss, [encode.kernel])
    # By hand: h = σ(xW + c), y = σ(hWᵀ + b), L = Σ (y − x)²; W enters twice.
    h = sig(x @ W + c)
    y = sig(h @ W.T + b)
    dz = 2 * (y - x) * y * (1 - y)         # ∂L/∂(hWᵀ + b)
    da = (dz @ W) * h * (1 - h)            # ∂L/∂(xW + c)
    np.testing.assert_allclose(np.asarray(grad), dz.T @ h + x.T @ da, rtol=1e-4, atol=1e-6)


def test_keras_file_round_trip_keeps_the_tie(tmp_path):
    model, _, _ = tied_autoencoder()
    x = np.random.default_rng(1).random((4, 5)).astype("float32")
    model.save(tmp_path / "tied.keras")
    restored = keras.saving.load_model(tmp_path / "tied.keras")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    encode, decode = restored.get_layer("encode"), restored.get_layer("decode")
    assert isinstance(decode, DenseTranspose) and decode.dense is encode
    assert len(restored.trainable_weights) == 3

    new_W = np.random.default_rng(7).normal(size=(5, 3)).astype("float32")
    before = restored.predict(x, verbose=0)
    encode.kernel.assign(new_W)
    after = restored.predict(x, verbose=0)
    assert np.abs(after - before).max() > 1e-2, "after loading, the decoder must follow"
    np.testing.assert_allclose(after, numpy_tied(x, new_W, encode.get_weights()[1],
                                                 decode.bias.numpy()), rtol=1e-5)


def test_a_decoder_saved_alone_keeps_its_copy_of_the_kernel(tmp_path):
    _, encode, decode = tied_autoencoder()
    decoder = keras.Sequential([keras.Input((3,)), decode])
    decoder.save(tmp_path / "decoder.keras")
    restored = keras.saving.load_model(tmp_path / "decoder.keras")
    h = np.random.default_rng(3).random((4, 3)).astype("float32")
    np.testing.assert_allclose(restored.predict(h, verbose=0), decoder.predict(h, verbose=0),
                               rtol=1e-6)


def test_get_config_holds_every_constructor_argument():
    _, encode, decode = tied_autoencoder()
    config = decode.get_config()
    assert config["activation"] == "sigmoid" and config["name"] == "decode"
    assert config["dense"]["config"]["units"] == 3
    rebuilt = DenseTranspose.from_config(config)
    assert rebuilt.dense.units == 3 and rebuilt.activation is keras.activations.sigmoid


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="Dense layer, got Conv1D$"):
        DenseTranspose(keras.layers.Conv1D(3, 2))
    with pytest.raises(ValueError, match="not built yet: call it on the encoder's input before "
                                         "calling DenseTranspose, so that its kernel exists$"):
        DenseTranspose(keras.layers.Dense(3))(np.zeros((2, 3), "float32"))
    dense = keras.layers.Dense(3)
    dense.build((None, 5))
    with pytest.raises(ValueError, match="width 3"):
        DenseTranspose(dense)(np.zeros((2, 4), "float32"))
    # Symbolic inputs (unknown batch, or unknown length of a sequence) are checked too.
    with pytest.raises(ValueError, match=r"width 3, got shape \(None, 4\)"):
        DenseTranspose(dense)(keras.Input((4,)))
    with pytest.raises(ValueError, match=r"width 3, got shape \(None, None, 4\)"):
        DenseTranspose(dense)(keras.Input((None, 4)))


def test_symbolic_output_shape_and_inputs_with_extra_axes():
    """(batch, units) → (batch, n_in); like Dense, (batch, steps, units) → (batch, steps, n_in)."""
    model, encode, decode = tied_autoencoder()
    assert model.output_shape == (None, 5)
    assert decode.compute_output_shape((None, 3)) == (None, 5)
    inputs = keras.Input((4, 5))
    steps_decode = DenseTranspose(encode, activation="sigmoid")  # built on (None, 4, 3)
    sequence_model = keras.Model(inputs, steps_decode(encode(inputs)))
    assert sequence_model.output_shape == (None, 4, 5)
    steps_decode.bias.assign(decode.bias)
    x = np.random.default_rng(1).random((2, 4, 5)).astype("float32")
    W, c = encode.get_weights()
    np.testing.assert_allclose(sequence_model.predict(x, verbose=0),
                               numpy_tied(x, W, c, decode.bias.numpy()), rtol=1e-5)


def test_the_bias_is_named_like_a_dense_bias():
    """Weight names matter: e.g. AdamW(...).exclude_from_weight_decay(var_names=["bias"])."""
    _, _, decode = tied_autoencoder()
    assert decode.bias.name == "bias" and decode.bias.path == "decode/bias"


def test_mixed_precision_computes_in_the_compute_dtype():
    """Under mixed_float16 the float32 kernel is cast to float16, as keras.layers.Dense does."""
    _, encode, _ = tied_autoencoder()
    decode = DenseTranspose(encode, activation="sigmoid", dtype="mixed_float16")
    h = np.random.default_rng(2).random((4, 3)).astype("float32")
    out = decode(h)
    assert decode.compute_dtype == "float16" and out.dtype == "float16"
    W, _ = encode.get_weights()
    np.testing.assert_allclose(np.asarray(out, "float32"), sig(h @ W.T), rtol=2e-3, atol=2e-3)
