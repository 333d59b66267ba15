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
