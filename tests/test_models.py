import keras
import numpy as np
import pytest

from aeutils.models import conv_autoencoder, dense_autoencoder


def test_dense_autoencoder_shapes_and_parameter_count():
    ae, enc, dec = dense_autoencoder(784, [1000, 500, 250], 30)
    x = np.random.default_rng(0).random((4, 784)).astype("float32")
    assert enc.predict(x, verbose=0).shape == (4, 30)
    assert ae.predict(x, verbose=0).shape == (4, 784)
    widths = [784, 1000, 500, 250, 30]
    one_way = sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=True))
    back = sum(a * b + b for a, b in zip(widths[::-1][:-1], widths[::-1][1:], strict=True))
    assert ae.count_params() == one_way + back
    np.testing.assert_allclose(ae.predict(x, verbose=0),
                               dec.predict(enc.predict(x, verbose=0), verbose=0), atol=1e-6)


def test_batch_norm_variant_normalises_hidden_layers_and_saves(tmp_path):
    ae, enc, _ = dense_autoencoder(20, [16, 8], 3, batch_norm=True)
    bn_layers = [lyr for lyr in enc.layers if isinstance(lyr, keras.layers.BatchNormalization)]
    assert len(bn_layers) == 2 and not enc.get_layer("enc_1").use_bias
    x = np.random.default_rng(0).random((64, 20)).astype("float32") * 5 + 3
    hidden = keras.Sequential(enc.layers[:2])(x, training=True)  # dense, then batch norm
    np.testing.assert_allclose(np.mean(hidden, axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(np.std(hidden, axis=0), 1.0, atol=0.02)
    ae.save(tmp_path / "bn.keras")
    restored = keras.saving.load_model(tmp_path / "bn.keras")
    np.testing.assert_allclose(restored.predict(x, verbose=0), ae.predict(x, verbose=0), atol=1e-6)


def test_linear_autoencoder_is_an_affine_map():
    ae, _, _ = dense_autoencoder(6, [], 2, activation=None, output_activation=None)
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(1, 6)).astype("float32"), rng.normal(size=(1, 6)).astype("float32")
    f = lambda v: ae.predict(v, verbose=0)  # noqa: E731
    np.testing.assert_allclose(f(0.3 * a + 0.7 * b), 0.3 * f(a) + 0.7 * f(b), atol=1e-5)
    w1, _ = ae.get_layer(index=1).get_layer("code").get_weights()
    assert w1.shape == (6, 2)


def test_code_activation_applies_to_the_code_layer_only():
    _, enc, _ = dense_autoencoder(5, [], 8, code_activation="relu")
    codes = enc.predict(np.random.default_rng(0).normal(size=(20, 5)).astype("float32"), verbose=0)
    assert codes.min() == 0.0 and codes.max() > 0.0
    _, linear_enc, _ = dense_autoencoder(5, [], 8)
    x = np.random.default_rng(0).normal(size=(20, 5)).astype("float32")
    assert linear_enc.predict(x, verbose=0).min() < 0.0


def test_models_save_and_load_as_keras_files(tmp_path):
    x = np.random.default_rng(0).random((3, 784)).astype("float32")
    for build in (lambda: dense_autoencoder(784, [32], 4), lambda: conv_autoencoder(4)):
        ae, _, _ = build()
        path = tmp_path / f"{ae.name}.keras"
        ae.save(path)
        restored = keras.saving.load_model(path)
        np.testing.assert_allclose(restored.predict(x, verbose=0), ae.predict(x, verbose=0),
                                   atol=1e-6)


def test_conv_autoencoder_maps_flat_images_to_flat_images_in_unit_range():
    ae, enc, dec = conv_autoencoder(30, filters=(8, 16))
    x = np.random.default_rng(0).random((2, 784)).astype("float32")
    out = ae.predict(x, verbose=0)
    assert enc.predict(x, verbose=0).shape == (2, 30) and out.shape == (2, 784)
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert dec.output_shape == (None, 784)


@pytest.mark.parametrize("kwargs, match", [
    ({"input_dim": 0, "hidden_units": [], "code_dim": 2}, "input_dim"),
    ({"input_dim": 4, "hidden_units": [3, -1], "code_dim": 2}, "hidden_units"),
    ({"input_dim": 4, "hidden_units": [], "code_dim": 2.5}, "code_dim"),
])
def test_dense_autoencoder_rejects_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dense_autoencoder(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"code_dim": 2, "filters": ()}, "at least one"),
    ({"code_dim": 2, "filters": (8, 8, 8)}, "not divisible"),
    ({"code_dim": 0}, "code_dim"),
])
def test_conv_autoencoder_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv_autoencoder(**kwargs)


