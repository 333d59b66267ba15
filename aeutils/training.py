"""One training recipe for every autoencoder in the course: Adam with warm-up + cosine decay."""

from __future__ import annotations

import math

import keras
import numpy as np


def warmup_cosine_schedule(
    peak_lr: float, total_steps: int, warmup_fraction: float = 0.05
) -> keras.optimizers.schedules.LearningRateSchedule:
    """Learning rate rising linearly from 0 to ``peak_lr``, then a cosine decay to 0 at the end.

    For step t past the warm-up of w steps: lr(t) = peak_lr · ½ (1 + cos(π (t − w) / (T − w))).
    A short warm-up keeps Adam's first, badly scaled steps small; decaying to 0 lets the last
    epochs settle into the minimum, which is worth a lot of reconstruction error on a small budget.
    """
    if not peak_lr > 0 or not math.isfinite(peak_lr):
        raise ValueError(f"peak_lr must be a positive finite number, got {peak_lr}")
    if total_steps < 1:
        raise ValueError(f"total_steps must be at least 1, got {total_steps}")
    if not 0 <= warmup_fraction < 1:
        raise ValueError(f"warmup_fraction must lie in [0, 1), got {warmup_fraction}")
    warmup_steps = int(round(warmup_fraction * total_steps))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup_steps else peak_lr,
        decay_steps=max(total_steps - warmup_steps, 1),
        warmup_target=peak_lr if warmup_steps else None,
        warmup_steps=warmup_steps,
    )


def train_autoencoder(
    model: keras.Model,
    x_train: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 256,
    peak_lr: float = 1e-3,
    loss: str = "binary_crossentropy",
    targets: np.ndarray | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    warmup_fraction: float = 0.05,
) -> keras.callbacks.History:
    """Compile ``model`` with Adam on :func:`warmup_cosine_schedule` and fit it silently.

    The target is the input itself unless ``targets`` is given (e.g. clean images for a denoiser).
    ``verbose=0`` keeps notebooks free of progress bars; plot the returned history instead.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    targets = x_train if targets is None else targets
    if len(targets) != len(x_train):
        raise ValueError(
            f"targets has {len(targets)} rows but x_train has {len(x_train)}; they must pair up"
        )
    steps = epochs * math.ceil(len(x_train) / batch_size)
    optimizer = keras.optimizers.Adam(warmup_cosine_schedule(peak_lr, steps, warmup_fraction))
    model.compile(optimizer=optimizer, loss=loss)
    return model.fit(
        x_train,
        targets,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        shuffle=True,
        verbose=0,
    )
