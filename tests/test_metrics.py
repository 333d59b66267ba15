import warnings

import numpy as np
import pytest

from aeutils.metrics import principal_angles, psnr, squared_error_per_image


def test_squared_error_per_image_against_a_loop():
    rng = np.random.default_rng(0)
    x, x_hat = rng.random((5, 28, 28)), rng.random((5, 28, 28))
    expected = sum(((x[i] - x_hat[i]) ** 2).sum() for i in range(5)) / 5
    assert squared_error_per_image(x, x_hat) == pytest.approx(expected, rel=1e-12)
    flat = squared_error_per_image(x.reshape(5, -1), x_hat.reshape(5, -1))
    assert flat == pytest.approx(expected)
    assert squared_error_per_image(x, x) == 0.0


@pytest.mark.parametrize("x, x_hat, match", [
    (np.zeros((2, 4)), np.zeros((2, 5)), "same shape"),
    (np.zeros(4), np.zeros(4), "batch"),
    (np.zeros((0, 4)), np.zeros((0, 4)), "batch"),
])
def test_squared_error_rejects_bad_shapes(x, x_hat, match):
    with pytest.raises(ValueError, match=match):
        squared_error_per_image(x, x_hat)


def test_principal_angle_of_a_tilted_plane():
    theta = np.radians(25.0)
    plane = np.array([[1, 0], [0, 1], [0, 0]], dtype=float)
    tilted = np.array([[1, 0], [0, np.cos(theta)], [0, np.sin(theta)]])
    np.testing.assert_allclose(principal_angles(plane, tilted), [0.0, 25.0], atol=1e-6)


def test_principal_angles_ignore_the_choice_of_basis():
    rng = np.random.default_rng(1)
    basis = rng.normal(size=(50, 4))
    mixed = basis @ rng.normal(size=(4, 4))  # same span, other (non-orthogonal) basis
    np.testing.assert_allclose(principal_angles(basis, mixed), 0.0, atol=1e-5)
    orthogonal = np.linalg.qr(np.hstack([basis, rng.normal(size=(50, 4))]))[0][:, 4:]
    np.testing.assert_allclose(principal_angles(basis, orthogonal), 90.0, atol=1e-6)


def test_principal_angles_errors():
    with pytest.raises(ValueError, match="same number of rows"):
        principal_angles(np.eye(3), np.eye(4))
    with pytest.raises(ValueError, match="linearly dependent"):
        principal_angles(np.ones((3, 2)), np.eye(3)[:, :2])


def test_psnr_matches_its_definition_per_image_and_for_the_set():
    clean = np.zeros((3, 28, 28))
    noisy = clean + np.array([0.1, 0.01, 0.5])[:, None, None]  # MSE 1e-2, 1e-4, 0.25
    np.testing.assert_allclose(psnr(clean, noisy, per_image=True),
                               [20.0, 40.0, 10 * np.log10(4.0)], rtol=1e-12)
    set_mse = (1e-2 + 1e-4 + 0.25) / 3  # the set's PSNR comes from its mean squared error
    assert psnr(clean, noisy) == pytest.approx(10 * np.log10(1 / set_mse), rel=1e-12)
    assert type(psnr(clean, noisy)) is float  # not np.float64, which prints as np.float64(…)
    assert psnr(clean * 255, noisy * 255, data_range=255.0) == pytest.approx(psnr(clean, noisy))


def test_psnr_of_an_exact_copy_is_infinite_without_warnings():
    x = np.random.default_rng(0).random((2, 784))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isinf(psnr(x, x, per_image=True)))
        assert psnr(x, x) == np.inf
        y = x.copy()
        y[1, 0] += 0.5  # one damaged image keeps the set's PSNR finite
        assert np.isfinite(psnr(x, y)) and psnr(x, y, per_image=True)[0] == np.inf


def test_psnr_rejects_bad_input():
    x = np.zeros((2, 784))
    with pytest.raises(ValueError, match="same shape"):
        psnr(x, np.zeros((2, 783)))
    with pytest.raises(ValueError, match="non-empty batch"):
        psnr(np.zeros(784), np.zeros(784))
    with pytest.raises(ValueError, match="data_range must be a positive number"):
        psnr(x, x + 0.1, data_range=0.0)


def test_uint8_images_in_0_255_do_not_wrap_around():
    """8-bit pixels: x − x̂ must be computed in floats (uint8 arithmetic wraps modulo 256)."""
    x = np.array([[[0, 255], [100, 200]]], dtype=np.uint8)  # one 2×2 image
    x_hat = np.array([[[100, 50], [0, 200]]], dtype=np.uint8)
    # Differences −100, 205, 100, 0: squared 10000 + 42025 + 10000 + 0 = 62025
    # (in uint8, −100 becomes 156 and every square is taken modulo 256).
    assert squared_error_per_image(x, x_hat) == 62025.0
    mse = 62025.0 / 4
    assert psnr(x, x_hat, data_range=255.0) == pytest.approx(10 * np.log10(255.0**2 / mse))
    np.testing.assert_allclose(psnr(x, x_hat, data_range=255.0, per_image=True),
                               [10 * np.log10(255.0**2 / mse)])