def relu(z):
    return np.maximum(z, 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def identity(z):
    return z


BN_EPSILON = 1e-3  # Keras' BatchNormalization default


def randomise_weights(model, seed=0):
    """Every weight random, biases and batch-norm statistics included, so none can hide."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        values = rng.normal(scale=0.7, size=weight.shape)
        if "variance" in weight.path:
            values = np.abs(values) + 0.5
        weight.assign(values.astype("float32"))


def numpy_forward(h, part, spec, batch_norm):
    """The forward pass in NumPy: for each (layer name, kernel shape, activation) of ``spec``,
    h ← act(h W + b), or with batch norm act((h W − μ) / √(σ² + ε) · γ + β) without a bias."""
    h = np.asarray(h, dtype=np.float64)
    for name, kernel_shape, act in spec:
        weights = part.get_layer(name).get_weights()
        if batch_norm and name not in ("code", "reconstruction"):
            (kernel,) = weights  # no bias before batch norm
            gamma, beta, mean, variance = part.get_layer(f"{name}_bn").get_weights()
            h = (h @ kernel - mean) / np.sqrt(variance + BN_EPSILON) * gamma + beta
        else:
            kernel, bias = weights
            h = h @ kernel + bias
        assert kernel.shape == kernel_shape, (name, kernel.shape)
        h = act(h)
    return h


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("kwargs, hidden, code, output", [
    ({}, relu, identity, sigmoid),  # the defaults: ReLU hidden layers, linear code, sigmoid out
    ({"activation": "tanh", "code_activation": "sigmoid", "output_activation": None},
     np.tanh, sigmoid, identity),
    ({"activation": None, "code_activation": "relu", "output_activation": "tanh"},
     identity, relu, np.tanh)])
def test_dense_autoencoder_computes_the_documented_function(batch_norm, kwargs, hidden, code,
                                                            output):
    ae, enc, dec = dense_autoencoder(6, [5, 4], 3, batch_norm=batch_norm, **kwargs)
    randomise_weights(ae)
    x = np.random.default_rng(1).normal(size=(16, 6)).astype("float32")
    codes = numpy_forward(x, enc, [("enc_1", (6, 5), hidden), ("enc_2", (5, 4), hidden),
                                   ("code", (4, 3), code)], batch_norm)
    images = numpy_forward(codes, dec, [("dec_1", (3, 4), hidden), ("dec_2", (4, 5), hidden),
                                        ("reconstruction", (5, 6), output)], batch_norm)
    np.testing.assert_allclose(enc.predict(x, verbose=0), codes, atol=1e-4)
    np.testing.assert_allclose(dec.predict(codes.astype("float32"), verbose=0), images, atol=1e-4)
    np.testing.assert_allclose(ae.predict(x, verbose=0), images, atol=1e-4)


def test_dense_autoencoder_names_its_parts_and_layers():
    ae, enc, dec = dense_autoencoder(6, [5, 4], 3, batch_norm=True, name="deep")
    assert (ae.name, enc.name, dec.name) == ("deep", "deep_encoder", "deep_decoder")
    assert [layer.name for layer in enc.layers] == [
        "enc_1", "enc_1_bn", "enc_1_act", "enc_2", "enc_2_bn", "enc_2_act", "code"]
    assert [layer.name for layer in dec.layers] == [
        "dec_1", "dec_1_bn", "dec_1_act", "dec_2", "dec_2_bn", "dec_2_act", "reconstruction"]
    assert ae.inputs[0].name == "image"
    assert [type(layer).__name__ for layer in ae.layers] == ["InputLayer", "Sequential",
                                                             "Sequential"]
    assert ae.layers[1] is enc and ae.layers[2] is dec
    plain, plain_enc, plain_dec = dense_autoencoder(6, [5], 3)
    assert (plain.name, plain_enc.name, plain_dec.name) == (
        "autoencoder", "autoencoder_encoder", "autoencoder_decoder")
    assert [layer.name for layer in plain_enc.layers] == ["enc_1", "code"]
    assert [layer.name for layer in plain_dec.layers] == ["dec_1", "reconstruction"]
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in plain.layers)


def test_smallest_sizes_are_accepted():
    ae, _, _ = dense_autoencoder(1, [1], 1)
    assert ae.output_shape == (None, 1)
    conv, _, _ = conv_autoencoder(1, filters=(1,), image_shape=(2, 2))
    assert conv.output_shape == (None, 4)


def layer_spec(layer):
    """Class, the name for named layers, the arguments that define the computation, out shape."""
    config = layer.get_config()
    keys = ("filters", "kernel_size", "strides", "padding", "activation", "units", "target_shape")
    return (type(layer).__name__, {k: config[k] for k in keys if k in config},
            tuple(layer.output.shape))


def test_conv_autoencoder_stages_mirror_each_other():
    ae, enc, dec = conv_autoencoder(5, filters=(4, 6, 8), image_shape=(16, 8), name="cae")
    assert (ae.name, enc.name, dec.name) == ("cae", "cae_encoder", "cae_decoder")
    conv = {"kernel_size": (3, 3), "strides": (2, 2), "padding": "same"}
    assert [layer_spec(layer) for layer in enc.layers] == [
        ("Reshape", {"target_shape": (16, 8, 1)}, (None, 16, 8, 1)),
        ("Conv2D", {"filters": 4, **conv, "activation": "relu"}, (None, 8, 4, 4)),
        ("Conv2D", {"filters": 6, **conv, "activation": "relu"}, (None, 4, 2, 6)),
        ("Conv2D", {"filters": 8, **conv, "activation": "relu"}, (None, 2, 1, 8)),
        ("Flatten", {}, (None, 16)),
        ("Dense", {"activation": "linear", "units": 5}, (None, 5))]
    assert [layer_spec(layer) for layer in dec.layers] == [
        ("Dense", {"activation": "relu", "units": 16}, (None, 16)),
        ("Reshape", {"target_shape": (2, 1, 8)}, (None, 2, 1, 8)),
        ("Conv2DTranspose", {"filters": 6, **conv, "activation": "relu"}, (None, 4, 2, 6)),
        ("Conv2DTranspose", {"filters": 4, **conv, "activation": "relu"}, (None, 8, 4, 4)),
        ("Conv2DTranspose", {"filters": 1, **conv, "activation": "sigmoid"}, (None, 16, 8, 1)),
        ("Reshape", {"target_shape": (128,)}, (None, 128))]
    names = [layer.name for layer in enc.layers + dec.layers if "reshape" not in layer.name
             and "flatten" not in layer.name]
    assert names == ["conv_1", "conv_2", "conv_3", "code", "expand", "deconv_1", "deconv_2",
                     "reconstruction"]
    assert ae.inputs[0].name == "image" and ae.input_shape == (None, 128)


def test_conv_autoencoder_default_is_two_stages_on_28x28():
    ae, enc, dec = conv_autoencoder(3)
    assert ae.name == "conv_autoencoder" and enc.name == "conv_autoencoder_encoder"
    filters = [layer.filters for layer in enc.layers if isinstance(layer, keras.layers.Conv2D)]
    assert filters == [16, 32] and enc.get_layer("conv_2").output.shape == (None, 7, 7, 32)
    assert dec.get_layer("expand").units == 7 * 7 * 32 and ae.output_shape == (None, 784)


@pytest.mark.parametrize("kwargs, message", [
    ({"input_dim": 0, "hidden_units": [], "code_dim": 2}, "input_dim must be a positive integer, "
                                                          "got 0"),
    ({"input_dim": 4, "hidden_units": [3, -1], "code_dim": 2},
     "every entry of hidden_units must be a positive integer, got -1"),
    ({"input_dim": 4, "hidden_units": [], "code_dim": 2.5}, "code_dim must be a positive integer, "
                                                            "got 2.5"),
    ({"input_dim": True, "hidden_units": [], "code_dim": 2}, "input_dim must be a positive "
                                                             "integer, got True")])
def test_dense_autoencoder_error_messages(kwargs, message):
    with pytest.raises(ValueError) as err:
        dense_autoencoder(**kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize("kwargs, message", [
    ({"code_dim": 2, "filters": ()}, "filters must name at least one convolution stage, "
                                     "e.g. (16, 32)"),
    ({"code_dim": 2, "filters": (8, 0)}, "every entry of filters must be a positive integer, "
                                         "got 0"),
    ({"code_dim": True}, "code_dim must be a positive integer, got True"),
    ({"code_dim": 2, "image_shape": (28, 30)}, "image_shape (28, 30) is not divisible by "
                                               "2**len(filters) = 4; use fewer stages or pad "
                                               "the images"),
    ({"code_dim": 2, "image_shape": (30, 28)}, "image_shape (30, 28) is not divisible by "
                                               "2**len(filters) = 4; use fewer stages or pad "
                                               "the images")])
def test_conv_autoencoder_error_messages(kwargs, message):
    with pytest.raises(ValueError) as err:
        conv_autoencoder(**kwargs)
    assert str(err.value) == message
