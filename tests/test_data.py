import hashlib
import shutil

import numpy as np
import pytest

from aeutils import data

# Class counts and mean pixel from the data's README, computed independently of the loader.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def raw():
    with np.load(data.DEFAULT_MNIST_PATH) as npz:
        return {k: npz[k] for k in npz.files}


def test_repository_file_has_the_published_checksums(raw):
    for name, digest in data.MNIST_SHA256.items():
        assert hashlib.sha256(raw[name].tobytes()).hexdigest() == digest


def test_load_mnist_float_layout_and_values(raw):
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() == 1.0
    np.testing.assert_array_equal(x_test * 255.0, raw["x_test"].astype(np.float32))
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS
    assert abs(raw["x_train"].mean() - 33.318) < 1e-3


def test_load_mnist_uint8_flat_subset(raw):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(
        dtype="uint8", flatten=True, n_train=100, n_test=10)
    assert x_train.shape == (100, 784) and x_test.shape == (10, 784) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, raw["x_train"][:100].reshape(100, 784))
    np.testing.assert_array_equal(y_test, raw["y_test"][:10])


@pytest.mark.parametrize("kwargs, match", [
    ({"dtype": "float64"}, "dtype"), ({"n_train": 0}, "n_train"), ({"n_test": 10001}, "n_test")])
def test_load_mnist_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.load_mnist(**kwargs)


def test_truncated_file_names_itself_and_the_fix(tmp_path):
    broken = tmp_path / "mnist.npz"
    broken.write_bytes(data.DEFAULT_MNIST_PATH.read_bytes()[:100_000])
    with pytest.raises(data.MnistFileError) as err:
        data.load_mnist(broken)
    assert str(broken) in str(err.value) and "git checkout" in str(err.value)


def test_non_npz_file_is_reported(tmp_path):
    junk = tmp_path / "mnist.npz"
    junk.write_text("not a zip archive")
    with pytest.raises(data.MnistFileError, match="Cannot read"):
        data.load_mnist(junk)


def test_wrong_pixels_fail_the_checksum(tmp_path, raw):
    tampered = dict(raw)
    tampered["x_test"] = raw["x_test"].copy()
    tampered["x_test"][0, 0, 0] ^= 1
    path = tmp_path / "mnist.npz"
    np.savez(path, **tampered)
    with pytest.raises(data.MnistFileError, match="x_test fails its SHA-256"):
        data.load_mnist(path)


def test_wrong_shape_and_missing_array_are_reported(tmp_path, raw):
    path = tmp_path / "mnist.npz"
    np.savez(path, **{**raw, "y_train": raw["y_train"][:10]})
    with pytest.raises(data.MnistFileError, match=r"y_train is uint8\[10\]"):
        data.load_mnist(path)
    np.savez(path, **{k: v for k, v in raw.items() if k != "y_test"})
    with pytest.raises(data.MnistFileError, match="no array 'y_test'"):
        data.load_mnist(path)


def test_missing_explicit_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No MNIST file"):
        data.load_mnist(tmp_path / "nowhere.npz")


def test_missing_repository_file_falls_back_to_keras(monkeypatch, tmp_path, capsys, raw):
    import keras

    monkeypatch.setattr(data, "DEFAULT_MNIST_PATH", tmp_path / "mnist.npz")
    fake = ((raw["x_train"], raw["y_train"]), (raw["x_test"], raw["y_test"]))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    (_, _), (x_test, _) = data.load_mnist(n_test=5)
    assert x_test.shape == (5, 28, 28)
    assert "loading MNIST via Keras" in capsys.readouterr().out


def test_few_label_subset_is_stratified_seeded_and_unique():
    labels = np.repeat(np.arange(10), 50)[np.random.default_rng(1).permutation(500)]
    idx = data.few_label_subset(labels, 7, seed=3)
    assert len(idx) == 70 and len(np.unique(idx)) == 70
    assert np.bincount(labels[idx]).tolist() == [7] * 10
    np.testing.assert_array_equal(idx, data.few_label_subset(labels, 7, seed=3))
    assert not np.array_equal(idx, data.few_label_subset(labels, 7, seed=4))


@pytest.mark.parametrize("n, match", [(0, "at least 1"), (51, "class 0 has only 50"),
                                      (2.0, "integer")])
def test_few_label_subset_errors(n, match):
    labels = np.repeat(np.arange(10), 50)
    with pytest.raises(ValueError, match=match):
        data.few_label_subset(labels, n)


def test_dynamic_binarize_matches_intensities_in_expectation():
    intensities = np.linspace(0, 1, 11, dtype=np.float32)
    samples = np.stack([data.dynamic_binarize(intensities, seed=s) for s in range(2000)])
    assert set(np.unique(samples)) <= {0.0, 1.0}
    # Binomial standard error ≤ 0.5/sqrt(2000) ≈ 0.011; 5 standard errors of slack.
    np.testing.assert_allclose(samples.mean(axis=0), intensities, atol=0.056)
    assert samples[:, 0].max() == 0 and samples[:, -1].min() == 1
    np.testing.assert_array_equal(data.dynamic_binarize(intensities, seed=5),
                                  data.dynamic_binarize(intensities, seed=5))


def test_dynamic_binarize_rejects_raw_pixels():
    with pytest.raises(ValueError, match="divide by 255"):
        data.dynamic_binarize(np.array([0, 128, 255]))


def test_data_readme_matches_checksums():
    readme = (data.DATA_DIR / "README.md").read_text()
    for digest in data.MNIST_SHA256.values():
        assert digest in readme


def test_copy_of_repository_file_loads(tmp_path):
    copy = tmp_path / "copy.npz"
    shutil.copy(data.DEFAULT_MNIST_PATH, copy)
    (_, y_train), _ = data.load_mnist(copy, n_train=3)
    assert y_train.tolist() == [5, 0, 4]
