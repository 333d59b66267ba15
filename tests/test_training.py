import math
import types

import keras
import numpy as np
import pytest

from aeutils.models import dense_autoencoder
from aeutils.training import (
    LiveProgress,
    LoopProgress,
    fine_tune_classifier,
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


class RecordOrder(keras.layers.Layer):
    """Identity layer that keeps, in training, the first feature of the batch it saw last."""

    def __init__(self, n):
        super().__init__()
        self.order = self.add_weight(shape=(n,), initializer="zeros", trainable=False)

    def call(self, inputs, training=None):
        if training:
            self.order.assign(inputs[:, 0])
        return inputs


def test_training_shuffles_the_examples():
    """One batch of all 32 examples, numbered 0…31 in feature 0: fit must see them permuted."""
    n = 32
    x = np.stack([np.arange(n), np.zeros(n)], axis=1).astype("float32")
    recorder = RecordOrder(n)
    model = keras.Sequential([keras.Input((2,)), recorder, keras.layers.Dense(2)])
    train_autoencoder(model, x, epochs=1, batch_size=n, loss="mse", label="order")
    order = recorder.order.numpy()
    np.testing.assert_array_equal(np.sort(order), np.arange(n))  # every example, once
    assert not np.array_equal(order, np.arange(n)), "examples arrived in file order: no shuffle"


def test_training_wires_epochs_batches_schedule_and_loss_into_fit(capsys):
    """10 examples, batches of 4, 3 epochs: 3 × ⌈10/4⌉ = 9 Adam steps, 2 of them warm-up."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)], name="tiny")
    x = np.random.default_rng(0).random((10, 3)).astype("float32")
    history = train_autoencoder(model, x, epochs=3, batch_size=4, peak_lr=0.01,
                                warmup_fraction=0.25, loss="mse")
    assert int(model.optimizer.iterations) == 9 and len(history.history["loss"]) == 3
    assert model.loss == "mse"
    schedule = keras.optimizers.schedules.deserialize(model.optimizer.get_config()["learning_rate"])
    for step in range(10):
        expected = (0.01 * step / 2 if step < 2
                    else 0.01 * 0.5 * (1 + math.cos(math.pi * (step - 2) / 7)))
        assert float(schedule(step)) == pytest.approx(expected, abs=1e-8), step
    assert capsys.readouterr().out.startswith("tiny: 3 epochs in 0:0")  # label: the model's name


def test_training_defaults_batch_256_peak_1e3_cross_entropy_short_warmup():
    """513 examples: 3 batches of at most 256 (2 with batches of 257); warm-up round(0.05·3) = 0."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, activation="sigmoid")])
    x = np.random.default_rng(0).random((513, 4)).astype("float32")
    train_autoencoder(model, x, epochs=1)
    assert int(model.optimizer.iterations) == 3
    assert model.loss == "binary_crossentropy"
    config = model.optimizer.get_config()["learning_rate"]["config"]
    assert (config["initial_learning_rate"], config["decay_steps"], config["warmup_steps"],
            config["warmup_target"]) == (pytest.approx(1e-3), 3, 0, None)


def test_training_accepts_single_example_batches():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    train_autoencoder(model, np.ones((3, 2), "float32"), epochs=1, batch_size=1, loss="mse")
    assert int(model.optimizer.iterations) == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs must be at least 1, got 0"),
    ({"epochs": 1, "batch_size": 0}, "batch_size must be at least 1, got 0"),
    ({"epochs": 1, "targets": np.zeros((4, 4))}, "targets has 4 rows but x_train has 8; they "
                                                 "must pair up")])
def test_training_error_messages(kwargs, message):
    ae, _, _ = dense_autoencoder(4, [], 2)
    with pytest.raises(ValueError) as err:
        train_autoencoder(ae, np.zeros((8, 4), dtype="float32"), **kwargs)
    assert str(err.value) == message


class FakeClock:
    def __init__(self, *times):
        self.times = list(times)

    def __call__(self):
        return self.times.pop(0)


def fake_kernel(monkeypatch):
    """Pretend to run in a Jupyter kernel; return the handle that receives the updates."""
    import IPython
    import IPython.display

    handle = FakeHandle()

    class FakeShell:
        kernel = object()

    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    monkeypatch.setattr(IPython.display, "display", lambda data, raw, display_id: handle)
    return handle


