import math

import keras
import numpy as np
import pytest

from aeutils import vae
from aeutils.training import FreshBinarizations, train_vae

D, LATENT = 6, 1  # a VAE small enough to integrate over its one latent dimension exactly


def tiny_vae(latent: int = LATENT, pixels: int = D, seed: int = 0, **kwargs) -> vae.VAE:
    """Linear encoder and decoder with fixed random weights (every quantity is computable)."""
    rng = np.random.default_rng(seed)
    x = keras.Input((pixels,))
    mean_layer, log_var_layer = keras.layers.Dense(latent), keras.layers.Dense(latent)
    encoder = keras.Model(x, [mean_layer(x), log_var_layer(x)], name="encoder")
    z = keras.Input((latent,))
    decode = keras.layers.Dense(pixels)
    decoder = keras.Model(z, decode(z), name="decoder")
    mean_layer.set_weights([rng.normal(0, 0.5, (pixels, latent)), rng.normal(0, 0.3, latent)])
    log_var_layer.set_weights([rng.normal(0, 0.3, (pixels, latent)), rng.normal(-1, 0.3, latent)])
    decode.set_weights([rng.normal(0, 1.5, (latent, pixels)), rng.normal(0, 0.5, pixels)])
    return vae.VAE(encoder, decoder, seed=seed, **kwargs)


def binary_images(n: int, pixels: int = D, seed: int = 1) -> np.ndarray:
    return (np.random.default_rng(seed).random((n, pixels)) < 0.4).astype("float32")


