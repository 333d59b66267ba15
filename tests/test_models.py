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
