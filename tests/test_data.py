import hashlib
import re
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


def test_labels_are_int64_and_pixels_are_exactly_x_over_255(raw):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(n_train=1000, n_test=1000)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    np.testing.assert_array_equal(y_train, raw["y_train"][:1000])
    np.testing.assert_array_equal(x_train, raw["x_train"][:1000].astype(np.float32) / 255.0)
    np.testing.assert_array_equal(x_test, raw["x_test"][:1000].astype(np.float32) / 255.0)
    (x_flat, _), (x_test_flat, _) = data.load_mnist(flatten=True, n_train=5, n_test=5)
    assert x_flat.dtype == np.float32 and x_flat.max() <= 1.0
    np.testing.assert_array_equal(x_test_flat, x_test[:5].reshape(5, 784))


@pytest.mark.parametrize("name", list(data.MNIST_SHA256))
def test_each_array_is_checked_against_its_own_checksum(raw, name):
    tampered = dict(raw)
    tampered[name] = raw[name].copy()
    tampered[name].flat[-1] ^= 1  # one bit of one pixel or label
    with pytest.raises(data.MnistFileError, match=rf"^test: {name} fails its SHA-256 check"):
        data.verify_mnist_arrays(tampered, "test")
    data.verify_mnist_arrays(raw, "test")  # the untouched arrays pass


@pytest.mark.parametrize("name", list(data.MNIST_SHA256))
def test_each_array_must_be_uint8_even_when_its_bytes_match(raw, name):
    """int8 with the same bytes passes the checksum; only the dtype check catches it."""
    reinterpreted = {**raw, name: raw[name].view(np.int8)}
    shape = list(data.MNIST_SHAPES[name])
    with pytest.raises(data.MnistFileError,
                       match=re.escape(f"test: {name} is int8{shape}, expected uint8{shape}. ")):
        data.verify_mnist_arrays(reinterpreted, "test")


def test_a_missing_array_is_named_with_the_source(raw):
    arrays = {k: v for k, v in raw.items() if k != "x_train"}
    with pytest.raises(data.MnistFileError, match=r"^test has no array 'x_train'\. Restore"):
        data.verify_mnist_arrays(arrays, "test")


def test_checksum_failure_through_load_mnist_names_the_file_and_the_fix(tmp_path, raw):
    path = tmp_path / "mnist.npz"
    np.savez(path, **{**raw, "y_train": (raw["y_train"] + 1) % 10})
    with pytest.raises(data.MnistFileError) as err:
        data.load_mnist(path)
    assert str(err.value) == (
        f"{path}: y_train fails its SHA-256 check (the data is not canonical MNIST). "
        + data._RESTORE_HINT)


def test_keras_fallback_is_verified_too(monkeypatch, tmp_path, raw):
    import keras

    monkeypatch.setattr(data, "DEFAULT_MNIST_PATH", tmp_path / "mnist.npz")
    wrong_labels = (raw["y_test"] + 1) % 10
    fake = ((raw["x_train"], raw["y_train"]), (raw["x_test"], wrong_labels))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    with pytest.raises(data.MnistFileError, match="^keras.datasets.mnist: y_test fails its SHA"):
        data.load_mnist()


def test_keras_fallback_returns_the_downloaded_arrays(monkeypatch, tmp_path, capsys, raw):
    import keras

    monkeypatch.setattr(data, "DEFAULT_MNIST_PATH", tmp_path / "mnist.npz")
    fake = ((raw["x_train"], raw["y_train"]), (raw["x_test"], raw["y_test"]))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    (x_train, y_train), (x_test, y_test) = data.load_mnist(dtype="uint8", n_train=7, n_test=6)
    np.testing.assert_array_equal(x_train, raw["x_train"][:7])
    np.testing.assert_array_equal(y_train, raw["y_train"][:7])
    np.testing.assert_array_equal(x_test, raw["x_test"][:6])
    np.testing.assert_array_equal(y_test, raw["y_test"][:6])
    assert capsys.readouterr().out == (
        "Note: mnist.npz not found in the repository; loading MNIST via Keras.\n")


def test_an_explicit_path_never_falls_back_to_keras(monkeypatch, tmp_path):
    import keras

    monkeypatch.setattr(data, "DEFAULT_MNIST_PATH", tmp_path / "absent.npz")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: pytest.fail("downloaded"))
    with pytest.raises(FileNotFoundError) as err:
        data.load_mnist(tmp_path / "elsewhere.npz")
    assert str(err.value) == (
        f"No MNIST file at {tmp_path / 'elsewhere.npz'}. Pass the path of a Keras-layout "
        "mnist.npz, or path=None for the repository's data/mnist.npz.")