def posterior(model: vae.VAE, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, log_var = model.encoder(x)
    return (keras.ops.convert_to_numpy(mean).astype("float64"),
            keras.ops.convert_to_numpy(log_var).astype("float64"))


def log_likelihood_numpy(model: vae.VAE, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log p(x|z) = Σ x log y + (1 − x) log(1 − y) in NumPy, for z of shape (..., B, d).

    With y = σ(l): log y = l − log(1 + eˡ) and log(1 − y) = −log(1 + eˡ), so the sum is
    Σ x·l − log(1 + eˡ), written with logaddexp so that far-out quadrature nodes stay finite.
    """
    kernel, bias = (w.astype("float64") for w in model.decoder.get_weights())
    logits = z @ kernel + bias
    return np.sum(x * logits - np.logaddexp(0.0, logits), axis=-1)


def quadrature(model: vae.VAE, x: np.ndarray, nodes: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Gauss–Hermite) −ELBO and −log p(x) per image of a 1-D latent model."""
    t, w = np.polynomial.hermite.hermgauss(nodes)
    mean, log_var = posterior(model, x)
    z_q = mean + np.sqrt(2 * np.exp(log_var)) * t  # (B, nodes) nodes under q(z|x)
    expected_log_lik = np.array([w @ log_likelihood_numpy(model, xi, zi[:, None])
                                 for xi, zi in zip(x, z_q, strict=True)]) / math.sqrt(math.pi)
    kl = 0.5 * np.sum(mean**2 + np.exp(log_var) - 1 - log_var, axis=1)
    z_p = math.sqrt(2) * t[:, None]  # nodes under the prior N(0, 1)
    log_weights = np.log(w / math.sqrt(math.pi))
    log_terms = log_likelihood_numpy(model, x[:, None, :], z_p[None]) + log_weights
    peak = log_terms.max(axis=1, keepdims=True)
    log_px = (peak + np.log(np.sum(np.exp(log_terms - peak), axis=1, keepdims=True)))[:, 0]
    return kl - expected_log_lik, -log_px


def test_gaussian_kl_closed_form_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mean, log_var = rng.normal(0, 1, (4, 3)), rng.normal(0, 0.7, (4, 3))
    closed = keras.ops.convert_to_numpy(vae.gaussian_kl(mean, log_var))
    hand = -0.5 * np.sum(1 + log_var - mean**2 - np.exp(log_var), axis=1)
    np.testing.assert_allclose(closed, hand, rtol=1e-12)
    z = mean + np.exp(0.5 * log_var) * rng.standard_normal((200_000, 4, 3))
    log_q = -0.5 * np.sum(np.log(2 * np.pi) + log_var + (z - mean) ** 2 / np.exp(log_var), axis=-1)
    log_p = -0.5 * np.sum(np.log(2 * np.pi) + z**2, axis=-1)
    samples = log_q - log_p
    standard_error = samples.std(axis=0) / np.sqrt(len(samples))
    assert np.all(np.abs(samples.mean(axis=0) - closed) < 4 * standard_error)
    assert np.all(closed > 0)
    assert keras.ops.convert_to_numpy(vae.gaussian_kl(np.zeros((1, 3)), np.zeros((1, 3))))[0] == 0
    stacked = keras.ops.convert_to_numpy(vae.gaussian_kl(np.stack([mean, mean]),
                                                         np.stack([log_var, log_var])))
    np.testing.assert_allclose(stacked, [closed, closed], rtol=1e-12)  # sums the last axis only


def test_log_densities_match_their_formulas_and_stay_finite():
    rng = np.random.default_rng(1)
    x = (rng.random((5, 7)) < 0.5).astype("float64")
    logits = rng.normal(0, 3, (5, 7))
    y = 1 / (1 + np.exp(-logits))
    hand = np.sum(x * np.log(y) + (1 - x) * np.log(1 - y), axis=1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(vae.bernoulli_log_likelihood(x, logits)), hand, rtol=1e-10)
    extreme = keras.ops.convert_to_numpy(
        vae.bernoulli_log_likelihood(np.array([[1.0, 0.0]]), np.array([[-200.0, 200.0]])))
    assert np.isfinite(extreme).all() and extreme[0] == pytest.approx(-400.0)
    z, mean, log_var = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    hand = np.sum(-0.5 * np.log(2 * np.pi * np.exp(log_var)) - (z - mean) ** 2
                  / (2 * np.exp(log_var)), axis=1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(vae.gaussian_log_density(z, mean, log_var)), hand, rtol=1e-10)


def test_sampling_draws_mu_plus_sigma_epsilon_and_passes_gradients():
    import tensorflow as tf

    layer = vae.Sampling(seed=3)
    mean = tf.Variable(np.full((20_000, 2), [1.0, -2.0]))
    log_var = tf.Variable(np.full((20_000, 2), [np.log(0.25), np.log(4.0)]))
    with tf.GradientTape(persistent=True) as tape:
        z = layer([mean, log_var])
        total = tf.reduce_sum(z)
    z = z.numpy()
    np.testing.assert_allclose(z.mean(axis=0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), [0.5, 2.0], rtol=0.03)
    np.testing.assert_allclose(tape.gradient(total, mean).numpy(), 1.0)  # ∂z/∂μ = 1
    epsilon = (z - mean.numpy()) / np.exp(0.5 * log_var.numpy())
    np.testing.assert_allclose(tape.gradient(total, log_var).numpy(),  # ∂z/∂log σ² = ½σε
                               0.5 * np.exp(0.5 * log_var.numpy()) * epsilon, atol=1e-6)
    many = vae.Sampling(samples=5, seed=3)([mean[:3], log_var[:3]])
    assert tuple(many.shape) == (5, 3, 2)
    assert vae.Sampling(samples=5).compute_output_shape([(None, 2), (None, 2)]) == (5, None, 2)
    assert vae.Sampling(samples=2).compute_output_shape([(None, 2), (None, 2)]) == (2, None, 2)
    assert vae.Sampling().compute_output_shape([(None, 2), (None, 2)]) == (None, 2)
    with pytest.raises(ValueError, match="^samples must be an integer of at least 1"):
        vae.Sampling(samples=0)
    clone = vae.Sampling.from_config(vae.Sampling(samples=4, seed=9, name="s").get_config())
    assert (clone.samples, clone.seed, clone.name) == (4, 9, "s")


def test_seeded_sampling_is_reproducible():
    mean, log_var = np.zeros((4, 3), "float32"), np.zeros((4, 3), "float32")
    first = keras.ops.convert_to_numpy(vae.Sampling(seed=5)([mean, log_var]))
    again = keras.ops.convert_to_numpy(vae.Sampling(seed=5)([mean, log_var]))
    other = keras.ops.convert_to_numpy(vae.Sampling(seed=6)([mean, log_var]))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_the_loss_is_the_negative_elbo_computed_by_hand():
    model = tiny_vae(latent=2)
    x = binary_images(5)
    outputs = model(x)
    loss = float(keras.ops.convert_to_numpy(model.compute_loss(x, None, outputs)))
    mean, log_var = posterior(model, x)
    z = keras.ops.convert_to_numpy(outputs["z"]).astype("float64")
    kl = 0.5 * np.sum(mean**2 + np.exp(log_var) - 1 - log_var, axis=1)
    hand = np.mean(kl - log_likelihood_numpy(model, x, z))
    assert loss == pytest.approx(hand, rel=1e-5)
    assert float(model.reconstruction_tracker.result()) + float(model.kl_tracker.result()) == (
        pytest.approx(hand, rel=1e-5))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(outputs["logits"]),
                               z @ model.decoder.get_weights()[0] + model.decoder.get_weights()[1],
                               rtol=1e-5, atol=1e-6)


def test_beta_weighs_the_kl_only():
    x = binary_images(5)
    plain, heavy = tiny_vae(seed=2), tiny_vae(seed=2, beta=4.0)
    outputs = plain(x)
    loss_plain = float(keras.ops.convert_to_numpy(plain.compute_loss(x, None, outputs)))
    loss_heavy = float(keras.ops.convert_to_numpy(heavy.compute_loss(x, None, outputs)))
    kl = float(keras.ops.convert_to_numpy(keras.ops.mean(
        vae.gaussian_kl(outputs["mean"], outputs["log_var"]))))
    assert loss_heavy - loss_plain == pytest.approx(3 * kl, rel=1e-5)
    assert float(heavy.kl_tracker.result()) == pytest.approx(kl, rel=1e-6)


@pytest.mark.parametrize("samples", [2, 7])
def test_the_importance_weighted_loss_is_the_bound_computed_by_hand(samples):
    model = tiny_vae(latent=2, samples=samples, bound="iwae")
    x = binary_images(4)
    outputs = model(x)
    assert tuple(outputs["logits"].shape) == (samples, 4, D)
    loss = float(keras.ops.convert_to_numpy(model.compute_loss(x, None, outputs)))
    mean, log_var = posterior(model, x)
    z = keras.ops.convert_to_numpy(outputs["z"]).astype("float64")
    log_q = -0.5 * np.sum(np.log(2 * np.pi) + log_var + (z - mean) ** 2 / np.exp(log_var), -1)
    log_p = -0.5 * np.sum(np.log(2 * np.pi) + z**2, -1)
    weights = np.exp(log_likelihood_numpy(model, x, z) + log_p - log_q)  # (samples, 4)
    assert loss == pytest.approx(-np.mean(np.log(weights.mean(axis=0))), rel=1e-5)
    reconstruction = -np.mean(log_likelihood_numpy(model, x, z))
    assert float(model.reconstruction_tracker.result()) == pytest.approx(reconstruction, rel=1e-5)


@pytest.mark.parametrize("samples", [1, 3])
def test_the_k_sample_elbo_averages_the_reconstruction_over_draws(samples):
    model = tiny_vae(latent=2, samples=samples, beta=2.0, seed=5)
    x = binary_images(4)
    outputs = model(x)
    expected_shape = (4, D) if samples == 1 else (samples, 4, D)
    assert tuple(outputs["logits"].shape) == expected_shape
    loss = float(keras.ops.convert_to_numpy(model.compute_loss(x, None, outputs)))
    mean, log_var = posterior(model, x)
    z = keras.ops.convert_to_numpy(outputs["z"]).astype("float64")
    z = z[None] if samples == 1 else z
    reconstruction = -log_likelihood_numpy(model, x, z).mean(axis=0)  # (4,)
    kl = 0.5 * np.sum(np.exp(log_var) + mean**2 - 1 - log_var, -1)
    assert loss == pytest.approx(np.mean(reconstruction + 2.0 * kl), rel=1e-5)
    assert float(model.reconstruction_tracker.result()) == pytest.approx(reconstruction.mean(),
                                                                         rel=1e-5)
    assert float(model.kl_tracker.result()) == pytest.approx(kl.mean(), rel=1e-5)


def test_importance_sampling_starts_at_the_elbo_and_falls_towards_log_p():
    model = tiny_vae(seed=4)
    x = binary_images(3, seed=5)
    exact_elbo, exact_nll = quadrature(model, x)
    assert np.all(exact_elbo > exact_nll + 0.05)  # a real gap for the bound to close
    repeats = np.repeat(x, 20_000, axis=0)
    k1 = vae.importance_sampled_nll(model.encoder, model.decoder, repeats, 1, seed=0)
    k1 = k1.reshape(3, -1)
    standard_error = k1.std(axis=1) / np.sqrt(k1.shape[1])
    assert np.all(np.abs(k1.mean(axis=1) - exact_elbo) < 4 * standard_error)
    means = [vae.importance_sampled_nll(model.encoder, model.decoder, np.repeat(x, 200, axis=0),
                                        k, seed=1).reshape(3, -1).mean(axis=1)
             for k in (1, 10, 100)]
    assert np.all(means[0] > means[1]) and np.all(means[1] > means[2])
    np.testing.assert_allclose(means[2], exact_nll, atol=0.1)
    big = vae.importance_sampled_nll(model.encoder, model.decoder, np.repeat(x, 40, axis=0), 2000,
                                     seed=2).reshape(3, -1)
    np.testing.assert_allclose(big.mean(axis=1), exact_nll, atol=0.01)


def test_importance_sampling_is_seeded_and_chunked_transparently():
    model = tiny_vae(latent=2, seed=6)
    x = binary_images(10, seed=7)
    whole = vae.importance_sampled_nll(model.encoder, model.decoder, x, 50, seed=3)
    again = vae.importance_sampled_nll(model.encoder, model.decoder, x, 50, seed=3)
    other = vae.importance_sampled_nll(model.encoder, model.decoder, x, 50, seed=4)
    chunked = vae.importance_sampled_nll(model.encoder, model.decoder, x, 50, max_rows=120, seed=3)
    np.testing.assert_array_equal(whole, again)
    assert not np.allclose(whole, other)
    assert whole.shape == (10,) and whole.dtype == np.float64
    np.testing.assert_allclose(chunked, whole, rtol=1e-6)  # 120 rows: 2 images per chunk
    one_row = vae.importance_sampled_nll(model.encoder, model.decoder, x, 50, max_rows=1, seed=3)
    np.testing.assert_allclose(one_row, whole, rtol=1e-6)


def test_training_on_extreme_images_stays_finite():
    model = tiny_vae(latent=2, pixels=784, seed=8)
    x = np.concatenate([np.zeros((32, 784)), np.ones((32, 784))]).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    history = model.fit(x, epochs=3, batch_size=16, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert np.isfinite(vae.importance_sampled_nll(model.encoder, model.decoder, x, 10)).all()


def test_evaluate_and_validation_report_the_held_out_elbo():
    model = tiny_vae(latent=2, seed=9)
    x = binary_images(4000, seed=10)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    scores = model.evaluate(x, batch_size=1000, verbose=0, return_dict=True)
    assert set(scores) == {"loss", "reconstruction", "kl"}
    assert scores["loss"] == pytest.approx(scores["reconstruction"] + scores["kl"], rel=1e-5)
    mean, log_var = posterior(model, x)
    kl = 0.5 * np.sum(mean**2 + np.exp(log_var) - 1 - log_var, axis=1).mean()
    assert scores["kl"] == pytest.approx(kl, rel=1e-4)
    nll = vae.importance_sampled_nll(model.encoder, model.decoder, x, 1, seed=0)
    assert scores["loss"] == pytest.approx(nll.mean(), abs=4 * nll.std() / np.sqrt(len(nll)))
    history = model.fit(x[:100], epochs=1, batch_size=50, validation_data=(x,), verbose=0)
    assert {"val_loss", "val_reconstruction", "val_kl"} <= set(history.history)


def test_keras_file_round_trip(tmp_path):
    model = tiny_vae(latent=2, seed=11, beta=0.5)
    x = binary_images(8, seed=12)
    model(x)
    path = tmp_path / "vae.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, vae.VAE)
    assert (loaded.beta, loaded.samples, loaded.seed) == (0.5, 1, 11)
    for original, restored in zip(posterior(model, x), posterior(loaded, x), strict=True):
        np.testing.assert_allclose(original, restored, rtol=1e-6)
    z = np.random.default_rng(0).normal(size=(3, 2)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.decoder(z)),
                               keras.ops.convert_to_numpy(loaded.decoder(z)), rtol=1e-6)
    iwae = vae.VAE.from_config(tiny_vae(latent=2, samples=3, bound="iwae").get_config())
    assert (iwae.samples, iwae.sampler.samples, iwae.bound) == (3, 3, "iwae")
    elbo = vae.VAE.from_config(tiny_vae(latent=2, samples=3).get_config())
    assert (elbo.samples, elbo.bound) == (3, "elbo")


def test_fresh_binarizations_redraw_every_epoch_and_repeat_by_seed():
    x = np.random.default_rng(0).random((50, 20)).astype("float32")
    batches = FreshBinarizations(x, batch_size=16, seed=1)
    assert len(batches) == 4
    first = [batches[i][0] for i in range(len(batches))]
    assert [len(b) for b in first] == [16, 16, 16, 2]
    assert all(set(np.unique(b)) <= {0.0, 1.0} for b in first)
    order = batches.order.copy()
    assert sorted(order) == list(range(50))
    batches.on_epoch_end()
    assert not np.array_equal(order, batches.order)
    same = FreshBinarizations(x, batch_size=16, seed=1)
    np.testing.assert_array_equal(same[0][0], first[0])
    many = FreshBinarizations(np.full((4000, 3), [0.1, 0.5, 0.9], "float32"), 4000, seed=2)
    np.testing.assert_allclose(many[0][0].mean(axis=0), [0.1, 0.5, 0.9], atol=0.03)
    with pytest.raises(ValueError, match="batch_size"):
        FreshBinarizations(x, batch_size=0)
    assert len(FreshBinarizations(x, batch_size=1)) == 50


def test_train_vae_fits_and_validates_on_binary_held_out_images():
    rng = np.random.default_rng(3)
    prototypes = rng.random((2, D)) < 0.5
    x = np.clip(prototypes[rng.integers(2, size=600)] * 0.9 + 0.05, 0, 1).astype("float32")
    x_val = (rng.random((200, D)) < x[:200]).astype("float32")
    model = tiny_vae(latent=2, seed=13)
    model.compile()
    before = model.evaluate(x_val, verbose=0, return_dict=True)["loss"]
    keras.utils.set_random_seed(0)
    history = train_vae(model, x, epochs=20, batch_size=60, peak_lr=0.05, validation_data=x_val,
                        seed=4, label="tiny VAE")
    assert len(history.history["loss"]) == 20
    assert history.history["val_loss"][-1] < before - 0.5
    with pytest.raises(ValueError, match=r"^validation_data must be binary images: binarize the "
                                         r"held-out split once with data\.dynamic_binarize\(x_val, "
                                         r"seed=\.\.\.\)$"):
        train_vae(model, x, epochs=1, validation_data=x[:10])


@pytest.mark.parametrize("kwargs, match", [
    ({"beta": -1.0}, "^beta must be a finite number ≥ 0"), ({"beta": float("nan")}, "^beta"),
    ({"samples": 0}, "^samples must be an integer of at least 1"), ({"samples": 2.5}, "^samples"),
    ({"samples": True}, "^samples"),
    ({"samples": 5, "beta": 2.0, "bound": "iwae"},
     r"^the importance-weighted bound has no β \(got beta=2\.0\); use beta=1 with "
     r"bound='iwae', or bound='elbo' for a β-VAE$"),
    ({"samples": 2, "beta": 0.5, "bound": "iwae"}, "has no β"),
    ({"samples": 1, "bound": "iwae"},
     r"^the importance-weighted bound needs samples ≥ 2 \(with one sample it is the ELBO\); "
     r"pass samples=k with k ≥ 2, or use bound='elbo'$"),
    ({"samples": 5, "bound": "IWAE"},
     r"^bound must be one of 'elbo', 'iwae', got 'IWAE': 'elbo' for the \(β-\)VAE, 'iwae' for "),
    ({"bound": None}, "^bound must be one of")])
def test_bad_vae_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny_vae(**kwargs)


def test_beta_zero_is_a_plain_autoencoder_with_noise_and_is_allowed():
    model = tiny_vae(beta=0.0)
    x = binary_images(3)
    outputs = model(x)
    loss = float(keras.ops.convert_to_numpy(model.compute_loss(x, None, outputs)))
    assert loss == pytest.approx(float(model.reconstruction_tracker.result()), rel=1e-6)


def test_a_seeded_vae_draws_the_same_codes_and_names_its_sampler():
    x = binary_images(5)
    first, again = tiny_vae(seed=3), tiny_vae(seed=3)
    unseeded = vae.VAE(first.encoder, first.decoder, seed=None)
    z = [keras.ops.convert_to_numpy(m(x)["z"]) for m in (first, again, unseeded)]
    np.testing.assert_array_equal(z[0], z[1])
    assert not np.allclose(z[0], z[2])
    assert first.sampler.name == "sampling" and first.sampler.seed == 3


def test_trackers_weigh_short_batches_like_the_loss():
    model = tiny_vae(latent=2, seed=14)
    model.compile()
    scores = model.evaluate(binary_images(1100, seed=15), batch_size=1000, verbose=0,
                            return_dict=True)  # batches of 1000 and 100
    assert scores["loss"] == pytest.approx(scores["reconstruction"] + scores["kl"], rel=1e-6)


def test_regularization_losses_are_added_to_the_bound():
    x_in = keras.Input((D,))
    dense = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.5))
    encoder = keras.Model(x_in, [dense(x_in), keras.layers.Dense(2)(x_in)])
    z_in = keras.Input((2,))
    decoder = keras.Model(z_in, keras.layers.Dense(D)(z_in))
    model = vae.VAE(encoder, decoder, seed=1)
    x = binary_images(4)
    outputs = model(x)
    loss = float(keras.ops.convert_to_numpy(model.compute_loss(x, None, outputs)))
    elbo = float(model.reconstruction_tracker.result()) + float(model.kl_tracker.result())
    penalty = 0.5 * float(np.sum(dense.kernel.numpy() ** 2))
    assert penalty > 0.01
    assert loss == pytest.approx(elbo + penalty, rel=1e-5)


