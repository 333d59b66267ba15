import itertools
import math

import numpy as np
import pytest

from aeutils.rbm import DEFAULT_LEARNING_RATES, BernoulliRBM


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def binary_states(n):
    """All 2**n binary vectors of length n, one per row."""
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def energy_by_loops(W, b, c, v, h, gaussian=False):
    """E(v, h) for one pair of vectors, summed term by term."""
    e = -sum(b[i] * v[i] for i in range(len(v))) - sum(c[j] * h[j] for j in range(len(h)))
    e -= sum(v[i] * W[i, j] * h[j] for i in range(len(v)) for j in range(len(h)))
    if gaussian:
        e += 0.5 * sum(hj * hj for hj in h)
    return e


def random_rbm(n_visible, n_hidden, hidden="bernoulli", seed=0, scale=1.0):
    """A float64 RBM with random weights *and* biases (a fresh RBM has zero biases)."""
    rbm = BernoulliRBM(n_visible, n_hidden, hidden=hidden, seed=seed, dtype="float64")
    rng = np.random.default_rng(seed + 100)
    rbm.W = scale * rng.normal(size=(n_visible, n_hidden))
    rbm.b = rng.normal(size=n_visible)
    rbm.c = rng.normal(size=n_hidden)
    return rbm


def log_sum_exp(a, axis=None):
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


# ----- the model: energy, free energy and conditionals against brute force ------------------------

@pytest.mark.parametrize("hidden", ["bernoulli", "gaussian"])
def test_energy_matches_the_formula_term_by_term(hidden):
    rbm = random_rbm(4, 3, hidden)
    rng = np.random.default_rng(1)
    v = binary_states(4)[[0, 5, 10, 15]]
    h = (rng.random((4, 3)) < 0.5).astype(float) if hidden == "bernoulli" else rng.normal(
        size=(4, 3))
    expected = [energy_by_loops(rbm.W, rbm.b, rbm.c, v[n], h[n], hidden == "gaussian")
                for n in range(4)]
    np.testing.assert_allclose(rbm.energy(v, h), expected, rtol=1e-12)


def test_free_energy_equals_minus_log_sum_over_all_hidden_states():
    rbm = random_rbm(5, 4)
    v = np.vstack([binary_states(5)[[0, 7, 19, 31]], [[0.2, 0.9, 0.5, 0.0, 1.0]]])
    hs = binary_states(4)
    expected = [-log_sum_exp(np.array([-energy_by_loops(rbm.W, rbm.b, rbm.c, vn, h)
                                       for h in hs])) for vn in v]
    np.testing.assert_allclose(rbm.free_energy(v), expected, rtol=1e-10)