def test_progress_line_times_and_estimates_the_rest(monkeypatch):
    """Start at t=100 s; epochs end at 165.4, 229.6 and 300 s of 4 planned; summary at 301 s."""
    handle = fake_kernel(monkeypatch)
    monkeypatch.setattr("aeutils.training.time.perf_counter",
                        FakeClock(100.0, 165.4, 229.6, 300.0, 301.0))
    progress = LiveProgress("net")
    assert progress.line == ""
    progress.set_model(types.SimpleNamespace(history=types.SimpleNamespace(history={
        "loss": [0.5, 0.25, 0.125], "val_loss": [0.75, 0.125, 0.0625], "accuracy": [0.5] * 3})))
    progress.set_params({"epochs": 4})
    progress.on_train_begin()
    progress.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.75, "accuracy": 0.5})
    # elapsed 65.4 s → 1:05; left 65.4 / 1 · 3 = 196.2 s → 3:16
    assert handle.shown[-1] == ("net: epoch 1/4 · loss 0.5 · val_loss 0.75 · 1:05 elapsed "
                                "· ~3:16 left")
    progress.on_epoch_end(1, {"loss": 0.25, "val_loss": 0.125, "accuracy": 0.5})
    # elapsed 129.6 s → 2:10; left 129.6 / 2 · 2 = 129.6 s → 2:10
    assert handle.shown[-1] == ("net: epoch 2/4 · loss 0.25 · val_loss 0.125 · 2:10 elapsed "
                                "· ~2:10 left")
    progress.on_epoch_end(2, {"loss": 0.125, "val_loss": 0.0625, "accuracy": 0.5})
    # elapsed 200 s → 3:20; left 200 / 3 · 1 = 66.7 s → 1:07
    assert handle.shown[-1] == ("net: epoch 3/4 · loss 0.125 · val_loss 0.0625 · 3:20 elapsed "
                                "· ~1:07 left")
    progress.on_train_end()  # no logs: the summary reads the last epoch from the History
    assert handle.shown[-1] == "net: 3 epochs in 3:21 · loss 0.125 · val_loss 0.0625"
    assert progress.line == handle.shown[-1] and len(handle.shown) == 4


def test_progress_without_a_planned_epoch_count_and_without_epochs(monkeypatch, capsys):
    monkeypatch.setattr("aeutils.training.time.perf_counter",
                        FakeClock(0.0, 59.6, 60.0, 10.0, 10.4))
    progress = LiveProgress("run")
    progress.set_model(types.SimpleNamespace())
    progress.set_params({})
    progress.on_train_begin()
    progress.on_epoch_end(0, {"loss": 1.0})
    assert progress.line == "run: epoch 1/1 · loss 1 · 1:00 elapsed · ~0:00 left"  # 59.6 → 1:00
    progress.on_train_end({"loss": 1.0})  # no History on the model: the logs are shown
    progress.on_train_begin()
    progress.on_train_end()  # a fit that ended before its first epoch
    assert capsys.readouterr().out == "run: 1 epochs in 1:00 · loss 1\nrun: 0 epochs in 0:00\n"


def test_progress_prints_in_a_terminal_ipython_and_without_ipython(monkeypatch, capsys):
    import sys

    import IPython

    class TerminalShell:  # IPython without a kernel: no display, a printed summary
        pass

    monkeypatch.setattr(IPython, "get_ipython", lambda: TerminalShell())
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: pytest.fail("displayed"))
    for ipython in (IPython, None):  # None: IPython cannot be imported
        monkeypatch.setitem(sys.modules, "IPython", ipython)
        progress = LiveProgress("plain")
        progress.set_model(types.SimpleNamespace())
        progress.on_train_begin()
        progress.on_train_end({"loss": 0.5})
    assert capsys.readouterr().out == "plain: 0 epochs in 0:00 · loss 0.5\n" * 2


