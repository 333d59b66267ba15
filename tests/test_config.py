import keras
import numpy as np
import pytest

from aeutils import config


def test_default_profile_is_full(monkeypatch):
    monkeypatch.delenv("AEUTILS_PROFILE", raising=False)
    assert config.get_profile() == "full"


@pytest.mark.parametrize("value, expected", [("smoke", "smoke"), (" FULL ", "full")])
def test_profile_is_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("AEUTILS_PROFILE", value)
    assert config.get_profile() == expected


def test_unknown_profile_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv("AEUTILS_PROFILE", "fast")
    with pytest.raises(ValueError, match="smoke, full"):
        config.get_profile()


def test_budgets_have_the_same_keys_and_smoke_is_never_bigger():
    for notebook, profiles in config.BUDGETS.items():
        assert set(profiles) == set(config.PROFILES), notebook
        smoke, full = profiles["smoke"], profiles["full"]
        assert smoke.keys() == full.keys(), notebook
        for key in smoke:
            assert 0 < smoke[key] <= full[key], (notebook, key)


def test_budget_is_read_only_and_unknown_notebooks_are_named():
    budget = config.get_budget("01_pca_vs_autoencoder", "full")
    assert budget["n_train"] == 55000
    with pytest.raises(TypeError):
        budget["n_train"] = 1
    with pytest.raises(KeyError, match="01_pca_vs_autoencoder"):
        config.get_budget("99_missing")
    with pytest.raises(ValueError, match="profile"):
        config.get_budget("01_pca_vs_autoencoder", "medium")


def test_setup_seeds_numpy_reproducibly_and_reports(monkeypatch, capsys):
    monkeypatch.setenv("AEUTILS_PROFILE", "smoke")
    settings = config.setup("01_pca_vs_autoencoder", seed=7)
    first = np.random.rand(3)
    config.setup("01_pca_vs_autoencoder", seed=7)
    np.testing.assert_array_equal(first, np.random.rand(3))
    out = capsys.readouterr().out
    assert "profile: smoke" in out and "seed: 7" in out
    assert settings.profile == "smoke" and settings["deep_epochs"] == settings.budget["deep_epochs"]
    assert 0 <= settings.elapsed() < 60


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_bad_seed_is_rejected(seed):
    with pytest.raises(ValueError, match="seed"):
        config.seed_everything(seed)


def test_bad_thread_count_is_rejected():
    with pytest.raises(ValueError, match="threads"):
        config.set_threads(0)


def test_reseed_makes_a_cell_reproduce_its_draws(monkeypatch):
    monkeypatch.setenv("AEUTILS_PROFILE", "smoke")
    settings = config.setup("01_pca_vs_autoencoder", seed=11)
    first = np.random.rand(2), keras.random.uniform((2,), seed=None).numpy()
    np.random.rand(5)  # other cells draw in between
    settings.reseed()
    again = np.random.rand(2), keras.random.uniform((2,), seed=None).numpy()
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])


def test_reseeded_builds_give_identical_weights(monkeypatch):
    monkeypatch.setenv("AEUTILS_PROFILE", "smoke")
    settings = config.setup("01_pca_vs_autoencoder", seed=5)
    weights = []
    for _ in range(2):
        settings.reseed()
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        weights.append(layer.get_weights()[0])
    np.testing.assert_array_equal(weights[0], weights[1])


def test_setup_refuses_another_backend(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(RuntimeError, match="KERAS_BACKEND=tensorflow"):
        config.setup("01_pca_vs_autoencoder")


def test_seed_everything_makes_two_identical_runs_give_identical_weights():
    """Same seed, same data, same steps: bit-identical weights (TF ops made deterministic)."""
    from tensorflow.python.framework import config as tf_config  # the only place to read it

    tf_config.disable_op_determinism()
    x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
    runs = []
    for _ in range(2):
        config.seed_everything(3)
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dropout(0.5), keras.layers.Dense(8)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, x, epochs=2, batch_size=16, verbose=0)  # shuffled batches, dropout masks
        runs.append(model.get_weights())
    assert tf_config.is_op_determinism_enabled(), "seed_everything must enable op determinism"
    for first, second in zip(*runs, strict=True):
        np.testing.assert_array_equal(first, second)


