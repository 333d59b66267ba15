import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from aeutils import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_image_rows_lays_out_one_labelled_row_per_entry():
    images = np.random.default_rng(0).random((4, 784))
    fig = plotting.plot_image_rows({"original": images, "AE": images.reshape(4, 28, 28)}, "t")
    assert len(fig.axes) == 8
    assert fig.axes[0].get_ylabel() == "original" and fig.axes[4].get_ylabel() == "AE"
    np.testing.assert_allclose(fig.axes[5].images[0].get_array(), images[1].reshape(28, 28))


@pytest.mark.parametrize("rows, match", [
    ({}, "empty"), ({"a": np.zeros((2, 784)), "b": np.zeros((3, 784))}, "same number"),
    ({"a": np.zeros((2, 100))}, "28x28")])
def test_image_rows_errors(rows, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_image_rows(rows)


def test_latent_scatter_colours_each_digit_consistently():
    codes = np.arange(20, dtype=float).reshape(10, 2)
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    ax = plotting.plot_latent_scatter(codes, labels, title="codes")
    assert len(ax.collections) == 10 and ax.get_title() == "codes"
    np.testing.assert_allclose(ax.collections[3].get_facecolor()[0][:3], plotting.DIGIT_COLORS[3])
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.plot_latent_scatter(np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="labels"):
        plotting.plot_latent_scatter(np.zeros((3, 2)), np.zeros(4))


def test_mosaic_places_each_normalised_tile():
    weights = np.zeros((5, 784))
    weights[2, 0] = -3.0
    weights[2, 1] = 1.5
    fig = plotting.plot_mosaic(weights, n_cols=3)
    canvas = fig.axes[0].images[0].get_array()
    assert canvas.shape == (2 * 29 + 1, 3 * 29 + 1)
    tile = canvas[1:29, 1 + 2 * 29: 29 + 2 * 29]
    assert tile[0, 0] == pytest.approx(0.0) and tile[0, 1] == pytest.approx(0.75)
    assert tile[5, 5] == pytest.approx(0.5)


def test_mosaic_draws_into_a_given_panel():
    fig, axes = plt.subplots(1, 2)
    returned = plotting.plot_mosaic(np.ones((4, 784)), ax=axes[1], title="right")
    assert returned is fig
    assert len(axes[1].images) == 1 and not axes[0].images and axes[1].get_title() == "right"


def test_history_plots_train_and_validation():
    fig = plotting.plot_history({"a": {"loss": [3, 2, 1], "val_loss": [4, 3, 2]},
                                 "b": {"loss": [2, 1]}})
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3 and lines[1].get_linestyle() == "--"
    with pytest.raises(ValueError, match="no 'loss'"):
        plotting.plot_history({"a": {"acc": [1]}})


def test_manifold_grid_decodes_codes_in_place():
    def decode(codes):  # an image whose brightness is code 1 scaled to [0, 1]
        return np.repeat(((codes[:, :1] + 1) / 2), 784, axis=1)

    fig = plotting.plot_manifold_grid(decode, (-1, 1), (-1, 1), n=3)
    canvas = fig.axes[0].images[0].get_array()
    assert canvas.shape == (84, 84)
    assert canvas[0, 0] == pytest.approx(0.0) and canvas[0, -1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 2"):
        plotting.plot_manifold_grid(decode, (-1, 1), (-1, 1), n=1)


def test_image_rows_sizes_cells_and_draws_every_image_on_the_shared_scale():
    rng = np.random.default_rng(1)
    rows = {"original": rng.random((3, 784)), "AE": rng.random((3, 28, 28))}
    fig = plotting.plot_image_rows(rows, cell_size=0.5)
    np.testing.assert_allclose(fig.get_size_inches(), (0.5 * 3 + 1.2, 0.5 * 2 + 0.4))
    assert fig.get_suptitle() == ""  # no title unless one is given
    axes = np.array(fig.axes).reshape(2, 3)
    for r, (label, images) in enumerate(rows.items()):
        for c in range(3):
            ax = axes[r, c]
            (image,) = ax.images
            np.testing.assert_array_equal(image.get_array(), images[c].reshape(28, 28))
            assert image.get_cmap().name == plotting.IMAGE_CMAP and image.get_clim() == (0, 1)
            assert len(ax.get_xticks()) == 0 and len(ax.get_yticks()) == 0
            assert ax.get_ylabel() == (label if c == 0 else "")
        ylabel = axes[r, 0].yaxis.label
        assert (ylabel.get_rotation(), ylabel.get_ha(), ylabel.get_va(), ylabel.get_fontsize()) == (
            0.0, "right", "center", 9)
    single = plotting.plot_image_rows({"one": rows["AE"][:1]}, title="t")  # a 1×1 grid
    assert len(single.axes) == 1 and single.get_suptitle() == "t"
    np.testing.assert_allclose(single.get_size_inches(), (0.9 + 1.2, 0.9 + 0.4))


def test_image_rows_of_other_image_shapes_and_the_shape_error():
    fig = plotting.plot_image_rows({"a": np.arange(12.0).reshape(2, 6) / 12}, image_shape=(2, 3))
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(),
                                  np.arange(6.0, 12.0).reshape(2, 3) / 12)
    with pytest.raises(ValueError) as err:
        plotting.plot_image_rows({"a": np.zeros((4, 5))}, image_shape=(2, 3))
    assert str(err.value) == ("expected a batch of 2x3 images (flat or not), got an array of "
                              "shape (4, 5)")
    with pytest.raises(ValueError, match="expected a batch of 1x1 images"):
        plotting.plot_mosaic(np.zeros(4), image_shape=(1, 1))  # a vector is not a batch
    with pytest.raises(ValueError) as err:
        plotting.plot_image_rows({})
    assert str(err.value) == "rows is empty: pass {'label': images, ...}"


def test_latent_scatter_draws_each_class_in_its_colour_small_and_translucent():
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(40, 2)), np.array([0, 3, 13, 9] * 10)
    ax = plotting.plot_latent_scatter(codes, labels)
    np.testing.assert_allclose(ax.figure.get_size_inches(), (5, 5))
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("code 1", "code 2", "")
    assert [c.get_label() for c in ax.collections] == ["0", "3", "9", "13"]
    for collection, digit in zip(ax.collections, [0, 3, 9, 13], strict=True):
        np.testing.assert_array_equal(collection.get_offsets(), codes[labels == digit])
        np.testing.assert_allclose(collection.get_facecolor()[0][:3],
                                   plotting.DIGIT_COLORS[digit % 10])
        assert collection.get_sizes().tolist() == [3] and collection.get_alpha() == 0.6
        assert collection.get_rasterized()
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "digit" and legend._ncols == 2
    assert legend.markerscale == 4 and legend.get_texts()[0].get_fontsize() == 8


