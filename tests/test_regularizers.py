import keras
import numpy as np
import pytest
import tensorflow as tf

from aeutils.regularizers import KLSparsity, L1Activity, kl_divergence


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


def sparse_model(penalty_layer, n_in=5, n_hidden=3):
    """n_in → sigmoid hidden → penalty layer → linear n_in; returns (model, encoder)."""
    inputs = keras.Input((n_in,))
    hidden = keras.layers.Dense(n_hidden, activation="sigmoid")(inputs)
    coded = penalty_layer(hidden)
    model = keras.Model(inputs, keras.layers.Dense(n_in)(coded))
    return model, keras.Model(inputs, coded)


@pytest.mark.parametrize("batch_size", [1, 7, 32, 100])
def test_added_loss_is_beta_sum_kl_whatever_the_batch_size(batch_size):
    layer = KLSparsity(0.1, 3.0)
    activations = np.random.default_rng(batch_size).uniform(0.01, 0.99, (batch_size, 6))
    outputs = layer(activations.astype("float32"))  # eager call: records the loss
    expected = 3.0 * kl_numpy(0.1, activations.astype("float32").astype(np.float64).mean(axis=0))
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(expected.sum(), rel=1e-5)
    np.testing.assert_array_equal(np.asarray(outputs), activations.astype("float32"))


@pytest.mark.parametrize("batch_size", [1, 7, 128])
def test_l1_penalty_is_strength_times_batch_mean_of_the_per_example_sum(batch_size):
    layer = L1Activity(0.3)
    activations = np.random.default_rng(batch_size).normal(size=(batch_size, 6)).astype("float32")
    layer(activations)
    expected = 0.3 * np.abs(activations.astype(np.float64)).sum(axis=1).mean()
    assert float(layer.losses[0]) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("batch_size", [1, 7, 40])
def test_model_loss_is_data_loss_plus_the_penalty_at_any_batch_size(batch_size):
    model, encoder = sparse_model(KLSparsity(0.2, 2.0))
    model.compile(loss="mse")
    x = np.random.default_rng(0).random((batch_size, 5)).astype("float32")
    rho_hat = encoder.predict(x, verbose=0).astype(np.float64).mean(axis=0)
    data_loss = np.mean((model.predict(x, verbose=0) - x) ** 2)
    expected = data_loss + 2.0 * kl_numpy(0.2, rho_hat).sum()
    assert model.evaluate(x, x, batch_size=batch_size, verbose=0) == pytest.approx(expected,
                                                                                   rel=1e-5)


def test_training_step_minimises_the_penalty_too():
    """With β large, a few steps move ρ̂ towards ρ: the added loss reaches the gradient."""
    model, encoder = sparse_model(KLSparsity(0.05, 50.0), n_in=8, n_hidden=4)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    x = np.random.default_rng(3).random((64, 8)).astype("float32")
    before = encoder.predict(x, verbose=0).mean()
    model.fit(x, x, epochs=5, batch_size=64, verbose=0)
    after = encoder.predict(x, verbose=0).mean()
    assert after < before - 0.1, (before, after)


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


@pytest.mark.parametrize("penalty_layer, config", [
    (KLSparsity(0.05, 3.0, name="sparsity"), {"rho": 0.05, "beta": 3.0}),
    (L1Activity(0.25, name="sparsity"), {"strength": 0.25})])
def test_model_with_a_penalty_layer_saves_and_loads(tmp_path, penalty_layer, config):
    model, _ = sparse_model(penalty_layer)
    model.compile(loss="mse")
    x = np.random.default_rng(0).random((16, 5)).astype("float32")
    model.save(tmp_path / "sparse.keras")
    restored = keras.saving.load_model(tmp_path / "sparse.keras", compile=False)
    restored.compile(loss="mse")
    layer = restored.get_layer("sparsity")
    assert type(layer) is type(penalty_layer)
    assert {k: layer.get_config()[k] for k in config} == config
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    assert restored.evaluate(x, x, verbose=0) == pytest.approx(model.evaluate(x, x, verbose=0))


