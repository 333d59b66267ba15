import math

import numpy as np
import pytest

from aeutils.models import dense_autoencoder
from aeutils.training import train_autoencoder, warmup_cosine_schedule


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