def test_latent_scatter_draws_into_a_given_axes_with_its_labels():
    fig, ax = plt.subplots()
    returned = plotting.plot_latent_scatter(np.zeros((2, 2)), np.array([1, 2]), ax=ax,
                                            axis_labels=("z₁", "z₂"), title="t")
    assert returned is ax and plt.get_fignums() == [fig.number]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("z₁", "z₂", "t")


def test_latent_scatter_shape_errors_are_exact():
    with pytest.raises(ValueError) as err:
        plotting.plot_latent_scatter(np.zeros((3, 3)), np.zeros(3))
    assert str(err.value) == "codes must have shape (N, 2), got (3, 3)"
    with pytest.raises(ValueError) as err:
        plotting.plot_latent_scatter(np.zeros(2), np.zeros(2))
    assert str(err.value) == "codes must have shape (N, 2), got (2,)"
    with pytest.raises(ValueError) as err:
        plotting.plot_latent_scatter(np.zeros((3, 2)), np.zeros((3, 1)))
    assert str(err.value) == "labels must have shape (3,), got (3, 1)"


def mosaic_canvas(fig):
    """The image data as drawn; imshow masks NaN, so masked cells come back as NaN here."""
    return np.ma.filled(fig.axes[0].images[0].get_array().astype(float), np.nan)


def test_mosaic_default_grid_separators_and_per_tile_scaling():
    tiles = np.zeros((5, 2, 3))
    tiles[0, 0, 0], tiles[0, 1, 2] = 2.0, -1.0  # scaled by 2
    tiles[3, 0, 1] = 0.25  # scaled by 0.25: a small tile still spans the grey range
    fig = plotting.plot_mosaic(tiles, image_shape=(2, 3), title="w")  # 5 tiles: 3 columns
    canvas = mosaic_canvas(fig)
    expected = np.ones((2 * 3 + 1, 3 * 4 + 1))  # white separators and empty slots
    for i, tile in enumerate(tiles):
        r, c = divmod(i, 3)
        scale = np.abs(tile).max()
        expected[1 + 3 * r: 3 + 3 * r, 1 + 4 * c: 4 + 4 * c] = 0.5 + 0.5 * tile / (scale or 1.0)
    np.testing.assert_allclose(canvas, expected)
    assert canvas[1, 1] == 1.0 and canvas[2, 3] == 0.25 and canvas[4, 2] == 1.0
    image = fig.axes[0].images[0]
    assert image.get_cmap().name == "gray" and image.get_clim() == (0, 1)
    assert fig.axes[0].get_title() == "w" and not fig.axes[0].axison
    np.testing.assert_allclose(fig.get_size_inches(), (0.45 * 3 + 1, 0.45 * 2 + 1))