def test_bad_inputs_are_rejected_with_a_clear_message():
    model = tiny_vae()
    with pytest.raises(ValueError, match="flatten"):
        model(np.zeros((2, 2, 3), "float32"))
    x = binary_images(4)
    with pytest.raises(ValueError, match="^the VAE's loss takes no sample_weight; pass the images"):
        model.compute_loss(x, None, model(x), sample_weight=np.ones(4))
    for k in (0, 1.5):
        with pytest.raises(ValueError, match="^k must be an integer of at least 1"):
            vae.importance_sampled_nll(model.encoder, model.decoder, x, k)
    with pytest.raises(ValueError, match="^max_rows must be an integer of at least 1"):
        vae.importance_sampled_nll(model.encoder, model.decoder, x, 3, max_rows=0)
    for scale in (255, 1.5):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            vae.importance_sampled_nll(model.encoder, model.decoder, x * scale, 3)
    with pytest.raises(ValueError, match="flattened"):
        vae.importance_sampled_nll(model.encoder, model.decoder, x[None], 3)


def dropout_vae(seed: int = 0) -> vae.VAE:
    """A tiny VAE whose encoder and decoder hold Dropout: inference must switch it off."""
    x = keras.Input((D,))
    hidden = keras.layers.Dropout(0.5)(x)
    encoder = keras.Model(x, [keras.layers.Dense(2)(hidden), keras.layers.Dense(2)(hidden)])
    z = keras.Input((2,))
    decoder = keras.Model(z, keras.layers.Dense(D)(keras.layers.Dropout(0.5)(z)))
    return vae.VAE(encoder, decoder, seed=seed)


