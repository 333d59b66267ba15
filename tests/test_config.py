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
