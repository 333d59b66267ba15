"""Every figure helper of the course, so that all notebooks share one look.

Digits are drawn dark on light (``IMAGE_CMAP``); classes take the same ``DIGIT_COLORS`` everywhere.
Each helper returns its matplotlib Figure (or Axes) and leaves showing it to the notebook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

IMAGE_CMAP = "gray_r"
DIGIT_COLORS = plt.get_cmap("tab10").colors
IMAGE_SHAPE = (28, 28)


def _as_images(images: np.ndarray, image_shape: tuple[int, int]) -> np.ndarray:
    images = np.asarray(images)
    size = image_shape[0] * image_shape[1]
    if images.ndim < 2 or images[0].size != size:
        raise ValueError(
            f"expected a batch of {image_shape[0]}x{image_shape[1]} images (flat or not), "
            f"got an array of shape {images.shape}"
        )
    return images.reshape(len(images), *image_shape)


def plot_image_rows(
    rows: Mapping[str, np.ndarray],
    title: str = "",
    image_shape: tuple[int, int] = IMAGE_SHAPE,
    cell_size: float = 0.9,
) -> Figure:
    """Show several equally long rows of images, one labelled row per entry of ``rows``.

    Typical use: originals above, each model's reconstructions of the same digits below.

    Args:
        rows: mapping from row label to images, shape (n, H·W) or (n, H, W), intensities in
            [0, 1]; every row holds the same n.
        title: figure title; none when empty.
        image_shape: (H, W) of one image.
        cell_size: width and height of one image, in inches.

    Returns:
        The Figure, len(rows) rows by n columns of images.

    Raises:
        ValueError: if ``rows`` is empty, the rows differ in length, or an entry is not a batch of
            ``image_shape`` images.
    """
    if not rows:
        raise ValueError("rows is empty: pass {'label': images, ...}")
    grids = {label: _as_images(images, image_shape) for label, images in rows.items()}
    lengths = {len(g) for g in grids.values()}
    if len(lengths) != 1:
        raise ValueError(f"every row must hold the same number of images, got lengths {lengths}")
    n_cols = lengths.pop()
    fig, axes = plt.subplots(len(grids), n_cols, squeeze=False,
                             figsize=(cell_size * n_cols + 1.2, cell_size * len(grids) + 0.4))
    for r, (label, images) in enumerate(grids.items()):
        for c, image in enumerate(images):
            ax = axes[r, c]
            ax.imshow(image, cmap=IMAGE_CMAP, vmin=0.0, vmax=1.0)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_latent_scatter(
    codes: np.ndarray,
    labels: np.ndarray,
    ax: Axes | None = None,
    title: str = "",
    axis_labels: tuple[str, str] = ("code 1", "code 2"),
) -> Axes:
    """Scatter 2-D codes coloured by digit class, with a legend of the ten digits.

    Args:
        codes: the codes, shape (N, 2).
        labels: the digit (class id, 0–9) of each code, shape (N,).
        ax: the Axes to draw into; a new 5×5-inch figure when omitted.
        title: axes title.
        axis_labels: labels of the x and y axes.

    Returns:
        The Axes drawn into.

    Raises:
        ValueError: if ``codes`` is not of shape (N, 2) or ``labels`` not of shape (N,).
    """
    codes, labels = np.asarray(codes), np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"codes must have shape (N, 2), got {codes.shape}")
    if labels.shape != (len(codes),):
        raise ValueError(f"labels must have shape ({len(codes)},), got {labels.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    for digit in np.unique(labels):
        keep = labels == digit
        ax.scatter(codes[keep, 0], codes[keep, 1], s=3, alpha=0.6,
                   color=DIGIT_COLORS[int(digit) % 10], label=str(digit), rasterized=True)
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    ax.set_title(title)
    ax.legend(markerscale=4, fontsize=8, ncols=2, loc="best", title="digit")
    return ax


def plot_mosaic(
    images: np.ndarray,
    n_cols: int | None = None,
    title: str = "",
    image_shape: tuple[int, int] = IMAGE_SHAPE,
    normalize_each: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """Tile images (or weight vectors, one per row) into one square-ish mosaic.

    With ``normalize_each`` every tile is scaled to its own range (by its largest absolute value,
    so grey = 0 for weights that are symmetric around 0), which is how filters are usually shown.

    Args:
        images: the tiles, shape (n, H·W) or (n, H, W): images, or weight vectors one per row.
        n_cols: tiles per row; ceil(√n) when omitted.
        title: axes title.
        image_shape: (H, W) of one tile.
        normalize_each: scale each tile to its own range on a grey colormap (for weights); when
            False, values are drawn as they are, [0, 1] on ``IMAGE_CMAP`` (for images).
        ax: an existing panel to draw into (e.g. two mosaics side by side); a new figure when
            omitted.

    Returns:
        The Figure holding the mosaic (the one holding ``ax`` when it is given).

    Raises:
        ValueError: if ``images`` is not a batch of ``image_shape`` tiles, or ``n_cols`` is
            negative.
    """
    tiles = _as_images(images, image_shape).astype(np.float64)
    n = len(tiles)
    n_cols = n_cols or int(np.ceil(np.sqrt(n)))
    if n_cols < 1:
        raise ValueError(f"n_cols must be positive, got {n_cols}")
    n_rows = int(np.ceil(n / n_cols))
    if normalize_each:
        scale = np.abs(tiles).reshape(n, -1).max(axis=1).reshape(n, 1, 1)
        tiles = 0.5 + 0.5 * tiles / np.where(scale > 0, scale, 1.0)
    h, w = image_shape
    canvas = np.ones((n_rows * (h + 1) + 1, n_cols * (w + 1) + 1))
    for i, tile in enumerate(tiles):
        r, c = divmod(i, n_cols)
        canvas[1 + r * (h + 1): 1 + r * (h + 1) + h, 1 + c * (w + 1): 1 + c * (w + 1) + w] = tile
    if ax is None:
        _, ax = plt.subplots(figsize=(min(0.45 * n_cols + 1, 10), min(0.45 * n_rows + 1, 10)))
    ax.imshow(canvas, cmap="gray" if normalize_each else IMAGE_CMAP, vmin=0.0, vmax=1.0)
    ax.set_axis_off()
    ax.set_title(title)
    return ax.figure


def plot_history(
    histories: Mapping[str, object],
    title: str = "Training curves",
    ylabel: str = "loss",
    log_y: bool = True,
) -> Figure:
    """Plot training loss (solid) and validation loss (dashed) per epoch for several runs.

    Args:
        histories: mapping from run label to a Keras ``History`` or its ``.history`` dict; each
            needs ``"loss"``, and its ``"val_loss"`` is drawn when present. One colour per run.
        title: axes title.
        ylabel: y-axis label.
        log_y: use a logarithmic y axis.

    Returns:
        The Figure.

    Raises:
        ValueError: if ``histories`` is empty, or a history has no ``"loss"`` entry.
    """
    if not histories:
        raise ValueError("histories is empty: pass {'label': history, ...}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, (label, history) in enumerate(histories.items()):
        logs = getattr(history, "history", history)
        if "loss" not in logs:
            raise ValueError(f"history {label!r} has no 'loss' entry (keys: {sorted(logs)})")
        color = f"C{i}"
        epochs = np.arange(1, len(logs["loss"]) + 1)
        ax.plot(epochs, logs["loss"], color=color, label=f"{label} (train)")
        if "val_loss" in logs:
            ax.plot(epochs, logs["val_loss"], color=color, ls="--", label=f"{label} (validation)")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if log_y:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_manifold_grid(
    decode: Callable[[np.ndarray], np.ndarray],
    x_range: Sequence[float],
    y_range: Sequence[float],
    n: int = 15,
    title: str = "",
    image_shape: tuple[int, int] = IMAGE_SHAPE,
) -> Figure:
    """Decode an n×n grid of 2-D codes and tile the images where the codes lie.

    The y axis grows upwards, as in a scatter of the codes.

    Args:
        decode: maps an (n², 2) float32 array of codes to images, shape (n², H·W) or (n², H, W),
            intensities in [0, 1] (e.g. ``decoder.predict``).
        x_range: (first, last) value of code 1, spanned by n evenly spaced columns.
        y_range: (first, last) value of code 2, spanned by n evenly spaced rows.
        n: grid points per side, at least 2.
        title: axes title.
        image_shape: (H, W) of one decoded image.

    Returns:
        The Figure: an (n·H, n·W) canvas on axes in code units.

    Raises:
        ValueError: if ``n`` is below 2, or ``decode`` does not return a batch of ``image_shape``
            images.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2 to span a grid, got {n}")
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)[::-1]
    grid = np.array([[x, y] for y in ys for x in xs], dtype=np.float32)
    images = _as_images(np.asarray(decode(grid)), image_shape)
    h, w = image_shape
    canvas = images.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.imshow(canvas, cmap=IMAGE_CMAP, vmin=0.0, vmax=1.0,
              extent=(x_range[0], x_range[1], y_range[0], y_range[1]))
    ax.set_xlabel("code 1")
    ax.set_ylabel("code 2")
    ax.set_title(title)
    return fig