def test_softmax_classifier_wiring_and_defaults(capsys):
    """257 examples: ⌈257/128⌉ = 3 Adam steps per epoch (2 with batches of 129); lr 3e-3."""
    x, y = blobs(257, 3)
    classifier = train_softmax_classifier(x, y, epochs=1)
    assert int(classifier.optimizer.iterations) == 3
    assert float(classifier.optimizer.learning_rate) == pytest.approx(3e-3)
    assert classifier.name == "softmax_regression" and classifier.input_shape == (None, 2)
    out_layer = classifier.layers[-1]
    assert out_layer.get_config()["activation"] == "softmax" and out_layer.units == 3
    assert classifier.loss == "sparse_categorical_crossentropy"
    assert sorted(classifier.history.history) == ["accuracy", "loss"]  # as the notebooks read it
    loss, accuracy = classifier.evaluate(x, y, verbose=0)
    logits_free = classifier.predict(x, verbose=0)
    expected_loss = -np.mean(np.log(logits_free[np.arange(len(y)), y]))
    assert loss == pytest.approx(expected_loss, rel=1e-4)
    assert accuracy == pytest.approx(np.mean(logits_free.argmax(axis=1) == y))
    out = capsys.readouterr().out
    assert out.startswith("softmax classifier: 1 epochs in 0:0") and out.count("\n") == 1


@pytest.mark.parametrize("patience", [None, 1])
def test_softmax_classifier_keeps_the_best_epoch_and_waits_patience_epochs(patience):
    keras.utils.set_random_seed(0)
    x, y = blobs(90, 2)
    shuffled = np.random.default_rng(0).permutation(y)  # validation labels it cannot learn
    kwargs = {} if patience is None else {"patience": patience}
    classifier = train_softmax_classifier(x, y, epochs=100, batch_size=30, learning_rate=0.05,
                                          validation_data=(x[:30], shuffled[:30]), **kwargs)
    assert sorted(classifier.history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    val_losses = classifier.history.history["val_loss"]
    best = int(np.argmin(val_losses))
    assert len(val_losses) == best + 1 + (patience or 3), "stops `patience` epochs after the best"
    restored = classifier.evaluate(x[:30], shuffled[:30], verbose=0)[0]
    assert restored == pytest.approx(val_losses[best], rel=1e-5), "best weights restored"


def test_softmax_classifier_runs_a_single_epoch():
    x, y = blobs(30, 4)
    classifier = train_softmax_classifier(x, y, epochs=1, batch_size=10, label="one")
    assert len(classifier.history.history["loss"]) == 1


@pytest.mark.parametrize("features, labels, kwargs, message", [
    (np.zeros((4, 2, 2)), np.zeros(4, int), {},
     "features must have shape (n, d), got (4, 2, 2); flatten them"),
    (np.zeros((4, 2)), np.zeros(3, int), {},
     "labels must have shape (4,) to match the features, got (3,)"),
    (np.zeros((4, 2)), np.array([0.0, 1.0, 0.0, 1.0]), {},
     "labels must be non-negative integers (class indices 0…K−1)"),
    (np.zeros((4, 2)), np.array([0, -1, 0, 1]), {},
     "labels must be non-negative integers (class indices 0…K−1)"),
    (np.zeros((4, 2)), np.array([0, 1, 0, 1]), {"epochs": 0}, "epochs must be at least 1, got 0")])
def test_softmax_classifier_error_messages(features, labels, kwargs, message):
    with pytest.raises(ValueError) as err:
        train_softmax_classifier(features, labels, **{"epochs": 1, **kwargs})
    assert str(err.value) == message


def test_schedule_edges_one_step_and_full_error_messages():
    schedule = warmup_cosine_schedule(0.5, 1, warmup_fraction=0.0)
    assert float(schedule(0)) == pytest.approx(0.5) and float(schedule(1)) == pytest.approx(0.0)
    default = warmup_cosine_schedule(1.0, 100)  # 5 warm-up steps by default
    assert float(default(0)) == 0.0 and float(default(5)) == pytest.approx(1.0)
    assert float(default(1)) == pytest.approx(0.2)
    for args, message in [
            ((0.0, 10), "peak_lr must be a positive finite number, got 0.0"),
            ((math.inf, 10), "peak_lr must be a positive finite number, got inf"),
            ((1e-3, 0), "total_steps must be at least 1, got 0"),
            ((1e-3, 10, -0.1), "warmup_fraction must lie in [0, 1), got -0.1")]:
        with pytest.raises(ValueError) as err:
            warmup_cosine_schedule(*args)
        assert str(err.value) == message
    assert float(warmup_cosine_schedule(2.0, 10, warmup_fraction=0.5)(5)) == pytest.approx(2.0)


def test_softmax_classifier_has_one_output_per_class_id_even_when_one_is_absent():
    """Labels 0 and 2 only: class 2 still needs output 2, so K = max + 1 = 3, not 2 classes."""
    x, y = blobs(30, 5)
    classifier = train_softmax_classifier(x[y != 1], y[y != 1], epochs=1, batch_size=10)
    assert classifier.layers[-1].units == 3


def small_classifier(n_in=2, n_out=3, name="tiny_classifier"):
    """A hidden layer + softmax: the shape of a pretrained encoder with a classification head."""
    return keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(8, activation="sigmoid"),
                             keras.layers.Dense(n_out, activation="softmax")], name=name)


