import keras
import numpy as np
import pytest
import tensorflow as tf

from aeutils.regularizers import KLSparsity, kl_divergence


def kl_numpy(rho, rho_hat):
    return rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))


def test_kl_divergence_matches_the_bernoulli_formula_and_vanishes_at_rho():
    rho_hat = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(kl_divergence(0.2, rho_hat), kl_numpy(0.2, rho_hat), rtol=1e-6)
    assert float(kl_divergence(0.2, np.array(0.2))) == pytest.approx(0.0, abs=1e-7)
    assert np.all(np.asarray(kl_divergence(0.2, rho_hat)) >= -1e-7)


def test_kl_divergence_is_finite_at_dead_and_saturated_units():
    values = np.asarray(kl_divergence(0.05, np.array([0.0, 1.0])))
    assert np.all(np.isfinite(values)) and np.all(values > 0)
    np.testing.assert_allclose(values, kl_numpy(0.05, np.array([1e-7, 1 - 1e-7])), rtol=1e-4)


@pytest.mark.parametrize("batch_size", [1, 7, 32, 100])
def test_added_loss_is_beta_sum_kl_whatever_the_batch_size(batch_size):
    layer = keras.layers.Dense(6, activation="sigmoid", activity_regularizer=KLSparsity(0.1, 3.0))
    x = np.random.default_rng(batch_size).normal(size=(batch_size, 4)).astype("float32")
    activations = np.asarray(layer(x))  # builds the layer and records its activity loss
    expected = 3.0 * kl_numpy(0.1, activations.astype(np.float64).mean(axis=0)).sum()
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(expected, rel=1e-5)


def test_model_loss_is_data_loss_plus_the_penalty():
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(3, activation="sigmoid", activity_regularizer=KLSparsity(0.2, 2.0))
    model = keras.Model(inputs, keras.layers.Dense(5)(hidden(inputs)))
    model.compile(loss="mse")
    x = np.random.default_rng(0).random((40, 5)).astype("float32")
    encoder = keras.Model(inputs, hidden.output)
    rho_hat = encoder.predict(x, verbose=0).astype(np.float64).mean(axis=0)
    data_loss = np.mean((model.predict(x, verbose=0) - x) ** 2)
    expected = data_loss + 2.0 * kl_numpy(0.2, rho_hat).sum()
    assert model.evaluate(x, x, batch_size=40, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_gradient_matches_the_ufldl_backprop_term():
    rho, beta, m = 0.1, 3.0, 8
    activations = tf.constant(np.random.default_rng(1).uniform(0.05, 0.95, (m, 4)))
    with tf.GradientTape() as tape:
        tape.watch(activations)
        penalty = KLSparsity(rho, beta).penalty(activations)
    rho_hat = activations.numpy().mean(axis=0)
    ufldl = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat)) / m  # eq. 7, per example
    np.testing.assert_allclose(tape.gradient(penalty, activations).numpy(),
                               np.tile(ufldl, (m, 1)), rtol=1e-9)


def test_model_with_the_regularizer_saves_and_loads(tmp_path):
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(3, activation="sigmoid", activity_regularizer=KLSparsity(0.05, 3.0))
    model = keras.Model(inputs, keras.layers.Dense(5)(hidden(inputs)))
    model.compile(loss="mse")
    x = np.random.default_rng(0).random((16, 5)).astype("float32")
    model.save(tmp_path / "sparse.keras")
    restored = keras.saving.load_model(tmp_path / "sparse.keras", compile=False)
    restored.compile(loss="mse")
    regularizer = restored.layers[1].activity_regularizer
    assert isinstance(regularizer, KLSparsity) and regularizer.get_config() == {"rho": 0.05,
                                                                               "beta": 3.0}
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    assert restored.evaluate(x, x, verbose=0) == pytest.approx(model.evaluate(x, x, verbose=0))


@pytest.mark.parametrize("kwargs, match", [
    ({"rho": 0.0}, "strictly between 0 and 1"), ({"rho": 1.0}, "strictly between 0 and 1"),
    ({"rho": -0.1}, "rho"), ({"beta": -1.0}, "beta"), ({"beta": float("nan")}, "beta")])
def test_bad_arguments_say_which_and_why(kwargs, match):
    with pytest.raises(ValueError, match=match):
        KLSparsity(**kwargs)
    if "rho" in kwargs:
        with pytest.raises(ValueError, match="rho"):
            kl_divergence(kwargs["rho"], np.array([0.5]))
