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
    assert isinstance(psnr(clean, noisy), float)
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