def test_fine_tune_classifier_learns_every_layer_and_separates_blobs():
    keras.utils.set_random_seed(1)
    x, y = blobs(300, 6)
    model = small_classifier()
    hidden_before = model.layers[0].kernel.numpy().copy()
    history = fine_tune_classifier(model, x, y, epochs=30, batch_size=30, peak_lr=0.05,
                                   validation_data=(x[:60], y[:60]))
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["accuracy"][-1] > 0.97 and history.history["loss"][-1] < 0.2
    assert not np.allclose(model.layers[0].kernel.numpy(), hidden_before), "hidden layer frozen"
    loss, accuracy = model.evaluate(x, y, verbose=0)
    probabilities = model.predict(x, verbose=0)
    assert loss == pytest.approx(-np.mean(np.log(probabilities[np.arange(len(y)), y])), rel=1e-4)
    assert accuracy == pytest.approx(np.mean(probabilities.argmax(axis=1) == y))


def test_fine_tune_classifier_wiring_schedule_and_defaults(capsys):
    """257 examples, batch 128: 3 steps an epoch, 2 epochs = 6 steps, warm-up round(0.3) = 0."""
    x, y = blobs(257, 7)
    model = small_classifier(name="head")
    history = fine_tune_classifier(model, x, y, epochs=2)
    assert int(model.optimizer.iterations) == 6 and len(history.history["loss"]) == 2
    assert model.loss == "sparse_categorical_crossentropy"
    config = model.optimizer.get_config()["learning_rate"]["config"]
    assert (config["initial_learning_rate"], config["decay_steps"], config["warmup_steps"]) == (
        pytest.approx(1e-3), 6, 0)
    out = capsys.readouterr().out
    assert out.startswith("head: 2 epochs in 0:0") and out.count("\n") == 1
    fine_tune_classifier(model, x, y, epochs=4, batch_size=64, peak_lr=0.01,
                         warmup_fraction=0.25, label="custom")
    schedule = keras.optimizers.schedules.deserialize(model.optimizer.get_config()["learning_rate"])
    assert int(model.optimizer.iterations) == 20  # 4 epochs × ⌈257/64⌉ = 5 steps, counted afresh
    assert float(schedule(5)) == pytest.approx(0.01)  # peak after round(0.25 · 20) = 5 steps
    assert capsys.readouterr().out.startswith("custom: 4 epochs")


def test_fine_tune_classifier_shuffles_the_examples():
    n = 32
    x = np.stack([np.arange(n), np.zeros(n)], axis=1).astype("float32")
    recorder = RecordOrder(n)
    model = keras.Sequential([keras.Input((2,)), recorder,
                              keras.layers.Dense(2, activation="softmax")])
    fine_tune_classifier(model, x, np.arange(n) % 2, epochs=1, batch_size=n, label="order")
    order = recorder.order.numpy()
    np.testing.assert_array_equal(np.sort(order), np.arange(n))
    assert not np.array_equal(order, np.arange(n)), "examples arrived in file order: no shuffle"


@pytest.mark.parametrize("labels, kwargs, message", [
    (np.zeros(3, int), {}, "labels must have shape (4,) to match x_train, got (3,)"),
    (np.zeros((4, 1), int), {}, "labels must have shape (4,) to match x_train, got (4, 1)"),
    (np.array([0.0, 1.0, 0.0, 1.0]), {},
     "labels must be non-negative integers (class indices 0…K−1)"),
    (np.array([0, -1, 0, 1]), {}, "labels must be non-negative integers (class indices 0…K−1)"),
    (np.array([0, 1, 2, 3]), {},
     "labels go up to 3 but the model has 3 outputs; end it with Dense(4, activation='softmax')"),
    (np.array([0, 1, 2, 0]), {"epochs": 0}, "epochs must be at least 1, got 0"),
    (np.array([0, 1, 2, 0]), {"epochs": 1, "batch_size": 0},
     "batch_size must be at least 1, got 0"),
])
def test_fine_tune_classifier_error_messages(labels, kwargs, message):
    with pytest.raises(ValueError) as err:
        fine_tune_classifier(small_classifier(), np.zeros((4, 2), "float32"), labels,
                             **{"epochs": 1, **kwargs})
    assert str(err.value) == message


