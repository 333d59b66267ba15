"""One training recipe for every autoencoder in the course (Adam, warm-up + cosine decay), and a
live one-line progress display for any ``fit``."""

from __future__ import annotations

import math
import time

import keras
import numpy as np

from aeutils import data


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


def _open_live_line(text: str) -> object | None:
    """An updatable Jupyter display showing ``text``; None outside a Jupyter kernel."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: callers print their summary line only
        return None
    if get_ipython() is not None and hasattr(get_ipython(), "kernel"):
        return display({"text/plain": text}, raw=True, display_id=True)
    return None


class LiveProgress(keras.callbacks.Callback):
    """Keras callback that shows one live line per ``fit`` and leaves one clean summary line.

    In Jupyter the line is an updatable display (IPython's ``display_id``), rewritten after every
    epoch with the epoch, the losses, the time elapsed and an estimate of the time left; when
    training ends it becomes ``label: N epochs in m:ss · loss … · val_loss …``. Stored notebooks
    thus keep a single plain-text line: no progress-bar control characters, nothing on stderr.
    Outside IPython only the summary line is printed. Usage:
    ``model.fit(x, y, epochs=5, verbose=0, callbacks=[LiveProgress("classifier")])``.
    """

    def __init__(self, label: str) -> None:
        super().__init__()
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"label must be a non-empty string naming the model, got {label!r}")
        self.label = label
        self.line = ""
        self._handle = None
        self._started = 0.0
        self._epochs_done = 0

    def _show(self, text: str, final: bool = False) -> None:
        self.line = text
        if self._handle is not None:
            self._handle.update({"text/plain": text}, raw=True)
        elif final:
            print(text)

    def _losses(self, logs: dict | None) -> str:
        return "".join(f" · {name} {value:.4g}" for name, value in (logs or {}).items()
                       if name.endswith("loss"))

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._started, self._epochs_done = time.perf_counter(), 0
        self._handle = _open_live_line(f"{self.label}: starting")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._epochs_done = epoch + 1
        total = self.params.get("epochs") or self._epochs_done
        elapsed = time.perf_counter() - self._started
        left = elapsed / self._epochs_done * (total - self._epochs_done)
        self._show(f"{self.label}: epoch {self._epochs_done}/{total}{self._losses(logs)}"
                   f" · {_clock(elapsed)} elapsed · ~{_clock(left)} left")

    def on_train_end(self, logs: dict | None = None) -> None:
        elapsed = time.perf_counter() - self._started
        history = getattr(self.model, "history", None)
        last = {k: v[-1] for k, v in getattr(history, "history", {}).items() if v}
        self._show(f"{self.label}: {self._epochs_done} epochs in {_clock(elapsed)}"
                   f"{self._losses(last or logs)}", final=True)


class LoopProgress:
    """One live line for a loop of many short runs; one clean summary line when it closes.

    For a cell that trains dozens of small models (label budgets × seeds × methods): each run is
    trained with ``progress=False`` and the loop calls :meth:`advance` after it, so the notebook
    shows ``label: run i/N · what just finished · m:ss elapsed · ~m:ss left`` while it runs and
    stores ``label: N runs in m:ss``. Use it as a context manager.
    """

    def __init__(self, label: str, total: int) -> None:
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"label must be a non-empty string naming the loop, got {label!r}")
        if isinstance(total, bool) or not isinstance(total, int) or total < 1:
            raise ValueError(f"total must be a positive integer (the number of runs), "
                             f"got {total!r}")
        self.label, self.total, self.done = label, total, 0
        self.line = ""
        self._handle: object | None = None
        self._started = 0.0

    def __enter__(self) -> LoopProgress:
        self._started = time.perf_counter()
        self._handle = _open_live_line(f"{self.label}: starting")
        return self

    def advance(self, note: str = "") -> None:
        """Count one finished run; ``note`` says which (e.g. ``"VAE fine-tuned, 100 labels"``)."""
        self.done += 1
        elapsed = time.perf_counter() - self._started
        left = elapsed / self.done * max(self.total - self.done, 0)
        self.line = (f"{self.label}: run {self.done}/{self.total}" + (f" · {note}" if note else "")
                     + f" · {_clock(elapsed)} elapsed · ~{_clock(left)} left")
        if self._handle is not None:
            self._handle.update({"text/plain": self.line}, raw=True)

    def __exit__(self, *exc_info: object) -> None:
        self.line = (f"{self.label}: {self.done} runs in "
                     f"{_clock(time.perf_counter() - self._started)}")
        if self._handle is not None:
            self._handle.update({"text/plain": self.line}, raw=True)
        else:
            print(self.line)


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
    label: str | None = None,
) -> keras.callbacks.History:
    """Compile ``model`` with Adam on :func:`warmup_cosine_schedule` and fit it (shuffled).

    The target is the input itself unless ``targets`` is given (e.g. clean images for a denoiser).
    Progress shows as one live line (:class:`LiveProgress`), never as Keras' progress bars.

    Args:
        model: the autoencoder to train (compiled here, so any earlier compile is replaced).
        x_train: inputs, shape (n, ...).
        epochs: passes over ``x_train``; the learning rate reaches 0 at the end of the last one.
        batch_size: examples per gradient step.
        peak_lr: the learning rate at the end of the warm-up.
        loss: any Keras loss (name or callable).
        targets: what the model should output for each input; ``x_train`` when omitted.
        validation_data: ``(inputs, targets)`` scored after each epoch (a split of the training
            set, never the test set).
        warmup_fraction: share of all steps spent warming up.
        label: the name shown on the progress line; the model's name when omitted.

    Returns:
        The ``History`` of the fit (per-epoch ``loss`` and, with validation data, ``val_loss``).
    """
    targets = x_train if targets is None else targets
    if len(targets) != len(x_train):
        raise ValueError(
            f"targets has {len(targets)} rows but x_train has {len(x_train)}; they must pair up"
        )
    return _fit_on_schedule(model, x_train, targets, loss=loss, metrics=None, epochs=epochs,
                            batch_size=batch_size, peak_lr=peak_lr,
                            validation_data=validation_data, warmup_fraction=warmup_fraction,
                            label=label or model.name)


def _fit_on_schedule(
    model: keras.Model, x: np.ndarray, y: np.ndarray, *, loss: object, metrics: list | None,
    epochs: int, batch_size: int, peak_lr: float, validation_data: tuple | None,
    warmup_fraction: float, label: str | None,
) -> keras.callbacks.History:
    """Compile ``model`` with Adam on the warm-up + cosine schedule; fit it shuffled, quietly.

    ``label`` names the one live progress line; None shows none (a loop's :class:`LoopProgress`).
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    batches = isinstance(x, keras.utils.PyDataset)  # a dataset shuffles and batches itself
    steps = epochs * (len(x) if batches else math.ceil(len(x) / batch_size))
    optimizer = keras.optimizers.Adam(warmup_cosine_schedule(peak_lr, steps, warmup_fraction))
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model.fit(x, y, epochs=epochs, batch_size=None if batches else batch_size,
                     validation_data=validation_data, shuffle=not batches, verbose=0,
                     callbacks=[LiveProgress(label)] if label is not None else [])


def fine_tune_classifier(
    model: keras.Model,
    x_train: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 128,
    peak_lr: float = 1e-3,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    warmup_fraction: float = 0.05,
    label: str | None = None,
    progress: bool = True,
) -> keras.callbacks.History:
    """Train every weight of a softmax classifier (e.g. a pretrained encoder + softmax) on labels.

    The supervised twin of :func:`train_autoencoder`, with the same Adam on
    :func:`warmup_cosine_schedule`, shuffling and one-line progress, so that pretrained and random
    starts are fine-tuned by exactly the same recipe. The loss is sparse categorical cross-entropy
    on integer labels, with an ``accuracy`` metric: ``model.evaluate(x_test, y_test)`` then returns
    ``[loss, accuracy]``.

    Args:
        model: a model whose output is a softmax over K ≥ 2 classes (compiled here).
        x_train: inputs, shape (n, ...).
        labels: integer class labels 0…K−1, shape (n,).
        epochs: passes over ``x_train``; the learning rate reaches 0 at the end of the last one.
        batch_size: examples per gradient step.
        peak_lr: the learning rate at the end of the warm-up.
        validation_data: ``(inputs, labels)`` held out from the training set, scored each epoch.
        warmup_fraction: share of all steps spent warming up.
        label: the name shown on the progress line; the model's name when omitted.
        progress: show the live progress line; False for one run among many in a loop (see
            :class:`LoopProgress`).

    Returns:
        The ``History`` of the fit (``loss``, ``accuracy`` and their ``val_`` twins).

    Raises:
        ValueError: if the labels are not integers 0…K−1 matching ``x_train`` and the model's
            K outputs, or ``epochs`` or ``batch_size`` is below 1.
    """
    labels = np.asarray(labels)
    if labels.shape != (len(x_train),):
        raise ValueError(
            f"labels must have shape ({len(x_train)},) to match x_train, got {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError("labels must be non-negative integers (class indices 0…K−1)")
    n_outputs = model.output_shape[-1]
    if labels.max() >= n_outputs:
        raise ValueError(
            f"labels go up to {labels.max()} but the model has {n_outputs} outputs; end it with "
            f"Dense({labels.max() + 1}, activation='softmax')"
        )
    return _fit_on_schedule(model, x_train, labels, loss="sparse_categorical_crossentropy",
                            metrics=["accuracy"], epochs=epochs, batch_size=batch_size,
                            peak_lr=peak_lr, validation_data=validation_data,
                            warmup_fraction=warmup_fraction,
                            label=(label or model.name) if progress else None)


def train_softmax_classifier(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 128,
    learning_rate: float = 3e-3,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    patience: int = 3,
    label: str = "softmax classifier",
) -> keras.Model:
    """Train softmax regression, ``Dense(n_classes, softmax)``, on frozen features (a linear probe).

    The course's one yardstick for "are these codes good features?": the same linear classifier on
    every representation. With ``validation_data`` (a split of the training set) training stops
    early once the validation loss has not improved for ``patience`` epochs, keeping the best
    weights; without it, it runs all ``epochs``.

    Args:
        features: training inputs, shape (n, d).
        labels: integer class labels 0…K−1, shape (n,).
        epochs: the most passes over the data.
        batch_size: examples per Adam step.
        learning_rate: Adam's (constant) learning rate.
        validation_data: ``(features, labels)`` held out from the training set, for early stopping.
        patience: epochs without improvement before stopping (with ``validation_data`` only).
        label: the name shown on the progress line.

    Returns:
        The trained classifier, compiled with an ``accuracy`` metric:
        ``classifier.evaluate(x_test, y_test)`` returns ``[loss, accuracy]``.
    """
    features = np.asarray(features)
    labels = np.asarray(labels)
    if features.ndim != 2:
        raise ValueError(f"features must have shape (n, d), got {features.shape}; flatten them")
    if labels.shape != (len(features),):
        raise ValueError(
            f"labels must have shape ({len(features)},) to match the features, got {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError("labels must be non-negative integers (class indices 0…K−1)")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    n_classes = int(labels.max()) + 1
    classifier = keras.Sequential(
        [keras.Input((features.shape[1],)), keras.layers.Dense(n_classes, activation="softmax")],
        name="softmax_regression",
    )
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks: list[keras.callbacks.Callback] = [LiveProgress(label)]
    if validation_data is not None:
        callbacks.insert(0, keras.callbacks.EarlyStopping(patience=patience,
                                                          restore_best_weights=True))
    classifier.fit(features, labels, epochs=epochs, batch_size=batch_size,
                   validation_data=validation_data, verbose=0, callbacks=callbacks)
    return classifier


class FreshBinarizations(keras.utils.PyDataset):
    """Batches of ``x`` binarized afresh every time they are drawn (dynamic binarization).

    Each batch is :func:`aeutils.data.dynamic_binarize` of a shuffled slice of ``x``, drawn from one
    seeded generator, so every epoch sees a new binary sample of every image (a Bernoulli model's
    data, Burda et al. 2016) and a run with the same seed sees the same ones.
    """

    def __init__(self, x: np.ndarray, batch_size: int, seed: int | None = None) -> None:
        super().__init__()
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.x, self.batch_size = np.asarray(x), batch_size
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(self.x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray]:
        rows = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        return (data.dynamic_binarize(self.x[rows], self.rng),)

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.x))


def train_vae(
    model: keras.Model,
    x_train: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 128,
    peak_lr: float = 1e-3,
    validation_data: np.ndarray | None = None,
    seed: int | None = None,
    warmup_fraction: float = 0.05,
    label: str | None = None,
) -> keras.callbacks.History:
    """Train a :class:`aeutils.vae.VAE` on dynamically binarized images, with the course's recipe.

    Same Adam on :func:`warmup_cosine_schedule` and one-line progress as
    :func:`train_autoencoder`; the model's own ``compute_loss`` supplies the loss (−ELBO or the
    importance-weighted bound) and its ``reconstruction`` and ``kl`` metrics.

    Args:
        model: the VAE (compiled here).
        x_train: intensities in [0, 1], shape (n, 784); binarized afresh in every epoch.
        epochs: passes over ``x_train``; the learning rate reaches 0 at the end of the last one.
        batch_size: images per gradient step.
        peak_lr: the learning rate at the end of the warm-up.
        validation_data: held-out images *already binarized once* (a split of the training set),
            scored after every epoch as ``val_loss``, ``val_reconstruction``, ``val_kl``.
        seed: seed of the shuffling and the binarization.
        warmup_fraction: share of all steps spent warming up.
        label: the name shown on the progress line; the model's name when omitted.

    Returns:
        The ``History`` of the fit.
    """
    if validation_data is not None:
        validation_data = np.asarray(validation_data)
        if not np.isin(validation_data, (0.0, 1.0)).all():
            raise ValueError("validation_data must be binary images: binarize the held-out split "
                             "once with data.dynamic_binarize(x_val, seed=...)")
        validation_data = (validation_data,)
    batches = FreshBinarizations(x_train, batch_size, seed)
    return _fit_on_schedule(model, batches, None, loss=None, metrics=None, epochs=epochs,
                            batch_size=batch_size, peak_lr=peak_lr,
                            validation_data=validation_data, warmup_fraction=warmup_fraction,
                            label=label or model.name)
