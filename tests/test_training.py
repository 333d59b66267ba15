import math

import keras
import numpy as np
import pytest

from aeutils.models import dense_autoencoder
from aeutils.training import (
    LiveProgress,
    train_autoencoder,
    train_softmax_classifier,
    warmup_cosine_schedule,
)


def test_schedule_follows_warmup_then_cosine():
    peak, total, warm = 2e-3, 200, 20
    schedule = warmup_cosine_schedule(peak, total, warmup_fraction=0.1)
    for step in [0, 5, 10, 20, 60, 110, 150, 199, 200]:
        if step < warm:
            expected = peak * step / warm
        else:
            expected = peak * 0.5 * (1 + math.cos(math.pi * (step - warm) / (total - warm)))
        assert float(schedule(step)) == pytest.approx(expected, rel=1e-4, abs=1e-9), step


def test_schedule_without_warmup_starts_at_peak():
    schedule = warmup_cosine_schedule(1e-3, 100, warmup_fraction=0.0)
    assert float(schedule(0)) == pytest.approx(1e-3)
    assert float(schedule(100)) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("args, match", [
    ((0.0, 10), "peak_lr"), ((float("nan"), 10), "peak_lr"), ((1e-3, 0), "total_steps"),
    ((1e-3, 10, 1.0), "warmup_fraction")])
def test_schedule_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        warmup_cosine_schedule(*args)


def test_training_reduces_reconstruction_loss():
    rng = np.random.default_rng(0)
    x = (rng.random((256, 2)) @ rng.random((2, 16)) / 2).astype("float32")  # rank-2 data
    ae, _, _ = dense_autoencoder(16, [], 2, activation=None, output_activation=None)
    history = train_autoencoder(ae, x, epochs=30, batch_size=32, peak_lr=1e-2, loss="mse",
                                validation_data=(x, x))
    losses = history.history["loss"]
    assert losses[-1] < 0.1 * losses[0]
    assert len(losses) == 30 and "val_loss" in history.history


def test_training_validates_arguments():
    ae, _, _ = dense_autoencoder(4, [], 2)
    x = np.zeros((8, 4), dtype="float32")
    with pytest.raises(ValueError, match="epochs"):
        train_autoencoder(ae, x, epochs=0)
    with pytest.raises(ValueError, match="batch_size"):
        train_autoencoder(ae, x, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="pair up"):
        train_autoencoder(ae, x, epochs=1, targets=x[:4])


def test_progress_line_ends_as_one_clean_summary_printed_outside_ipython(capsys):
    ae, _, _ = dense_autoencoder(4, [], 2, activation=None, output_activation=None)
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    history = train_autoencoder(ae, x, epochs=2, batch_size=16, loss="mse", label="tiny AE",
                                validation_data=(x[:8], x[:8]))
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("tiny AE: 2 epochs in 0:0")
    assert f"loss {history.history['loss'][-1]:.4g}" in out
    assert f"val_loss {history.history['val_loss'][-1]:.4g}" in out
    assert not any(ch in out for ch in "\r\x1b\x08"), "no control characters"


class FakeHandle:
    def __init__(self):
        self.shown = []

    def update(self, data, raw=False):
        assert raw and set(data) == {"text/plain"}
        self.shown.append(data["text/plain"])


def test_progress_updates_one_display_in_a_kernel(monkeypatch, capsys):
    import IPython
    import IPython.display

    handle = FakeHandle()
    displayed = []

    def fake_display(data, raw=False, display_id=False):
        assert display_id is True and raw
        displayed.append(data["text/plain"])
        return handle

    class FakeShell:
        kernel = object()

    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    monkeypatch.setattr(IPython.display, "display", fake_display)
    progress = LiveProgress("probe")
    ae, _, _ = dense_autoencoder(4, [], 2, activation=None, output_activation=None)
    ae.compile(optimizer="adam", loss="mse")
    x = np.zeros((8, 4), dtype="float32")
    ae.fit(x, x, epochs=3, batch_size=4, verbose=0, callbacks=[progress])
    assert displayed == ["probe: starting"], "one display per fit"
    assert [line.split(" · ")[0] for line in handle.shown[:3]] == [
        "probe: epoch 1/3", "probe: epoch 2/3", "probe: epoch 3/3"]
    assert all("elapsed" in line and "left" in line for line in handle.shown[:3])
    assert handle.shown[-1].startswith("probe: 3 epochs in ") and len(handle.shown) == 4
    assert capsys.readouterr().out == "", "nothing printed beside the display"


@pytest.mark.parametrize("label", ["", "  ", None, 3])
def test_progress_needs_a_label(label):
    with pytest.raises(ValueError, match="label"):
        LiveProgress(label)


def test_training_fits_towards_the_targets_not_the_inputs():
    """A linear map trained on (x, 2x) must learn to double, not to copy."""
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(1).normal(size=(256, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    train_autoencoder(model, x, targets=2 * x, epochs=60, batch_size=32, peak_lr=5e-2, loss="mse")
    kernel = model.layers[0].get_weights()[0]
    np.testing.assert_allclose(kernel, 2 * np.eye(3), atol=0.2)  # copying would give 1


def blobs(n, seed):
    """Three well-separated Gaussian blobs in 2-D, labels 0, 1, 2."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    centres = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    return (centres[labels] + rng.normal(size=(n, 2))).astype("float32"), labels


def test_softmax_classifier_separates_separable_classes():
    keras.utils.set_random_seed(0)
    x, y = blobs(300, 0)
    x_test, y_test = blobs(300, 1)
    classifier = train_softmax_classifier(x, y, epochs=30, batch_size=32, label="blobs")
    assert classifier.layers[-1].units == 3 and classifier.layers[-1].kernel.shape == (2, 3)
    assert classifier.evaluate(x_test, y_test, verbose=0)[1] > 0.97
    probabilities = classifier.predict(x_test[:5], verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_softmax_classifier_stops_early_on_the_validation_split_only():
    keras.utils.set_random_seed(0)
    x, y = blobs(90, 2)
    shuffled = np.random.default_rng(0).permutation(y)  # validation labels it cannot learn
    classifier = train_softmax_classifier(x, y, epochs=200, batch_size=30, patience=2,
                                          validation_data=(x[:30], shuffled[:30]))
    assert len(classifier.history.history["loss"]) < 200, "should stop early"
    full = train_softmax_classifier(x, y, epochs=7, batch_size=30)
    assert len(full.history.history["loss"]) == 7, "no validation data: all epochs"


@pytest.mark.parametrize("features, labels, match", [
    (np.zeros((4, 2, 2)), np.zeros(4, int), "shape"),
    (np.zeros((4, 2)), np.zeros(3, int), "labels must have shape"),
    (np.zeros((4, 2)), np.array([0.0, 1.0, 0.0, 1.0]), "integers"),
    (np.zeros((4, 2)), np.array([0, -1, 0, 1]), "non-negative")])
def test_softmax_classifier_rejects_bad_input(features, labels, match):
    with pytest.raises(ValueError, match=match):
        train_softmax_classifier(features, labels, epochs=1)
