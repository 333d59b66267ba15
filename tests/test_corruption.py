import keras
import numpy as np
import pytest

from aeutils.corruption import (
    CORRUPTIONS,
    MaskingNoise,
    SaltAndPepperNoise,
    corrupt,
    corruption_layers,
    denoising_autoencoder,
)
from aeutils.models import dense_autoencoder

N_PIXELS = 200_000  # binomial std of a fraction ≤ 0.5/√N ≈ 0.0011; tolerances below are 5σ


def grey(n: int = N_PIXELS, value: float = 0.5) -> np.ndarray:
    """A flat grey batch: every corruption shows up as a value different from ``value``."""
    return np.full((n // 100, 100), value, dtype="float32")


def apply(layer: keras.layers.Layer, x: np.ndarray, training: bool = True) -> np.ndarray:
    return np.asarray(layer(x, training=training))


@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5, 0.9])
def test_masking_layer_zeros_the_stated_fraction_without_rescaling(rate):
    out = apply(MaskingNoise(rate, seed=1), grey())
    assert np.mean(out == 0.0) == pytest.approx(rate, abs=0.006)
    assert set(np.unique(out)) <= {0.0, 0.5}  # survivors keep their value: no 1/(1 − rate)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.6])
def test_salt_and_pepper_layer_sets_half_the_hits_to_zero_and_half_to_one(rate):
    out = apply(SaltAndPepperNoise(rate, seed=2), grey())
    assert np.mean(out == 0.0) == pytest.approx(rate / 2, abs=0.006)
    assert np.mean(out == 1.0) == pytest.approx(rate / 2, abs=0.006)
    assert set(np.unique(out)) <= {0.0, 0.5, 1.0}


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corruption_layers_are_the_identity_at_inference(kind):
    x = np.random.default_rng(0).random((64, 784)).astype("float32")
    out = x
    for layer in corruption_layers(kind, 0.5, seed=3):
        out = apply(layer, out, training=False)
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corruption_layers_change_inputs_in_training_and_stay_in_unit_range(kind):
    x = np.random.default_rng(0).random((64, 784)).astype("float32")
    out = x
    for layer in corruption_layers(kind, 0.5, seed=3):
        out = apply(layer, out)
    assert np.mean(out != x) > 0.2
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_gaussian_layers_add_noise_of_the_stated_stddev_before_clipping():
    noise, clip = corruption_layers("gaussian", 0.1, seed=4)
    assert isinstance(noise, keras.layers.GaussianNoise)  # Keras' own layer, not a rewrite
    x = grey()
    added = apply(noise, x) - x
    assert added.std() == pytest.approx(0.1, rel=0.01)
    assert abs(added.mean()) < 0.001
    np.testing.assert_array_equal(
        apply(clip, np.array([[-0.3, 0.0, 0.4, 1.0, 1.7]], "float32")),
        np.array([[0.0, 0.0, 0.4, 1.0, 1.0]], "float32"),
    )


@pytest.mark.parametrize("layer_class", [MaskingNoise, SaltAndPepperNoise])
def test_layer_seeds_make_draws_repeatable_and_fresh_each_call(layer_class):
    x = grey(10_000)
    first, second = layer_class(0.3, seed=7), layer_class(0.3, seed=7)
    draw_a, draw_b = apply(first, x), apply(second, x)
    np.testing.assert_array_equal(draw_a, draw_b)  # same seed, same sequence
    assert np.mean(apply(first, x) != draw_a) > 0.1  # the next batch gets new noise
    assert np.mean(apply(layer_class(0.3, seed=8), x) != draw_a) > 0.1


@pytest.mark.parametrize("layer_class", [MaskingNoise, SaltAndPepperNoise])
def test_layers_rebuild_from_their_config(layer_class):
    layer = layer_class(0.2, seed=5, name="noise")
    clone = layer_class.from_config(layer.get_config())
    assert (clone.rate, clone.seed, clone.name) == (0.2, 5, "noise")
    registered = keras.saving.get_registered_object(f"aeutils>{layer_class.__name__}")
    assert registered is layer_class


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_denoising_autoencoder_saves_and_loads_as_keras_file(kind, tmp_path):
    keras.utils.set_random_seed(0)
    ae, _, _ = dense_autoencoder(784, [32], 8)
    dae = denoising_autoencoder(ae, kind, 0.3, seed=1)
    x = np.random.default_rng(1).random((16, 784)).astype("float32")
    path = tmp_path / f"{kind}.keras"
    dae.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(dae(x)), atol=1e-6)
    np.testing.assert_allclose(np.asarray(dae(x)), np.asarray(ae(x)), atol=1e-6)  # shares weights
    noise = [layer for layer in loaded.layers if "noise" in layer.name]
    assert len(noise) == 1 and noise[0].get_config()["seed"] == 1