def test_seed_zero_is_valid_and_seeds_python_numpy_and_keras():
    import random

    config.seed_everything(0)
    draws = random.random(), np.random.rand(), float(keras.random.uniform(()))
    config.seed_everything(np.int64(0))
    assert (random.random(), np.random.rand(), float(keras.random.uniform(()))) == draws
    random.seed(0)
    assert random.random() == draws[0]


class ThreadSpy:
    """Stands in for tf.config.threading, which TensorFlow freezes at the first op."""

    def __init__(self, frozen_at=None):
        self.frozen_at, self.intra, self.inter = frozen_at, None, None

    def set_intra_op_parallelism_threads(self, n):
        if self.frozen_at is not None:
            raise RuntimeError("Intra op parallelism cannot be modified after initialization.")
        self.intra = n

    def set_inter_op_parallelism_threads(self, n):
        self.inter = n

    def get_intra_op_parallelism_threads(self):
        return self.frozen_at


@pytest.fixture
def threads(monkeypatch):
    spy = ThreadSpy()
    monkeypatch.setattr(config.tf.config, "threading", spy)
    return spy


@pytest.mark.parametrize("requested, intra, inter", [(1, 1, 1), (2, 2, 2), (3, 3, 2), (16, 16, 2)])
def test_set_threads_sets_intra_and_at_most_two_inter_op_threads(threads, requested, intra, inter):
    assert config.set_threads(requested) == intra
    assert (threads.intra, threads.inter) == (intra, inter)


@pytest.mark.parametrize("cpu_count, expected", [(6, 6), (None, 1)])
def test_set_threads_defaults_to_every_core(threads, monkeypatch, cpu_count, expected):
    monkeypatch.setattr(config.os, "cpu_count", lambda: cpu_count)
    assert config.set_threads() == expected and threads.intra == expected


def test_set_threads_reports_what_tensorflow_kept_once_frozen(monkeypatch):
    monkeypatch.setattr(config.tf.config, "threading", ThreadSpy(frozen_at=5))
    assert config.set_threads(3) == 5
    monkeypatch.setattr(config.tf.config, "threading", ThreadSpy(frozen_at=0))  # 0: TF's default
    assert config.set_threads(3) == 3


@pytest.mark.parametrize("bad", [0, -2])
def test_set_threads_rejects_fewer_than_one(threads, bad):
    with pytest.raises(ValueError) as err:
        config.set_threads(bad)
    assert str(err.value) == f"threads must be at least 1, got {bad}"
    assert threads.intra is None


def test_setup_passes_the_thread_count_and_prints_one_exact_line(monkeypatch, capsys, threads):
    monkeypatch.setenv("AEUTILS_PROFILE", "full")
    monkeypatch.setattr(config.os, "cpu_count", lambda: 7)  # so that 3 cannot be the default
    settings = config.setup("02_sparse_autoencoder", seed=9, threads=3)
    assert (threads.intra, threads.inter) == (3, 2)
    assert capsys.readouterr().out == (
        f"02_sparse_autoencoder | profile: full | seed: 9 | Keras {keras.__version__} on "
        f"tensorflow {config.tf.__version__} | 3 CPU threads\n")
    assert settings == config.Settings(notebook="02_sparse_autoencoder", profile="full", seed=9,
                                       budget=config.BUDGETS["02_sparse_autoencoder"]["full"],
                                       started=settings.started)


def test_setup_default_seed_is_42(monkeypatch, threads):
    monkeypatch.setenv("AEUTILS_PROFILE", "smoke")
    settings = config.setup("03_denoising_autoencoder")
    assert settings.seed == 42 and settings.notebook == "03_denoising_autoencoder"
    first = np.random.rand()
    config.seed_everything(42)
    assert np.random.rand() == first


PROFILES_ORDER = ("smoke", "full")


