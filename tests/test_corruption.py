import math
import warnings

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
    # x ~ U(0, 1), a fraction ν of pixels hit: masking gives E[x²] = 1/3 per hit pixel, salt and
    # pepper ½ E[x²] + ½ E[(1 − x)²] = 1/3 too; so the MSE is ν/3 (5σ of the estimate ≈ 2 %).
    assert train_loss == pytest.approx(0.4 / 3, rel=0.02)


def std_normal_cdf(z):
    return 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))


def std_normal_pdf(z):
    return np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)


def clipped_gaussian_statistics(sigma):
    """For x ~ U(0, 1) and x̃ = clip(x + ε, 0, 1), ε ~ N(0, σ²), by quadrature over x:
    P(x̃ = 0) = E_x Φ(−x/σ) (= P(x̃ = 1) by symmetry) and E(x̃ − x)², which is
    σ² [Φ(b/σ) − Φ(a/σ) − (b/σ) φ(b/σ) + (a/σ) φ(a/σ)] + x² Φ(−x/σ) + (1 − x)² Φ((x − 1)/σ)
    with a = −x, b = 1 − x (the noise that survives the clip, plus the clipped tails)."""
    x = (np.arange(20000) + 0.5) / 20000
    a, b = -x / sigma, (1 - x) / sigma
    inside = sigma**2 * (std_normal_cdf(b) - std_normal_cdf(a) - b * std_normal_pdf(b)
                         + a * std_normal_pdf(a))
    tails = x**2 * std_normal_cdf(a) + (1 - x) ** 2 * std_normal_cdf(-b)
    return std_normal_cdf(a).mean(), (inside + tails).mean()


P_CLIPPED, MSE_CLIPPED = clipped_gaussian_statistics(0.3)
# Uniform pixels, level 0.3: the fraction of exact zeros and ones, the mean, the MSE to x.
EXPECTED_STATISTICS = {
    "masking": (0.3, 0.0, (1 - 0.3) / 2, 0.3 / 3),
    "salt_and_pepper": (0.15, 0.15, 0.5, 0.3 / 3),
    "gaussian": (P_CLIPPED, P_CLIPPED, 0.5, MSE_CLIPPED),
}


def test_clipped_gaussian_reference_values():
    assert P_CLIPPED == pytest.approx(0.3 / math.sqrt(2 * math.pi), rel=0.01)  # σ φ(0), σ ≪ 1
    assert 0.045 < MSE_CLIPPED < 0.09  # clipping can only shrink an error: below σ² = 0.09


@pytest.mark.parametrize("kind", CORRUPTIONS)
@pytest.mark.parametrize("by", ["function", "layers"])
def test_corruption_statistics_on_uniform_pixels_match_hand_values(kind, by):
    x = np.random.default_rng(0).random((2000, 100)).astype("float32")
    if by == "function":
        out = corrupt(x, kind, 0.3, seed=11)
    else:
        out = x
        for layer in corruption_layers(kind, 0.3, seed=11):
            out = apply(layer, out)
    zeros, ones, mean, mse = EXPECTED_STATISTICS[kind]
    assert np.mean(out == 0.0) == pytest.approx(zeros, abs=0.006)
    assert np.mean(out == 1.0) == pytest.approx(ones, abs=0.006)
    assert out.mean() == pytest.approx(mean, abs=0.004)
    assert np.mean((out - x) ** 2) == pytest.approx(mse, abs=0.003)


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


@pytest.mark.parametrize("layer_class", [MaskingNoise, SaltAndPepperNoise])
def test_layers_are_the_identity_unless_told_they_are_training(layer_class):
    """Called plainly (as in predict) the layer must not corrupt: training defaults to False."""
    x = grey(1000)
    layer = layer_class(0.5, seed=0)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    np.testing.assert_array_equal(np.asarray(layer.call(x)), x)  # call()'s own default too
    model = keras.Sequential([keras.Input((100,)), layer])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert np.mean(np.asarray(layer(x, training=True)) != x) > 0.3


def test_level_one_hits_every_pixel():
    x = grey(10_000)
    np.testing.assert_array_equal(apply(MaskingNoise(1.0, seed=0), x), 0.0)
    np.testing.assert_array_equal(corrupt(x, "masking", 1.0, seed=0), 0.0)
    for out in (apply(SaltAndPepperNoise(1.0, seed=0), x), corrupt(x, "salt_and_pepper", 1.0, 0)):
        assert set(np.unique(out)) == {0.0, 1.0} and abs(out.mean() - 0.5) < 0.02
    assert 0.0 <= corrupt(x, "gaussian", 1.0, seed=0).min()  # σ = 1 is allowed