def test_principal_angles_orthonormalise_skewed_bases():
    """Neither basis is orthonormal: a version that skipped the QR step would report [0, 0]."""
    theta = np.radians(25.0)
    plane = np.array([[2.0, 1.0], [0.0, 3.0], [0.0, 0.0]])  # spans e1, e2; skewed, not unit
    tilted = np.array([[1.0, 1.0], [0.0, 2 * np.cos(theta)], [0.0, 2 * np.sin(theta)]])
    np.testing.assert_allclose(principal_angles(plane, tilted), [0.0, 25.0], atol=1e-6)
    np.testing.assert_allclose(principal_angles(tilted, plane), [0.0, 25.0], atol=1e-6)


def test_principal_angles_of_differently_sized_subspaces():
    """A line in a plane: one angle, 0; the same line against the orthogonal axis: 90."""
    line = np.array([[3.0], [4.0], [0.0]])
    plane = np.array([[1.0, 1.0], [0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(principal_angles(line, plane), [0.0], atol=1e-6)
    np.testing.assert_allclose(principal_angles(line, np.array([[0.0], [0.0], [5.0]])), [90.0])
    # ascending order, whatever order the singular values come in
    angles = principal_angles(np.eye(3)[:, :2], np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]))
    np.testing.assert_allclose(angles, [0.0, 45.0], atol=1e-5)


def test_a_subspace_against_itself_gives_zero_angles_never_nan():
    """Rounding can push a cosine to 1 + 2e-16; without the clip arccos would return NaN."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        basis = rng.normal(size=(50, 4))
        angles = principal_angles(basis, basis @ rng.normal(size=(4, 4)))
        assert np.all(np.isfinite(angles)), seed
        np.testing.assert_allclose(angles, 0.0, atol=1e-5)


def test_principal_angles_compute_in_float64_for_float32_weights():
    """Keras weights are float32; float32 arithmetic would leave angles of ~0.03° between
    identical spans, float64 leaves ~1e-6°."""
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(784, 30)).astype(np.float32)
    mixed = (basis.astype(np.float64) @ rng.normal(size=(30, 30))).astype(np.float32)
    assert principal_angles(basis, basis).max() < 1e-4
    exact = principal_angles(basis.astype(np.float64), mixed.astype(np.float64))
    np.testing.assert_allclose(principal_angles(basis, mixed), exact, atol=1e-6)


@pytest.mark.parametrize("a, b", [
    (np.ones(3), np.eye(3)[:, :2]),  # a is a vector with as many entries as b has rows
    (np.eye(3)[:, :2], np.ones(3)),
    (np.ones((3, 2, 1)), np.eye(3)[:, :2]),
    (np.eye(3)[:, :2], np.ones((3, 2, 1))),
    (np.eye(4)[:, :2], np.eye(3)[:, :2]),
])
def test_principal_angles_need_two_matrices_of_equal_height(a, b):
    with pytest.raises(ValueError, match="matrices with the same number of rows"):
        principal_angles(a, b)


def test_principal_angles_name_the_dependent_basis():
    dependent = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="^the columns of a are linearly dependent; pass a basis$"):
        principal_angles(dependent, np.eye(3)[:, :2])
    with pytest.raises(ValueError, match="^the columns of b are linearly dependent; pass a basis$"):
        principal_angles(np.eye(3)[:, :2], dependent)


def test_psnr_with_a_data_range_below_one():
    clean, noisy = np.zeros((2, 4)), np.full((2, 4), 0.05)  # MSE 0.0025
    assert psnr(clean, noisy, data_range=0.5) == pytest.approx(20.0)  # 10 log10(0.25 / 0.0025)


@pytest.mark.parametrize("data_range", [0.0, -1.0, np.inf, np.nan])
def test_psnr_rejects_a_data_range_that_is_not_a_positive_finite_number(data_range):
    x = np.zeros((2, 4))
    with pytest.raises(ValueError, match=r"^data_range must be a positive number \(1\.0 for"):
        psnr(x, x + 0.1, data_range=data_range)


@pytest.mark.parametrize("metric", [squared_error_per_image, psnr])
def test_metrics_accept_a_batch_of_one_and_reject_non_batches(metric):
    one = np.zeros((1, 3))
    assert np.isfinite(metric(one, one + 0.5))
    with pytest.raises(ValueError, match=r"^x and x_hat must have the same shape, got \(1, 3\) "):
        metric(one, np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"^expected a non-empty batch of images \(N, \.\.\.\), "
                                         r"got shape \(3,\)$"):
        metric(np.zeros(3), np.zeros(3))