def test_get_budget_uses_the_environment_only_when_no_profile_is_given(monkeypatch):
    monkeypatch.setenv("AEUTILS_PROFILE", "smoke")
    smoke, full = (config.BUDGETS["02_sparse_autoencoder"][p]["epochs"] for p in PROFILES_ORDER)
    assert smoke < full
    assert config.get_budget("02_sparse_autoencoder")["epochs"] == smoke
    assert config.get_budget("02_sparse_autoencoder", "full")["epochs"] == full
    assert dict(config.get_budget("01_pca_vs_autoencoder", "smoke")) == (
        config.BUDGETS["01_pca_vs_autoencoder"]["smoke"])


def test_config_error_messages(monkeypatch):
    with pytest.raises(KeyError) as err:
        config.get_budget("99_missing")
    known = ", ".join(sorted(config.BUDGETS))  # e.g. "01_pca_vs_autoencoder, 02_sparse_…"
    assert known.startswith("01_pca_vs_autoencoder, 02_sparse_autoencoder, ")
    assert err.value.args[0] == (
        f"No budget for notebook '99_missing'; known notebooks: {known}. Add its smoke and full "
        "budgets to aeutils.config.BUDGETS.")
    with pytest.raises(ValueError) as err:
        config.get_budget("01_pca_vs_autoencoder", "medium")
    assert str(err.value) == "profile 'medium' is not one of smoke, full"
    monkeypatch.setenv("AEUTILS_PROFILE", "fast")
    with pytest.raises(ValueError) as err:
        config.get_profile()
    assert str(err.value) == ("AEUTILS_PROFILE='fast' is not a profile; use one of smoke, full "
                              "(smoke: quick CI run, full: the real experiment).")
    with pytest.raises(ValueError) as err:
        config.seed_everything(-1)
    assert str(err.value) == "seed must be a non-negative integer, got -1"
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(RuntimeError) as err:
        config.setup("01_pca_vs_autoencoder")
    assert str(err.value) == (
        "Keras is running on the 'jax' backend, but this course needs TensorFlow. Set "
        "KERAS_BACKEND=tensorflow before starting Python (or Jupyter), or import aeutils before "
        "keras, then restart the kernel.")


@pytest.mark.parametrize("value", [None, "", "  "])
def test_seed_is_the_notebooks_own_when_aeutils_seed_is_unset_or_empty(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("AEUTILS_SEED", raising=False)
    else:
        monkeypatch.setenv("AEUTILS_SEED", value)
    assert config.get_seed(5) == 5


@pytest.mark.parametrize("value, expected", [("55", 55), (" 0 ", 0), ("7", 7)])
def test_aeutils_seed_overrides_the_notebooks_seed(monkeypatch, value, expected):
    monkeypatch.setenv("AEUTILS_SEED", value)
    assert config.get_seed(5) == expected


@pytest.mark.parametrize("value", ["-1", "abc", "5.5", "1e3"])
def test_bad_aeutils_seed_says_what_to_set(monkeypatch, value):
    monkeypatch.setenv("AEUTILS_SEED", value)
    with pytest.raises(ValueError) as err:
        config.get_seed(5)
    assert str(err.value) == (
        f"AEUTILS_SEED={value!r} is not a non-negative integer; set it to one (e.g. 55), or "
        "unset it to use the notebook's own seed (5).")


def test_setup_runs_with_aeutils_seed_and_names_both_seeds(monkeypatch, capsys, threads):
    monkeypatch.setenv("AEUTILS_PROFILE", "smoke")
    monkeypatch.setenv("AEUTILS_SEED", "55")
    settings = config.setup("05_contractive_autoencoder", seed=5, threads=2)
    assert settings.seed == 55
    assert capsys.readouterr().out == (
        f"05_contractive_autoencoder | profile: smoke | seed: 55 (AEUTILS_SEED; the notebook's "
        f"own: 5) | Keras {keras.__version__} on tensorflow {config.tf.__version__} | 2 CPU "
        "threads\n")
    first = np.random.rand()
    settings.reseed()
    assert np.random.rand() == first  # reseed uses the run's seed, not the notebook's
    config.seed_everything(55)
    assert np.random.rand() == first