def test_penalty_layers_reject_activations_that_are_not_a_batch_of_vectors():
    images = np.full((2, 4, 4, 1), 0.5, dtype="float32")
    for layer in (KLSparsity(0.1, 3.0), L1Activity(0.1)):
        with pytest.raises(ValueError, match=r"\(batch, units\)"):
            layer(images)


@pytest.mark.parametrize("strength", [-0.1, float("nan"), float("inf"), True, "0.3"])
def test_l1_strength_must_be_a_finite_non_negative_number(strength):
    with pytest.raises(ValueError, match="strength"):
        L1Activity(strength)


@pytest.mark.parametrize("kwargs, match", [
    ({"rho": 0.0}, "strictly between 0 and 1"), ({"rho": 1.0}, "strictly between 0 and 1"),
    ({"rho": -0.1}, "rho"), ({"rho": True}, "rho"), ({"beta": -1.0}, "beta"),
    ({"beta": float("nan")}, "beta"), ({"beta": float("inf")}, "beta")])
def test_bad_arguments_say_which_and_why(kwargs, match):
    with pytest.raises(ValueError, match=match):
        KLSparsity(**kwargs)
    if "rho" in kwargs:
        with pytest.raises(ValueError, match="rho"):
            kl_divergence(kwargs["rho"], np.array([0.5]))


def test_defaults_and_a_zero_weight_are_allowed():
    layer = KLSparsity()
    assert (layer.rho, layer.beta) == (0.05, 3.0)
    assert {k: layer.get_config()[k] for k in ("rho", "beta")} == {"rho": 0.05, "beta": 3.0}
    activations = np.array([[0.2, 0.4], [0.0, 0.8]], dtype="float32")  # ρ̂ = (0.1, 0.6)
    # KL(0.1‖0.1) = 0, KL(0.1‖0.6) = 0.1 ln(1/6) + 0.9 ln(9/4) = 0.550660…
    assert float(KLSparsity(0.1, 2.0).penalty(activations)) == pytest.approx(2 * 0.5506607, 1e-5)
    assert float(KLSparsity(0.1, 0.0).penalty(activations)) == 0.0
    assert float(L1Activity(0.0).penalty(activations)) == 0.0
    assert float(L1Activity(1).penalty(activations)) == pytest.approx((0.6 + 0.8) / 2)


@pytest.mark.parametrize("make, message", [
    (lambda: KLSparsity(rho=0.0), "rho (the target mean activation) must lie strictly between 0 "
                                  "and 1, got 0.0; typical values are 0.01-0.1 for sigmoid units"),
    (lambda: KLSparsity(rho="0.05"), "rho (the target mean activation) must lie strictly between "
                                     "0 and 1, got '0.05'; typical values are 0.01-0.1 for "
                                     "sigmoid units"),
    (lambda: KLSparsity(rho=1.0), "rho (the target mean activation) must lie strictly between 0 "
                                  "and 1, got 1.0; typical values are 0.01-0.1 for sigmoid units"),
    (lambda: KLSparsity(beta=True), "beta (the penalty weight) must be a finite number >= 0, "
                                    "got True"),
    (lambda: KLSparsity(beta=-1.0), "beta (the penalty weight) must be a finite number >= 0, "
                                    "got -1.0"),
    (lambda: L1Activity("0.3"), "strength (the penalty weight) must be a finite number >= 0, "
                                "got '0.3'"),
    (lambda: L1Activity(0.1).penalty(np.zeros((2, 4, 1), "float32")),
     "expected activations of shape (batch, units), got shape (2, 4, 1); put the penalty layer "
     "right after a Dense layer (flatten other layers' outputs first)")])
def test_error_messages_say_which_argument_and_the_fix(make, message):
    with pytest.raises(ValueError) as err:
        make()
    assert str(err.value) == message