def test_inference_runs_without_dropout():
    model = dropout_vae()
    x = binary_images(6)
    outputs = model(x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(outputs["logits"]),
                               keras.ops.convert_to_numpy(model.decoder(outputs["z"],
                                                                        training=False)),
                               rtol=1e-5, atol=1e-6)
    first = vae.importance_sampled_nll(model.encoder, model.decoder, x, 20, seed=1)
    again = vae.importance_sampled_nll(model.encoder, model.decoder, x, 20, seed=1)
    np.testing.assert_array_equal(first, again)


def test_train_vae_steps_seed_and_label(capsys):
    rng = np.random.default_rng(5)
    x = rng.random((257, D)).astype("float32")
    runs = []
    for seed in (4, 4, 5):
        model = tiny_vae(latent=2, seed=17)
        keras.utils.set_random_seed(0)
        train_vae(model, x, epochs=2, seed=seed, label="seeded VAE")
        runs.append(model.get_weights())
        assert int(model.optimizer.iterations) == 2 * 3  # 257 images, batches of 128
        schedule = model.optimizer._learning_rate  # 6 steps: too few for a warm-up step
        assert schedule.initial_learning_rate == pytest.approx(1e-3)  # the default peak
        assert schedule.decay_steps == 6, "the cosine reaches 0 at the last of the 6 steps"
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], runs[1], strict=True))
    assert not all(np.allclose(a, b) for a, b in zip(runs[0], runs[2], strict=True))
    assert capsys.readouterr().out.startswith("seeded VAE: 2 epochs in")
    unnamed = tiny_vae(latent=2, seed=17)
    train_vae(unnamed, x, epochs=1, batch_size=64)
    assert int(unnamed.optimizer.iterations) == 5
    assert capsys.readouterr().out.startswith(f"{unnamed.name}: 1 epochs in")