@pytest.mark.parametrize("kwargs, sizes", [
    ({"n_train": 1, "n_test": 1}, (1, 1)),
    ({"n_train": 60000, "n_test": 10000}, (60000, 10000))])
def test_subset_bounds_are_inclusive(kwargs, sizes):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(dtype="uint8", **kwargs)
    assert (len(x_train), len(y_train)) == (sizes[0], sizes[0])
    assert (len(x_test), len(y_test)) == (sizes[1], sizes[1])


@pytest.mark.parametrize("kwargs, message", [
    ({"n_train": 0}, "n_train must be between 1 and 60000, got 0"),
    ({"n_train": 60001}, "n_train must be between 1 and 60000, got 60001"),
    ({"n_test": 0}, "n_test must be between 1 and 10000, got 0"),
    ({"n_test": 10001}, "n_test must be between 1 and 10000, got 10001"),
    ({"dtype": "float64"}, "dtype must be 'float32' (pixels in [0, 1]) or 'uint8', got 'float64'")])
def test_bad_options_give_the_exact_message(kwargs, message):
    with pytest.raises(ValueError) as err:
        data.load_mnist(**kwargs)
    assert str(err.value) == message


def test_pickled_arrays_are_refused(tmp_path):
    """allow_pickle=False: an .npz with object arrays could run code when unpickled."""
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.array([{"payload": 1}], dtype=object))
    with pytest.raises(data.MnistFileError, match=r"\(ValueError: Object arrays cannot be loaded"):
        data.load_mnist(path)


def test_unreadable_file_message_names_the_error_type(tmp_path):
    junk = tmp_path / "mnist.npz"
    junk.write_text("not a zip archive")
    with pytest.raises(data.MnistFileError,
                       match=rf"^Cannot read {re.escape(str(junk))} as an \.npz archive \("
                             r"ValueError: This file contains pickled .*\)\. Restore the"):
        data.load_mnist(junk)


def test_few_label_subset_edges():
    labels = np.repeat(np.arange(4), 5)
    np.testing.assert_array_equal(data.few_label_subset(labels, 5), np.arange(20))  # every one
    one = data.few_label_subset(labels, 1)
    assert np.bincount(labels[one]).tolist() == [1, 1, 1, 1]
    np.testing.assert_array_equal(data.few_label_subset(labels, 2),
                                  data.few_label_subset(labels, 2, seed=0))  # default seed 0
    assert len(data.few_label_subset(labels, np.int64(3))) == 12


@pytest.mark.parametrize("labels, n, message", [
    (np.zeros((4, 2)), 1, "labels must be a 1-D array of class ids, got shape (4, 2)"),
    (np.zeros(4), True, "n_per_class must be an integer, got True"),
    (np.zeros(4), 0, "n_per_class must be at least 1, got 0"),
    (np.array([0, 0, 1]), 2, "class 1 has only 1 examples, fewer than n_per_class=2; "
                              "lower n_per_class or pass more data")])
def test_few_label_subset_error_messages(labels, n, message):
    with pytest.raises(ValueError) as err:
        data.few_label_subset(labels, n)
    assert str(err.value) == message


def test_dynamic_binarize_draws_float32_from_a_generator_or_a_seed():
    intensities = np.full((3, 4), 0.5)
    out = data.dynamic_binarize(intensities, seed=1)
    assert out.dtype == np.float32 and out.shape == (3, 4)
    expected = (np.random.default_rng(1).random((3, 4)) < 0.5).astype(np.float32)
    np.testing.assert_array_equal(out, expected)
    rng = np.random.default_rng(1)
    first, second = data.dynamic_binarize(intensities, rng), data.dynamic_binarize(intensities, rng)
    np.testing.assert_array_equal(first, expected)  # the generator itself is drawn from...
    assert not np.array_equal(first, second)  # ...and it advances
    assert data.dynamic_binarize(np.zeros((0, 784))).shape == (0, 784)


@pytest.mark.parametrize("bad, low, high", [([0.5, 1.5], 0.5, 1.5), ([-0.5, 0.25], -0.5, 0.25),
                                            ([0.5, np.nan], 0.5, 0.5)])
def test_dynamic_binarize_rejects_values_outside_the_unit_interval(bad, low, high):
    with pytest.raises(ValueError) as err:
        data.dynamic_binarize(np.array(bad))
    assert str(err.value) == ("dynamic_binarize needs intensities in [0, 1] (did you pass uint8 "
                              f"pixels? divide by 255); got values in [{low}, {high}]")