def test_fine_tune_classifier_accepts_the_last_class_id():
    """Labels 0…2 with 3 outputs is fine: only a label ≥ the output count is rejected."""
    model = small_classifier()
    fine_tune_classifier(model, np.zeros((3, 2), "float32"), np.array([0, 1, 2]), epochs=1)
    assert int(model.optimizer.iterations) == 1


def test_loop_progress_one_line_while_running_one_summary_after(monkeypatch, capsys):
    handle = fake_kernel(monkeypatch)
    monkeypatch.setattr("aeutils.training.time.perf_counter", FakeClock(10.0, 40.0, 70.0, 75.0))
    with LoopProgress("runs", 4) as progress:
        progress.advance("first")
        assert progress.line == "runs: run 1/4 · first · 0:30 elapsed · ~1:30 left"
        progress.advance()
        assert progress.line == "runs: run 2/4 · 1:00 elapsed · ~1:00 left"
    assert progress.line == "runs: 2 runs in 1:05"
    assert handle.shown == ["runs: run 1/4 · first · 0:30 elapsed · ~1:30 left",
                            "runs: run 2/4 · 1:00 elapsed · ~1:00 left", "runs: 2 runs in 1:05"]
    assert capsys.readouterr().out == ""


def test_loop_progress_prints_only_the_summary_outside_jupyter(monkeypatch, capsys):
    monkeypatch.setattr("aeutils.training.time.perf_counter", FakeClock(0.0, 1.0, 3.0))
    with LoopProgress("loop", 1) as progress:
        progress.advance("x")
    assert capsys.readouterr().out == "loop: 1 runs in 0:03\n"
    assert progress.done == 1


@pytest.mark.parametrize("label, total, message", [
    ("", 3, "label must be a non-empty string naming the loop, got ''"),
    (None, 3, "label must be a non-empty string naming the loop, got None"),
    ("loop", 0, "total must be a positive integer (the number of runs), got 0"),
    ("loop", 2.0, "total must be a positive integer (the number of runs), got 2.0"),
    ("loop", True, "total must be a positive integer (the number of runs), got True"),
])
def test_loop_progress_errors(label, total, message):
    with pytest.raises(ValueError) as error:
        LoopProgress(label, total)
    assert str(error.value) == message


def test_fine_tune_without_progress_shows_nothing(monkeypatch, capsys):
    monkeypatch.setattr("aeutils.training._open_live_line",
                        lambda text: pytest.fail("no progress line expected"))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    history = fine_tune_classifier(model, np.zeros((8, 3), "float32"), np.arange(8) % 2,
                                   epochs=2, batch_size=4, progress=False)
    assert len(history.history["loss"]) == 2
    assert capsys.readouterr().out == ""
    monkeypatch.undo()
    fine_tune_classifier(model, np.zeros((8, 3), "float32"), np.arange(8) % 2, epochs=1,
                         batch_size=4, label="shown")
    assert capsys.readouterr().out.startswith("shown: 1 epochs in ")


def test_loop_progress_starts_blank_and_ends_with_nothing_left(monkeypatch):
    import IPython
    import IPython.display

    shown = []

    class FakeShell:
        kernel = object()

    def fake_display(data, raw=False, display_id=False):
        assert raw is True and display_id is True
        shown.append(data["text/plain"])
        return FakeHandle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell())
    monkeypatch.setattr(IPython.display, "display", fake_display)
    monkeypatch.setattr("aeutils.training.time.perf_counter", FakeClock(0.0, 9.0, 10.0))
    progress = LoopProgress("one run", 1)
    assert progress.line == "" and progress.done == 0
    with progress:
        progress.advance()
        assert progress.line == "one run: run 1/1 · 0:09 elapsed · ~0:00 left"
    assert shown == ["one run: starting"]


def test_open_live_line_needs_a_kernel(monkeypatch):
    import IPython
    import IPython.display

    from aeutils.training import _open_live_line

    class TerminalShell:  # IPython without a kernel
        pass

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: pytest.fail("displayed"))
    for shell in (None, TerminalShell()):
        monkeypatch.setattr(IPython, "get_ipython", lambda shell=shell: shell)
        assert _open_live_line("text") is None