def test_dense_vae_parts_shapes_names_and_activations():
    encoder, decoder = vae.dense_vae_parts(5, "probe", hidden=(16, 8))
    assert encoder.name == "probe_encoder" and decoder.name == "probe_decoder"
    assert encoder.input_shape == (None, 784)
    assert [tuple(t.shape) for t in encoder.outputs] == [(None, 5), (None, 5)]
    assert encoder.outputs[0] is encoder.get_layer("mean").output
    assert encoder.outputs[1] is encoder.get_layer("log_var").output
    assert decoder.input_shape == (None, 5) and decoder.output_shape == (None, 784)
    assert encoder.layers[0].name == "image" and decoder.layers[0].name == "code"
    dense = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [16, 8, 5, 5]
    assert [layer.activation.__name__ for layer in dense] == ["gelu", "gelu", "linear", "linear"]
    dense = [layer for layer in decoder.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [8, 16, 784]
    assert [layer.activation.__name__ for layer in dense] == ["gelu", "gelu", "linear"]
    assert dense[-1].name == "logits"
    encoder, decoder = vae.dense_vae_parts(3)
    assert encoder.name == "vae_encoder" and encoder.count_params() == (
        784 * 512 + 512 + 512 * 256 + 256 + 2 * (256 * 3 + 3))
    assert decoder.count_params() == 3 * 256 + 256 + 256 * 512 + 512 + 512 * 784 + 784


@pytest.mark.parametrize("latent, hidden, message", [
    (0, (4,), "latent_dim must be an integer of at least 1, got 0"),
    (2, (4, 0), "every entry of hidden must be an integer of at least 1, got 0"),
    (2.0, (4,), "latent_dim must be an integer of at least 1, got 2.0"),
])
def test_dense_vae_parts_errors(latent, hidden, message):
    with pytest.raises(ValueError) as error:
        vae.dense_vae_parts(latent, hidden=hidden)
    assert str(error.value) == message