def test_mosaic_of_images_keeps_their_values_and_colour_map():
    images = np.random.default_rng(0).random((4, 784)) * 0.5
    fig = plotting.plot_mosaic(images, n_cols=1, normalize_each=False)
    canvas = mosaic_canvas(fig)
    assert canvas.shape == (4 * 29 + 1, 29 + 1)
    np.testing.assert_allclose(canvas[1 + 3 * 29: 29 + 3 * 29, 1:29], images[3].reshape(28, 28))
    assert fig.axes[0].images[0].get_cmap().name == plotting.IMAGE_CMAP
    assert fig.axes[0].get_title() == ""
    np.testing.assert_allclose(fig.get_size_inches(), (0.45 + 1, 0.45 * 4 + 1))
    wide = plotting.plot_mosaic(np.zeros((50, 784)), n_cols=25)
    np.testing.assert_allclose(wide.get_size_inches(), (10, 0.45 * 2 + 1))  # capped at 10 in
    tall = plotting.plot_mosaic(np.zeros((50, 784)), n_cols=2)
    np.testing.assert_allclose(tall.get_size_inches(), (0.45 * 2 + 1, 10))
    with pytest.raises(ValueError) as err:
        plotting.plot_mosaic(images, n_cols=-1)
    assert str(err.value) == "n_cols must be positive, got -1"


def test_history_curves_epochs_colours_styles_and_labels():
    import types

    history = types.SimpleNamespace(history={"loss": [3.0, 2.0, 1.0], "val_loss": [4, 3, 2]})
    fig = plotting.plot_history({"a": history, "b": {"loss": [2.0, 1.0]}})
    ax = fig.axes[0]
    np.testing.assert_allclose(fig.get_size_inches(), (6, 3.5))
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()) == (
        "Training curves", "epoch", "loss", "log")
    lines = ax.get_lines()
    assert [(line.get_label(), line.get_color(), line.get_linestyle()) for line in lines] == [
        ("a (train)", "C0", "-"), ("a (validation)", "C0", "--"), ("b (train)", "C1", "-")]
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [4, 3, 2])
    np.testing.assert_array_equal(lines[2].get_xdata(), [1, 2])
    np.testing.assert_array_equal(lines[2].get_ydata(), [2.0, 1.0])
    assert ax.get_legend().get_texts()[0].get_fontsize() == 8
    linear = plotting.plot_history({"a": {"loss": [1.0]}}, title="t", ylabel="MSE", log_y=False)
    assert (linear.axes[0].get_title(), linear.axes[0].get_ylabel(),
            linear.axes[0].get_yscale()) == ("t", "MSE", "linear")


def test_history_errors_are_exact():
    with pytest.raises(ValueError) as err:
        plotting.plot_history({})
    assert str(err.value) == "histories is empty: pass {'label': history, ...}"
    with pytest.raises(ValueError) as err:
        plotting.plot_history({"a": {"acc": [1], "val_acc": [1]}})
    assert str(err.value) == "history 'a' has no 'loss' entry (keys: ['acc', 'val_acc'])"


def test_manifold_grid_puts_high_code_2_at_the_top_and_high_code_1_on_the_right():
    received = []

    def decode(codes):  # tile k is filled with k + 1, its first pixel with 101 + k
        received.append(codes)
        images = np.repeat(np.arange(1, len(codes) + 1, dtype=float)[:, None], 6, axis=1)
        images[:, 0] += 100
        return images

    fig = plotting.plot_manifold_grid(decode, (-1, 1), (10, 20), n=3, title="m",
                                      image_shape=(2, 3))
    (codes,) = received
    assert codes.dtype == np.float32 and codes.shape == (9, 2)
    # row-major from the top-left: code 2 falls row by row, code 1 rises along each row
    np.testing.assert_array_equal(codes, [[x, y] for y in (20, 15, 10) for x in (-1, 0, 1)])
    canvas = mosaic_canvas(fig)
    expected = np.zeros((6, 9))
    for k in range(9):
        r, c = divmod(k, 3)
        expected[2 * r: 2 * r + 2, 3 * c: 3 * c + 3] = k + 1
        expected[2 * r, 3 * c] = 101 + k
    np.testing.assert_array_equal(canvas, expected)
    ax = fig.axes[0]
    image = ax.images[0]
    assert image.get_extent() == [-1, 1, 10, 20]  # top row of the canvas at y = 20
    # the colour scale stays [0, 1] (pixel intensities), whatever range the decoder returns
    assert image.get_cmap().name == plotting.IMAGE_CMAP and image.get_clim() == (0, 1)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("code 1", "code 2", "m")
    np.testing.assert_allclose(fig.get_size_inches(), (6, 6))


def test_manifold_grid_default_size_and_errors():
    calls = []
    fig = plotting.plot_manifold_grid(lambda c: calls.append(len(c)) or np.zeros((len(c), 784)),
                                      (0, 1), (0, 1))
    assert calls == [225]  # 15 × 15 by default
    assert fig.axes[0].get_title() == ""
    with pytest.raises(ValueError) as err:
        plotting.plot_manifold_grid(lambda c: np.zeros((len(c), 784)), (0, 1), (0, 1), n=1)
    assert str(err.value) == "n must be at least 2 to span a grid, got 1"
    with pytest.raises(ValueError, match="expected a batch of 28x28 images"):
        plotting.plot_manifold_grid(lambda c: np.zeros((len(c), 100)), (0, 1), (0, 1), n=2)