def test_gaussian_free_energy_and_hidden_means_match_numerical_integration():
    """F(v) = −log ∫∫ e^{−E(v, h)} dh over a 2-D grid, and E[h | v] = ∫ h p(h | v) dh."""
    rbm = random_rbm(3, 2, "gaussian", scale=0.7)
    grid = np.linspace(-14.0, 14.0, 1401)
    dh = grid[1] - grid[0]
    h1, h2 = np.meshgrid(grid, grid, indexing="ij")
    h = np.stack([h1.ravel(), h2.ravel()], axis=1)
    v = binary_states(3)[[0, 3, 6, 7]]
    free, means = [], []
    for vn in v:
        neg_e = vn @ rbm.b + h @ rbm.c + h @ (vn @ rbm.W) - 0.5 * np.sum(h * h, axis=1)
        free.append(-(log_sum_exp(neg_e) + 2 * math.log(dh)))
        weights = np.exp(neg_e - neg_e.max())
        means.append(weights @ h / weights.sum())
    np.testing.assert_allclose(rbm.free_energy(v), free, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(rbm.hidden_means(v), means, atol=1e-9)


def test_conditionals_match_ratios_of_joint_probabilities():
    """p(h_j = 1 | v) and p(v_i = 1 | h) from e^{−E} summed over every joint state."""
    rbm = random_rbm(4, 3)
    vs, hs = binary_states(4), binary_states(3)
    joint = np.exp(-np.array([[energy_by_loops(rbm.W, rbm.b, rbm.c, v, h) for h in hs]
                              for v in vs]))  # unnormalised p(v, h), shape (16, 8)
    p_h_given_v = (joint @ hs) / joint.sum(axis=1, keepdims=True)
    p_v_given_h = (joint.T @ vs) / joint.sum(axis=0)[:, None]
    np.testing.assert_allclose(rbm.hidden_means(vs), p_h_given_v, rtol=1e-10)
    np.testing.assert_allclose(rbm.visible_probabilities(hs), p_v_given_h, rtol=1e-10)


def test_sample_hidden_thresholds_uniform_draws_or_adds_unit_normal_noise():
    v = binary_states(4)[[3, 12]]
    rbm = random_rbm(4, 3)
    u = np.random.default_rng(5).random((2, 3))
    expected = (u < sig(v @ rbm.W + rbm.c)).astype(float)
    np.testing.assert_array_equal(rbm.sample_hidden(v, np.random.default_rng(5)), expected)
    gauss = random_rbm(4, 3, "gaussian")
    noise = np.random.default_rng(5).standard_normal((2, 3))
    np.testing.assert_allclose(gauss.sample_hidden(v, 5), v @ gauss.W + gauss.c + noise)


def test_reconstruct_is_the_mean_field_up_down_pass():
    rbm = random_rbm(5, 3)
    v = np.random.default_rng(2).random((4, 5))
    expected = sig(sig(v @ rbm.W + rbm.c) @ rbm.W.T + rbm.b)
    np.testing.assert_allclose(rbm.reconstruct(v), expected, rtol=1e-12)


# ----- learning: CD-k against a transcription of the 2006 paper's Matlab code ---------------------

def matlab_cd_step(W, b, c, incs, data, lr, momentum, weightcost, draws, gaussian=False):
    """One CD-1 step as rbm.m / rbmhidlinear.m (Hinton & Salakhutdinov 2006) write it."""
    vishid, visbiases, hidbiases = W, b, c
    vishidinc, visbiasinc, hidbiasinc = incs
    numcases = data.shape[0]
    lin = data @ vishid + hidbiases
    poshidprobs = lin if gaussian else sig(lin)
    posprods = data.T @ poshidprobs
    poshidact, posvisact = poshidprobs.sum(0), data.sum(0)
    poshidstates = poshidprobs + draws if gaussian else (poshidprobs > draws).astype(float)
    negdata = sig(poshidstates @ vishid.T + visbiases)
    lin = negdata @ vishid + hidbiases
    neghidprobs = lin if gaussian else sig(lin)
    negprods = negdata.T @ neghidprobs
    neghidact, negvisact = neghidprobs.sum(0), negdata.sum(0)
    err = np.sum((data - negdata) ** 2)
    vishidinc = momentum * vishidinc + lr * ((posprods - negprods) / numcases
                                             - weightcost * vishid)
    visbiasinc = momentum * visbiasinc + (lr / numcases) * (posvisact - negvisact)
    hidbiasinc = momentum * hidbiasinc + (lr / numcases) * (poshidact - neghidact)
    return (vishid + vishidinc, visbiases + visbiasinc, hidbiases + hidbiasinc,
            (vishidinc, visbiasinc, hidbiasinc), err / numcases)


@pytest.mark.parametrize("hidden", ["bernoulli", "gaussian"])
def test_two_cd1_steps_equal_the_hand_computed_steps_momentum_and_weight_decay_included(hidden):
    gaussian = hidden == "gaussian"
    rbm = random_rbm(6, 4, hidden, scale=0.3)
    W, b, c = rbm.W.copy(), rbm.b.copy(), rbm.c.copy()
    incs = (np.zeros_like(W), np.zeros_like(b), np.zeros_like(c))
    data = np.random.default_rng(3).random((5, 6))
    draw_rng = np.random.default_rng(11)
    step_rng = np.random.default_rng(11)
    for momentum in (0.5, 0.9):
        draws = draw_rng.standard_normal((5, 4)) if gaussian else draw_rng.random((5, 4))
        W, b, c, incs, err = matlab_cd_step(W, b, c, incs, data, 0.05, momentum, 0.01, draws,
                                            gaussian)
        got = rbm.cd_step(data, learning_rate=0.05, k=1, momentum=momentum, weight_decay=0.01,
                          rng=step_rng)
        assert got == pytest.approx(err, rel=1e-12)
        np.testing.assert_allclose(rbm.W, W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(rbm.b, b, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(rbm.c, c, rtol=1e-12, atol=1e-14)


def test_cd2_samples_twice_and_takes_statistics_after_the_second_reconstruction():
    rbm = random_rbm(5, 3, scale=0.5)
    W, b, c = rbm.W.copy(), rbm.b.copy(), rbm.c.copy()
    v0 = np.random.default_rng(4).random((4, 5))
    draws = np.random.default_rng(9)
    h0 = sig(v0 @ W + c)
    v, h = v0, h0
    for step in range(2):
        v = sig((draws.random((4, 3)) < h).astype(float) @ W.T + b)
        h = sig(v @ W + c)
        if step == 0:
            v1 = v
    err = rbm.cd_step(v0, learning_rate=0.2, k=2, rng=np.random.default_rng(9))
    np.testing.assert_allclose(rbm.W, W + 0.2 * (v0.T @ h0 - v.T @ h) / 4, rtol=1e-12)
    np.testing.assert_allclose(rbm.b, b + 0.2 * (v0 - v).mean(0), rtol=1e-12)
    np.testing.assert_allclose(rbm.c, c + 0.2 * (h0 - h).mean(0), rtol=1e-12)
    assert err == pytest.approx(np.sum((v0 - v1) ** 2) / 4, rel=1e-12)


@pytest.mark.parametrize("hidden", ["bernoulli", "gaussian"])
def test_fit_is_shuffled_minibatch_cd_with_the_momentum_switch(hidden):
    """Two epochs on 25 rows in batches of 10 (the last takes 15): every step by hand."""
    gaussian = hidden == "gaussian"
    rbm = random_rbm(6, 3, hidden, scale=0.3)
    W, b, c = rbm.W.copy(), rbm.b.copy(), rbm.c.copy()
    x = np.random.default_rng(6).random((25, 6))
    lr = DEFAULT_LEARNING_RATES[hidden]
    assert lr == (0.001 if gaussian else 0.1)  # rbmhidlinear.m and rbm.m
    draws = np.random.default_rng(8)
    incs = (np.zeros_like(W), np.zeros_like(b), np.zeros_like(c))
    expected_errors = []
    for momentum in (0.5, 0.9):  # initial_momentum_epochs=1
        order = draws.permutation(25)
        total = 0.0
        for rows in (order[:10], order[10:]):
            noise = draws.standard_normal((len(rows), 3)) if gaussian else draws.random(
                (len(rows), 3))
            W, b, c, incs, err = matlab_cd_step(W, b, c, incs, x[rows], lr, momentum, 2e-4,
                                                noise, gaussian)
            total += err * len(rows)
        expected_errors.append(total / 25)
    errors = rbm.fit(x, epochs=2, batch_size=10, initial_momentum_epochs=1,
                     rng=np.random.default_rng(8))
    np.testing.assert_allclose(errors, expected_errors, rtol=1e-12)
    np.testing.assert_allclose(rbm.W, W, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(rbm.b, b, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(rbm.c, c, rtol=1e-11, atol=1e-14)
    assert rbm.history == pytest.approx(expected_errors, rel=1e-12)


def exact_average_log_likelihood(rbm, x):
    """(1/n) Σ log p(x_n), Z summed over all 2**(n_visible + n_hidden) joint states."""
    vs, hs = binary_states(rbm.n_visible), binary_states(rbm.n_hidden)

    def neg_energies(v):  # shape (len(v), 2**n_hidden)
        return (v @ rbm.b)[:, None] + (hs @ rbm.c)[None, :] + v @ rbm.W @ hs.T

    log_z = log_sum_exp(neg_energies(vs).ravel())
    return float(np.mean(log_sum_exp(neg_energies(x), axis=1)) - log_z)


def two_prototype_data(n, seed):
    """Noisy copies (10 % of bits flipped) of 111000 and 000111."""
    rng = np.random.default_rng(seed)
    prototypes = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=float)
    x = prototypes[rng.integers(0, 2, n)]
    return np.abs(x - (rng.random(x.shape) < 0.1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cd1_raises_the_exact_log_likelihood_of_a_tiny_rbm(seed):
    x = two_prototype_data(40, seed)
    rbm = BernoulliRBM(6, 4, seed=seed, dtype="float64")
    before = exact_average_log_likelihood(rbm, x)
    errors = rbm.fit(x, epochs=20, batch_size=10)
    after = exact_average_log_likelihood(rbm, x)
    assert after > before + 1.0, f"CD-1 should raise log p(x) by > 1 nat: {before} → {after}"
    assert errors[-1] < errors[0], "the reconstruction error should fall"


def test_a_seed_reproduces_weights_and_training():
    x = two_prototype_data(30, 0)
    runs = []
    for _ in range(2):
        rbm = BernoulliRBM(6, 4, seed=3)
        runs.append((rbm.W.copy(), rbm.fit(x, epochs=2, batch_size=10), rbm.W))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(runs[0][2], runs[1][2])
    assert runs[0][2].dtype == np.float32


def test_initial_weights_are_small_gaussians_and_biases_zero():
    rbm = BernoulliRBM(300, 200, seed=0, dtype="float64")
    assert rbm.W.shape == (300, 200) and rbm.n_visible == 300 and rbm.n_hidden == 200
    assert abs(rbm.W.std() - 0.1) < 0.002 and abs(rbm.W.mean()) < 0.002
    assert not rbm.b.any() and not rbm.c.any()
    W, b, c = rbm.get_weights()
    W[0, 0] = 5.0
    assert rbm.W[0, 0] != 5.0, "get_weights returns copies"
    assert repr(rbm) == "BernoulliRBM(n_visible=300, n_hidden=200, hidden='bernoulli')"


@pytest.mark.parametrize("hidden", ["bernoulli", "gaussian"])
def test_to_dense_layers_compute_the_conditionals(hidden):
    rbm = random_rbm(5, 3, hidden)
    v = np.random.default_rng(0).random((4, 5)).astype("float32")
    up, down = rbm.to_dense_layers("first")
    x = v @ rbm.W + rbm.c
    np.testing.assert_allclose(np.asarray(up(v)), sig(x) if hidden == "bernoulli" else x,
                               rtol=1e-5, atol=1e-6)
    h = np.random.default_rng(1).random((4, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(down(h)), sig(h @ rbm.W.T + rbm.b), rtol=1e-5)
    assert (up.name, down.name) == ("first_up", "first_down")
    assert [layer.name for layer in rbm.to_dense_layers()] == ["rbm_up", "rbm_down"]
    up.kernel.assign(np.zeros((5, 3)))
    assert rbm.W.any(), "the layers hold copies"


# ----- defaults, dtypes and the generator ------------------------------------------------------

def test_sample_hidden_and_cd_step_draw_from_the_rbms_own_seeded_generator_by_default():
    """seed → the initial W (0.1 · standard normal), then every draw of sample_hidden / cd_step."""
    v = np.random.default_rng(4).random((5, 6))
    rbm = BernoulliRBM(6, 4, seed=3, dtype="float64")
    stream = np.random.default_rng(3)
    W = 0.1 * stream.standard_normal((6, 4))
    np.testing.assert_array_equal(rbm.W, W)
    u = stream.random((5, 4))
    np.testing.assert_array_equal(rbm.sample_hidden(v), (u < sig(v @ W)).astype(float))
    # cd_step's defaults: CD-1, no momentum, no weight decay, draws from self.rng.
    zeros = (np.zeros((6, 4)), np.zeros(6), np.zeros(4))
    W1, b1, c1, _, err = matlab_cd_step(W, np.zeros(6), np.zeros(4), zeros, v, 0.3, 0.0, 0.0,
                                        stream.random((5, 4)))
    assert rbm.cd_step(v, learning_rate=0.3) == pytest.approx(err, rel=1e-12)
    np.testing.assert_allclose(rbm.W, W1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rbm.b, b1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rbm.c, c1, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype, data_dtype", [("float32", "float64"), ("float64", "float32")])
@pytest.mark.parametrize("hidden", ["bernoulli", "gaussian"])
def test_parameters_and_outputs_keep_the_rbms_dtype_whatever_the_inputs_dtype(
        dtype, data_dtype, hidden):
    rbm = BernoulliRBM(5, 3, hidden=hidden, seed=0, dtype=dtype)
    v = np.random.default_rng(1).random((4, 5)).astype(data_dtype)
    h = np.random.default_rng(2).random((4, 3)).astype(data_dtype)
    assert [p.dtype for p in rbm.get_weights()] == [np.dtype(dtype)] * 3
    outputs = {"hidden_means": rbm.hidden_means(v), "sample_hidden": rbm.sample_hidden(v),
               "visible_probabilities": rbm.visible_probabilities(h),
               "reconstruct": rbm.reconstruct(v), "free_energy": rbm.free_energy(v),
               "energy": rbm.energy(v, h)}
    assert {name: out.dtype for name, out in outputs.items()} == dict.fromkeys(outputs,
                                                                               np.dtype(dtype))
    rbm.fit(v, epochs=2, batch_size=2)
    assert [p.dtype for p in rbm.get_weights()] == [np.dtype(dtype)] * 3


@pytest.fixture
def recorded_cd_steps(monkeypatch):
    """Record the mini-batch and the arguments of every BernoulliRBM.cd_step call, then run it."""
    calls = []
    real = BernoulliRBM.cd_step

    def recorder(self, v, **kwargs):
        calls.append({"batch": np.array(v), **kwargs})
        return real(self, v, **kwargs)

    monkeypatch.setattr(BernoulliRBM, "cd_step", recorder)
    return calls


def test_fit_defaults_are_the_2006_settings(recorded_cd_steps):
    """Batches of 100, learning rate 0.1, CD-1, weight cost 2e-4, momentum 0.5 for 5 epochs, 0.9."""
    x = (np.random.default_rng(0).random((200, 4)) < 0.5).astype("float32")
    BernoulliRBM(4, 3, seed=0).fit(x, epochs=7)
    assert [len(c["batch"]) for c in recorded_cd_steps] == [100] * 14
    assert [c["momentum"] for c in recorded_cd_steps] == [0.5] * 10 + [0.9] * 4
    assert all(c["learning_rate"] == 0.1 and c["k"] == 1 and c["weight_decay"] == 2e-4
               for c in recorded_cd_steps)


def test_fit_without_shuffling_takes_the_rows_in_order_and_passes_k_on(recorded_cd_steps):
    x = np.random.default_rng(0).random((25, 4))
    BernoulliRBM(4, 3, seed=0, dtype="float64").fit(
        x, epochs=1, batch_size=10, k=3, momentum=0.8, initial_momentum_epochs=0, shuffle=False)
    first, last = recorded_cd_steps
    np.testing.assert_array_equal(first["batch"], x[:10])
    np.testing.assert_array_equal(last["batch"], x[10:])  # the last batch takes the remainder
    assert first["k"] == last["k"] == 3
    assert first["momentum"] == last["momentum"] == 0.8  # no initial-momentum epochs


# ----- bad arguments ---------------------------------------------------------------------------

INF = r"inf[\])]"  # [0.0, inf] or [0.0, inf): either reads right for a finite number


@pytest.mark.parametrize("args, kwargs, match", [
    ((0, 3), {}, r"^n_visible must be a positive integer, got 0$"),
    ((4, -1), {}, r"^n_hidden must be a positive integer, got -1$"),
    ((4.0, 3), {}, "^n_visible must"),
    ((True, 3), {}, "^n_visible must"),
    ((4, 3), {"hidden": "binary"}, r"^hidden must be one of bernoulli, gaussian, got 'binary'$"),
    ((4, 3), {"weight_std": -0.1}, rf"^weight_std must be a finite number in \[0\.0, {INF}, "
                                   r"got -0\.1$"),
    ((4, 3), {"weight_std": float("inf")}, "^weight_std must"),
    ((4, 3), {"weight_std": True}, "^weight_std must"),
    ((4, 3), {"weight_std": "0.1"}, "^weight_std must"),
    ((4, 3), {"dtype": "int32"}, r"^dtype must be 'float32' or 'float64', got 'int32'$"),
])
def test_constructor_rejects_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        BernoulliRBM(*args, **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"learning_rate": 0.0}, rf"^learning_rate must be a finite number in \(0\.0, {INF}, "
                             r"got 0\.0$"),
    ({"learning_rate": -0.1}, "^learning_rate must"),
    ({"learning_rate": float("nan")}, r"^learning_rate must .*, got nan$"),
    ({"learning_rate": True}, "^learning_rate must"),
    ({"k": 0}, r"^k \(the number of Gibbs steps\) must be a positive integer, got 0$"),
    ({"k": 1.5}, r"^k \(the number of Gibbs steps\) must"),
    ({"momentum": 1.0}, r"^momentum must be a finite number in \[0\.0, 1\.0\), got 1\.0$"),
    ({"momentum": -0.1}, "^momentum must"),
    ({"weight_decay": -1e-4}, rf"^weight_decay must be a finite number in \[0\.0, {INF}, "
                              r"got -0\.0001$"),
    ({"weight_decay": float("inf")}, "^weight_decay must"),
    ({"rng": "seed"}, "^rng must be a numpy Generator"),
])
def test_cd_step_rejects_bad_hyperparameters(kwargs, match):
    rbm = BernoulliRBM(4, 3, seed=0)
    with pytest.raises(ValueError, match=match):
        rbm.cd_step(np.zeros((2, 4)), **{"learning_rate": 0.1, **kwargs})


FIT_ERRORS = [
    ({"epochs": 0}, r"^epochs must be a positive integer, got 0$"),
    ({"batch_size": 0}, r"^batch_size must be a positive integer, got 0$"),
    ({"learning_rate": 0.0}, r"^learning_rate must be a finite number in \(0\.0, "),
    ({"k": 0}, r"^k \(the number of Gibbs steps\) must be a positive integer, got 0$"),
    ({"momentum": 1.0}, r"^momentum must be a finite number in \[0\.0, 1\.0\), got 1\.0$"),
    ({"momentum": 1.5}, "^momentum must"),
    ({"initial_momentum": 1.2}, r"^initial_momentum must be a finite number in \[0\.0, 1\.0\), "
                                r"got 1\.2$"),
    ({"initial_momentum": 1.0}, "^initial_momentum must"),
    ({"initial_momentum_epochs": -1}, "^initial_momentum_epochs must be an integer ≥ 0, got -1$"),
    ({"initial_momentum_epochs": 2.5}, "^initial_momentum_epochs must"),
    ({"initial_momentum_epochs": True}, "^initial_momentum_epochs must"),
    ({"weight_decay": -1e-4}, rf"^weight_decay must be a finite number in \[0\.0, {INF}, "),
]


@pytest.mark.parametrize("kwargs, match", FIT_ERRORS)
def test_fit_rejects_bad_hyperparameters_before_touching_the_rbm(kwargs, match):
    """Nothing changes, not even the generator's state, so a seeded run stays reproducible."""
    rbm = BernoulliRBM(4, 3, seed=0)
    before = (rbm.get_weights(), rbm.rng.bit_generator.state)
    with pytest.raises(ValueError, match=match):
        rbm.fit(np.zeros((6, 4)), **{"epochs": 1, **kwargs})
    for old, new in zip(before[0], rbm.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    assert rbm.rng.bit_generator.state == before[1] and rbm.history == []


@pytest.mark.parametrize("x, match", [
    (np.full((3, 4), 1.5), r"\[0, 1\]"),
    (np.full((3, 4), -0.1), r"\[0, 1\]"),
    (np.full((3, 4), np.nan), "finite"),
    (np.zeros((3, 5)), "shape"),
    (np.zeros(4), "shape"),
    (np.zeros((0, 4)), "shape"),
])
def test_data_outside_the_unit_interval_or_of_the_wrong_shape_is_rejected(x, match):
    """The message names the argument: x for fit, v for the other methods."""
    rbm = BernoulliRBM(4, 3, seed=0)
    for name, call in (("x", lambda: rbm.fit(x, epochs=1)), ("v", lambda: rbm.free_energy(x)),
                       ("v", lambda: rbm.hidden_means(x)),
                       ("v", lambda: rbm.cd_step(x, learning_rate=0.1))):
        with pytest.raises(ValueError, match=match) as error:
            call()
        assert str(error.value).startswith(f"{name} must")


def test_hidden_states_of_the_wrong_shape_or_range_are_rejected():
    rbm = BernoulliRBM(4, 3, seed=0)
    v = np.zeros((2, 4))
    with pytest.raises(ValueError, match="shape"):
        rbm.energy(v, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"^h must have shape \(batch, 3\) with batch ≥ 1"):
        rbm.visible_probabilities(np.zeros((0, 3)))
    assert rbm.visible_probabilities(np.zeros((1, 3))).shape == (1, 4)  # one example is fine
    with pytest.raises(ValueError, match="pair up"):
        rbm.energy(v, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        rbm.visible_probabilities(np.full((2, 3), 2.0))
    gauss = BernoulliRBM(4, 3, hidden="gaussian", seed=0)
    assert gauss.visible_probabilities(np.full((2, 3), 2.0)).shape == (2, 4)
    with pytest.raises(ValueError, match="^h must hold finite values$"):
        gauss.energy(v, np.full((2, 3), np.inf))