@pytest.mark.parametrize("layer_class", [MaskingNoise, SaltAndPepperNoise])
def test_noise_layers_keep_a_keras_mask(layer_class):
    masked = keras.layers.Masking(0.0)(keras.Input((5,)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a layer without mask support warns and drops it
        out = layer_class(0.2)(masked)
    assert out._keras_mask is not None


def test_corruption_layers_are_named_seeded_and_ordered():
    noise, clip = corruption_layers("gaussian", 0.2, seed=9)
    assert (noise.name, clip.name) == ("gaussian_noise", "clip_to_unit_range")
    assert noise.seed == 9 and noise.stddev == 0.2 and clip.max_value == 1.0
    (masking,) = corruption_layers("masking", 0.2, seed=9)
    (s_and_p,) = corruption_layers("salt_and_pepper", 0.3, seed=9)
    assert (type(masking), masking.name, masking.rate, masking.seed) == (
        MaskingNoise, "masking_noise", 0.2, 9)
    assert (type(s_and_p), s_and_p.name, s_and_p.rate, s_and_p.seed) == (
        SaltAndPepperNoise, "salt_and_pepper_noise", 0.3, 9)
    x = grey(10_000)
    first = apply(corruption_layers("gaussian", 0.2, seed=9)[0], x)
    np.testing.assert_array_equal(apply(corruption_layers("gaussian", 0.2, seed=9)[0], x), first)


def test_denoising_autoencoder_is_named_after_its_parts():
    ae, _, _ = dense_autoencoder(12, [], 3, name="small")
    dae = denoising_autoencoder(ae, "salt_and_pepper", 0.1)
    assert dae.name == "small_salt_and_pepper_dae" and dae.inputs[0].name == "clean_image"
    assert dae.input_shape == (None, 12) and dae.output_shape == (None, 12)
    assert [layer.name for layer in dae.layers[1:]] == ["salt_and_pepper_noise", "small"]


def test_corrupt_accepts_the_ends_of_the_pixel_range_and_any_float_dtype():
    x = np.array([[0.0, 1.0]])  # float64 in, float32 out
    for kind in CORRUPTIONS:
        out = corrupt(x, kind, 0.5, seed=0)
        assert out.dtype == np.float32 and out.shape == (1, 2)
    np.testing.assert_array_equal(corrupt(np.array([0.25]), "masking", 0.0, seed=0), [0.25])


@pytest.mark.parametrize("bad", [[[1.5, 0.5]], [[-0.5, 0.5]], [[0.5, np.inf]]])
def test_corrupt_names_the_range_it_got(bad):
    low, high = np.nanmin(np.float32(bad)), np.nanmax(np.float32(bad))
    with pytest.raises(ValueError) as err:
        corrupt(np.array(bad), "masking", 0.1, seed=0)
    assert str(err.value) == (f"corrupt expects pixel values in [0, 1], got the range [{low}, "
                              f"{high}]; divide 8-bit images by 255 first")


def test_corruption_error_messages():
    for call, message in [
            (lambda: MaskingNoise(1.5), "rate must lie in [0, 1] (a fraction of pixels, or σ for "
                                        "pixels in [0, 1]), got 1.5"),
            (lambda: MaskingNoise("0.3"), "rate must be a number in [0, 1], got '0.3'"),
            (lambda: corruption_layers("gaussian", -0.1), "level must lie in [0, 1] (a fraction "
                                                          "of pixels, or σ for pixels in [0, 1]), "
                                                          "got -0.1"),
            (lambda: corrupt(grey(100), "speckle", 0.1, 0), "unknown corruption 'speckle'; use "
                                                            "one of gaussian, masking, "
                                                            "salt_and_pepper"),
            (lambda: corrupt(np.zeros((0, 4)), "masking", 0.1, 0),
             "corrupt needs a non-empty array of pixels")]:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message
    assert MaskingNoise(np.float32(0.5)).rate == 0.5 and MaskingNoise(1).rate == 1.0


@pytest.mark.parametrize("layer_class", [MaskingNoise, SaltAndPepperNoise])
@pytest.mark.parametrize("dtype", ["float16", "float64"])
def test_noise_layers_keep_the_layer_dtype(layer_class, dtype):
    """Under a float16 (or float64) layer the corrupted batch keeps that dtype, not float32."""
    out = layer_class(0.5, seed=0, dtype=dtype)(grey(1000), training=True)
    assert out.dtype == dtype
    assert set(np.unique(np.asarray(out, dtype=np.float64))) <= {0.0, 0.5, 1.0}
