"""Contractive penalty (closed form) and the autodiff Jacobian norm it is checked against."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from aeutils.metrics import jacobian_frobenius
from aeutils.regularizers import ContractivePenalty


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_encoder(n_in=6, units=4, seed=0, dtype="float64"):
    """A built sigmoid Dense layer with random weights and biases (a fresh one has zero biases)."""
    rng = np.random.default_rng(seed)
    dense = keras.layers.Dense(units, activation="sigmoid", dtype=dtype)
    dense.build((None, n_in))
    dense.set_weights([rng.normal(size=(n_in, units)), rng.normal(size=units)])
    return dense


def jacobian_by_finite_differences(f, x, eps=1e-6):
    """J[j, i] = ∂f_j/∂x_i at one point x, by central differences (NumPy, float64)."""
    columns = []
    for i in range(len(x)):
        step = np.zeros_like(x)
        step[i] = eps
        columns.append((f(x + step) - f(x - step)) / (2 * eps))
    return np.stack(columns, axis=1)


def test_squared_norm_equals_the_jacobian_computed_by_hand():
    dense = sigmoid_encoder()
    W, b = (w.numpy() for w in dense.weights)
    x = np.random.default_rng(1).random((5, 6))
    h = sigmoid(x @ W + b)
    by_hand = [np.sum((h[n][:, None] * (1 - h[n][:, None]) * W.T) ** 2) for n in range(5)]
    by_fd = [np.sum(jacobian_by_finite_differences(lambda v: sigmoid(v @ W + b), x[n]) ** 2)
             for n in range(5)]
    penalty = ContractivePenalty(dense, lam=1.0)
    np.testing.assert_allclose(penalty.squared_norms(dense(x)).numpy(), by_hand, rtol=1e-12)
    np.testing.assert_allclose(by_hand, by_fd, rtol=1e-6)


def test_autodiff_norm_equals_the_closed_form_and_finite_differences():
    dense = sigmoid_encoder(n_in=8, units=5, seed=2)
    x = np.random.default_rng(3).random((11, 8))
    closed = ContractivePenalty(dense, lam=1.0).squared_norms(dense(x)).numpy()
    np.testing.assert_allclose(jacobian_frobenius(dense, x, batch_size=4) ** 2, closed,
                               rtol=1e-10)


def test_jacobian_norm_of_a_linear_map_is_its_frobenius_norm_everywhere():
    W = np.random.default_rng(4).normal(size=(6, 3))
    linear = keras.layers.Dense(3, use_bias=False, dtype="float64")
    linear.build((None, 6))
    linear.set_weights([W])
    x = np.random.default_rng(5).random((7, 6))
    np.testing.assert_allclose(jacobian_frobenius(linear, x), np.linalg.norm(W), rtol=1e-12)


def test_jacobian_norm_of_a_convolutional_encoder_matches_finite_differences():
    keras.utils.set_random_seed(0)
    encoder = keras.Sequential([keras.Input((5, 5, 1), dtype="float64"),
                                keras.layers.Conv2D(2, 3, activation="tanh", dtype="float64"),
                                keras.layers.Flatten(dtype="float64")])
    x = np.random.default_rng(6).random((3, 5, 5, 1))

    def f(flat):
        return encoder(flat.reshape(1, 5, 5, 1)).numpy()[0]

    expected = [np.linalg.norm(jacobian_by_finite_differences(f, x[n].ravel())) for n in range(3)]
    np.testing.assert_allclose(jacobian_frobenius(encoder, x, batch_size=2), expected, rtol=1e-6)


def test_uint8_inputs_are_differentiated_as_floats():
    linear = keras.layers.Dense(2, use_bias=False)
    linear.build((None, 3))
    x = np.zeros((2, 3), dtype=np.uint8)
    np.testing.assert_allclose(jacobian_frobenius(linear, x), np.linalg.norm(linear.kernel.numpy()),
                               rtol=1e-6)


def test_penalty_gradient_matches_finite_differences():
    dense = sigmoid_encoder(n_in=4, units=3, seed=7)
    x = tf.constant(np.random.default_rng(8).random((6, 4)))
    layer = ContractivePenalty(dense, lam=0.7)
    with tf.GradientTape() as tape:
        value = layer.penalty(dense(x))
    gradient = tape.gradient(value, dense.kernel).numpy()
    W0 = dense.kernel.numpy().copy()
    eps, expected = 1e-6, np.zeros_like(W0)
    for i in range(W0.shape[0]):
        for j in range(W0.shape[1]):
            values = []
            for sign in (1, -1):
                W = W0.copy()
                W[i, j] += sign * eps
                dense.kernel.assign(W)
                values.append(float(layer.penalty(dense(x))))
            expected[i, j] = (values[0] - values[1]) / (2 * eps)
    dense.kernel.assign(W0)
    np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("batch", [1, 7, 128])
def test_the_added_loss_is_lambda_times_the_batch_mean(batch):
    inputs = keras.Input((6,))
    encode = keras.layers.Dense(4, activation="sigmoid")
    code = ContractivePenalty(encode, lam=0.3)(encode(inputs))
    outputs = keras.layers.Dense(6, activation="sigmoid")(code)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(batch).random((batch, 6)).astype("float32")
    W, b = (w.numpy() for w in encode.weights)
    h = sigmoid(x @ W + b)
    expected = 0.3 * np.mean(np.sum((h * (1 - h)) ** 2 * np.sum(W ** 2, axis=0), axis=1))
    model(x)
    np.testing.assert_allclose(float(sum(model.losses)), expected, rtol=1e-5)
    data_loss = float(np.mean((model.predict(x, verbose=0) - x) ** 2))
    total = model.evaluate(x, x, batch_size=batch, verbose=0)
    np.testing.assert_allclose(total, data_loss + expected, rtol=1e-5)


def test_keras_file_round_trip_keeps_lambda_and_the_tie(tmp_path):
    inputs = keras.Input((6,))
    encode = keras.layers.Dense(4, activation="sigmoid", name="enc")
    code = ContractivePenalty(encode, lam=0.25, name="cae")(encode(inputs))
    model = keras.Model(inputs, keras.layers.Dense(6, activation="sigmoid")(code))
    model.save(tmp_path / "cae.keras")
    loaded = keras.saving.load_model(tmp_path / "cae.keras")
    penalty, encoder = loaded.get_layer("cae"), loaded.get_layer("enc")
    assert penalty.lam == 0.25 and penalty.dense is encoder
    x = np.random.default_rng(0).random((5, 6)).astype("float32")
    loaded(x)
    model(x)
    np.testing.assert_allclose(float(sum(loaded.losses)), float(sum(model.losses)), rtol=1e-6)


@pytest.mark.parametrize("lam", [-0.1, float("nan"), float("inf"), "0.1", True])
def test_bad_lambda_is_rejected(lam):
    with pytest.raises(ValueError, match=r"^lam \(the penalty weight\) must be a finite number"):
        ContractivePenalty(sigmoid_encoder(), lam=lam)


class _Halve:
    """A callable activation object (no __name__), as a user might pass to Dense."""

    def __call__(self, x):
        return 0.5 * x

    def __repr__(self) -> str:
        return "Halve()"


def test_encoders_the_closed_form_does_not_cover_are_rejected():
    relu = keras.layers.Dense(4, activation="relu")
    with pytest.raises(ValueError, match="holds for a sigmoid encoder.*'relu'; use activation="
                                         "'sigmoid', or measure other encoders with "
                                         "metrics.jacobian_frobenius$"):
        ContractivePenalty(relu, lam=0.1)
    with pytest.raises(ValueError, match="uses Halve\\(\\); use activation"):
        ContractivePenalty(keras.layers.Dense(4, activation=_Halve()), lam=0.1)
    with pytest.raises(ValueError, match="encoder's keras.layers.Dense layer, got Conv1D"):
        ContractivePenalty(keras.layers.Conv1D(2, 3), lam=0.1)


def test_codes_of_the_wrong_shape_are_rejected():
    layer = ContractivePenalty(sigmoid_encoder(units=4), lam=0.1)
    with pytest.raises(ValueError, match="expected the 4 codes"):
        layer.penalty(np.full((2, 5), 0.5))
    with pytest.raises(ValueError, match="expected activations of shape"):
        layer.penalty(np.full((2, 4, 1), 0.5))
    with pytest.raises(ValueError, match="expected the 4 codes"):  # symbolic, batch size unknown
        layer.squared_norms(keras.Input((5,)))


def test_jacobian_frobenius_accepts_one_image_per_batch():
    dense = keras.layers.Dense(3, activation="sigmoid")
    x = np.random.default_rng(0).random((3, 5)).astype("float32")
    np.testing.assert_allclose(jacobian_frobenius(dense, x, batch_size=1),
                               jacobian_frobenius(dense, x), rtol=1e-6)


@pytest.mark.parametrize("x, batch_size, match", [
    (np.zeros((0, 3)), 4, "non-empty batch"),
    (np.zeros(3), 4, "non-empty batch"),
    (np.zeros((2, 3)), 0, "batch_size must be a positive integer"),
    (np.zeros((2, 3)), 2.5, "batch_size must be a positive integer"),
])
def test_jacobian_frobenius_rejects_bad_arguments(x, batch_size, match):
    linear = keras.layers.Dense(2)
    with pytest.raises(ValueError, match=match):
        jacobian_frobenius(linear, x, batch_size=batch_size)