@pytest.mark.parametrize("kind", ["masking", "salt_and_pepper"])
def test_denoising_autoencoder_is_scored_on_corrupted_inputs_against_clean_targets(kind):
    """With an identity "autoencoder", the training loss is the corruption's own MSE on average."""
    copy = keras.layers.Dense(100, use_bias=False, kernel_initializer="identity")
    identity = keras.Sequential([keras.Input((100,)), copy])
    dae = denoising_autoencoder(identity, kind, 0.4, seed=0)
    dae.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x = np.random.default_rng(2).random((2000, 100)).astype("float32")
    assert dae.evaluate(x, x, verbose=0) == pytest.approx(0.0, abs=1e-10)  # inference: identity
    dae.reset_metrics()  # Keras 3.13 would otherwise average evaluate's loss into the next one
    train_loss = dae.train_on_batch(x, x)  # training: the model saw x̃, the target was x
    expected = np.mean((corrupt(x, kind, 0.4, seed=0) - x) ** 2)
    assert train_loss == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupt_function_matches_the_layers_statistics(kind):
    x = np.random.default_rng(0).random((2000, 100)).astype("float32")
    by_function = corrupt(x, kind, 0.3, seed=11)
    by_layer = x
    for layer in corruption_layers(kind, 0.3, seed=11):
        by_layer = apply(layer, by_layer)
    for stat in (np.mean, np.std, lambda a: np.mean(a == 0.0), lambda a: np.mean(a == 1.0)):
        assert stat(by_function) == pytest.approx(stat(by_layer), abs=0.006)


def test_corrupt_fractions_and_gaussian_stddev():
    x = grey()
    assert np.mean(corrupt(x, "masking", 0.4, seed=0) == 0.0) == pytest.approx(0.4, abs=0.006)
    s_and_p = corrupt(x, "salt_and_pepper", 0.4, seed=0)
    assert np.mean(s_and_p == 0.0) == pytest.approx(0.2, abs=0.006)
    assert np.mean(s_and_p == 1.0) == pytest.approx(0.2, abs=0.006)
    noise = corrupt(x, "gaussian", 0.1, seed=0) - x  # σ = 0.1 around 0.5: clipping is negligible
    assert noise.std() == pytest.approx(0.1, rel=0.01)


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupt_is_seeded_pure_and_in_range(kind):
    x = np.random.default_rng(0).random((50, 784)).astype("float32")
    before = x.copy()
    a, b = corrupt(x, kind, 0.5, seed=3), corrupt(x, kind, 0.5, seed=3)
    np.testing.assert_array_equal(a, b)
    assert np.mean(corrupt(x, kind, 0.5, seed=4) != a) > 0.2
    np.testing.assert_array_equal(x, before)
    assert a.dtype == np.float32 and a.shape == x.shape
    assert a.min() >= 0.0 and a.max() <= 1.0
    np.testing.assert_array_equal(corrupt(x, kind, 0.0, seed=3), x)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), float("inf"), True, "0.3", None])
def test_bad_levels_raise_a_clear_error(bad):
    x = grey(1000)
    with pytest.raises(ValueError, match=r"must (lie in|be a number in) \[0, 1\]"):
        MaskingNoise(bad)
    with pytest.raises(ValueError, match=r"must (lie in|be a number in) \[0, 1\]"):
        SaltAndPepperNoise(bad)
    with pytest.raises(ValueError, match=r"level must (lie in|be a number in) \[0, 1\]"):
        corruption_layers("gaussian", bad)
    with pytest.raises(ValueError, match=r"level must (lie in|be a number in) \[0, 1\]"):
        corrupt(x, "masking", bad, seed=0)


def test_unknown_kind_and_out_of_range_pixels_raise_a_clear_error():
    with pytest.raises(ValueError, match="unknown corruption 'dropout'"):
        corruption_layers("dropout", 0.1)
    with pytest.raises(ValueError, match="unknown corruption"):
        corrupt(grey(1000), "speckle", 0.1, seed=0)
    with pytest.raises(ValueError, match=r"divide 8-bit images by 255"):
        corrupt(np.full((2, 4), 255.0), "masking", 0.1, seed=0)
    with pytest.raises(ValueError, match=r"pixel values in \[0, 1\]"):
        corrupt(np.array([[0.2, np.nan]]), "gaussian", 0.1, seed=0)
    with pytest.raises(ValueError, match="non-empty"):
        corrupt(np.zeros((0, 784)), "masking", 0.1, seed=0)
