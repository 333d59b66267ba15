"""Restricted Boltzmann machines trained by contrastive divergence (CD-k), in NumPy.

An RBM with n_visible visible units v ∈ {0, 1} (pixels in [0, 1] are read as probabilities),
n_hidden hidden units h, weights W of shape (n_visible, n_hidden), visible biases b and hidden
biases c has the energy

    E(v, h) = −bᵀv − cᵀh − vᵀWh                 (Bernoulli hidden units, h_j ∈ {0, 1})
    E(v, h) = −bᵀv − cᵀh − vᵀWh + ½‖h‖²         (Gaussian hidden units, h_j ∈ ℝ)

and p(v, h) = e^{−E(v, h)} / Z. The Gaussian ("linear") hidden units, with unit variance, are
those of the top, code layer of Hinton & Salakhutdinov (2006). Summing (or integrating) out h:

    F(v) = −log Σ_h e^{−E(v, h)} = −bᵀv − Σ_j log(1 + e^{x_j})          (Bernoulli)
    F(v) = −log ∫ e^{−E(v, h)} dh = −bᵀv − ½‖x‖² − (n_hidden/2) log 2π   (Gaussian)

with x = c + Wᵀv, so p(v) = e^{−F(v)} / Z. (Gaussian case: the integral factorises over the
hidden units, and completing the square gives ∫ e^{x_j h − h²/2} dh = √(2π) e^{x_j²/2}.) The
conditionals factorise too: p(h_j = 1 | v) = σ(x_j), or h | v ~ N(x, I) for Gaussian units, and
p(v_i = 1 | h) = σ(b_i + W_i: h).

Learning follows the gradient of the log-likelihood, ∂ log p(v) / ∂W = ⟨v hᵀ⟩_data − ⟨v hᵀ⟩_model;
CD-k replaces the model expectation by the statistics after k steps of Gibbs sampling started at
the data. :meth:`BernoulliRBM.cd_step` follows the recipe of Hinton's practical guide (2010) as the
2006 paper's released code (``rbm.m``, ``rbmhidlinear.m``) implements it: hidden units driven by
data are sampled, the reconstructions and the last hidden update use probabilities (means), and
the statistics are collected from probabilities; weight decay acts on W only; momentum smooths
the updates.

Why NumPy and not Keras: the CD update is written directly as a difference of two statistics
(it can be dressed up as the gradient of a loss, F(v₀) − F(v_k) with v_k held fixed, but that
hides the positive and negative phases this module is meant to show), so Keras' losses,
optimisers and ``fit`` bring nothing. Plain NumPy lets the update read line by line like the
math, runs eagerly with no graph tracing, and on a CPU spends its time in the same place Keras
would: a few matrix products per mini-batch, done by BLAS. The trained weights are handed to
Keras ``Dense`` layers (:meth:`BernoulliRBM.to_dense_layers`) to be unrolled into an autoencoder
and fine-tuned by backpropagation there.
"""

from __future__ import annotations

import math

import keras
import numpy as np

HIDDEN_UNITS = ("bernoulli", "gaussian")
# Learning rates of the 2006 paper's code: rbm.m (Bernoulli hidden) and rbmhidlinear.m (Gaussian).
DEFAULT_LEARNING_RATES = {"bernoulli": 0.1, "gaussian": 0.001}


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function σ(x) = 1 / (1 + e^{−x}), written with tanh so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_number(name: str, value: float, low: float, high: float = math.inf,
                  low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float if it is a finite number in the stated interval."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
          and math.isfinite(float(value)))
    if ok:
        v = float(value)
        ok = (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a finite number in {interval}, got {value!r}")
    return float(value)


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, an integer seed or None, got {rng!r}")


class BernoulliRBM:
    """An RBM with Bernoulli visible units and Bernoulli or Gaussian (unit-variance) hidden units.

    Parameters are plain NumPy arrays, named as in the energy E(v, h) = −bᵀv − cᵀh − vᵀWh
    (+ ½‖h‖² for Gaussian hidden units): ``W`` (n_visible, n_hidden), ``b`` (n_visible,) and
    ``c`` (n_hidden,). Every method takes a batch: rows are examples.

    Args:
        n_visible: number of visible units (784 for MNIST pixels).
        n_hidden: number of hidden units.
        hidden: ``"bernoulli"`` for binary stochastic hidden units, ``"gaussian"`` for linear
            hidden units with unit-variance Gaussian noise (the code layer of Hinton &
            Salakhutdinov 2006).
        weight_std: standard deviation of the zero-mean Gaussian the weights start from (0.1 in
            the 2006 paper's code); the biases start at 0.
        seed: seed of the RBM's generator ``self.rng``, which draws the initial weights and, unless
            another generator is passed, every sample and shuffle of :meth:`fit` and
            :meth:`cd_step`. The same seed reproduces a run.
        dtype: ``"float32"`` (fast) or ``"float64"`` (exact checks).

    Usage::

        rbm = BernoulliRBM(784, 1000, seed=0)
        errors = rbm.fit(x_train, epochs=50)          # per-epoch reconstruction error
        encode, decode = rbm.to_dense_layers()        # keras Dense layers holding W, c and Wᵀ, b

    Raises:
        ValueError: if a size is not a positive integer, ``hidden`` is not one of
            :data:`HIDDEN_UNITS`, ``weight_std`` is negative or ``dtype`` is not float32/float64.
    """

    def __init__(self, n_visible: int, n_hidden: int, hidden: str = "bernoulli",
                 weight_std: float = 0.1, seed: int | None = None,
                 dtype: str = "float32") -> None:
        n_visible = _check_count("n_visible", n_visible)
        n_hidden = _check_count("n_hidden", n_hidden)
        if hidden not in HIDDEN_UNITS:
            raise ValueError(f"hidden must be one of {', '.join(HIDDEN_UNITS)}, got {hidden!r}")
        weight_std = _check_number("weight_std", weight_std, 0.0)
        if dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
        self.hidden = hidden
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(seed)
        self.W = (weight_std * self.rng.standard_normal((n_visible, n_hidden))).astype(self.dtype)
        self.b = np.zeros(n_visible, dtype=self.dtype)
        self.c = np.zeros(n_hidden, dtype=self.dtype)
        self.history: list[float] = []  # reconstruction error of every epoch of every fit
        self._reset_increments()

    @property
    def n_visible(self) -> int:
        """Number of visible units."""
        return self.W.shape[0]

    @property
    def n_hidden(self) -> int:
        """Number of hidden units."""
        return self.W.shape[1]

    def __repr__(self) -> str:
        return (f"BernoulliRBM(n_visible={self.n_visible}, n_hidden={self.n_hidden}, "
                f"hidden={self.hidden!r})")

    def _reset_increments(self) -> None:
        """Zero the momentum terms (the previous update of W, b and c)."""
        self._dW = np.zeros_like(self.W)
        self._db = np.zeros_like(self.b)
        self._dc = np.zeros_like(self.c)

    # ----- checks --------------------------------------------------------------------------------

    def _visible(self, v: np.ndarray, name: str = "v") -> np.ndarray:
        v = np.asarray(v, dtype=self.dtype)
        if v.ndim != 2 or v.shape[1] != self.n_visible or v.shape[0] == 0:
            raise ValueError(
                f"{name} must have shape (batch, {self.n_visible}) with batch ≥ 1, got {v.shape}"
            )
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must hold finite values in [0, 1], found NaN or inf")
        if v.min() < 0.0 or v.max() > 1.0:
            raise ValueError(
                f"{name} must hold values in [0, 1] (binary states or probabilities), got the "
                f"range [{v.min()}, {v.max()}]; divide 8-bit images by 255 first"
            )
        return v

    def _hidden_states(self, h: np.ndarray) -> np.ndarray:
        h = np.asarray(h, dtype=self.dtype)
        if h.ndim != 2 or h.shape[1] != self.n_hidden or h.shape[0] == 0:
            raise ValueError(
                f"h must have shape (batch, {self.n_hidden}) with batch ≥ 1, got {h.shape}"
            )
        if not np.all(np.isfinite(h)):
            raise ValueError("h must hold finite values")
        if self.hidden == "bernoulli" and (h.min() < 0.0 or h.max() > 1.0):
            raise ValueError(
                f"Bernoulli hidden states must lie in [0, 1], got the range [{h.min()}, {h.max()}]"
            )
        return h

    # ----- the model -----------------------------------------------------------------------------

    def energy(self, v: np.ndarray, h: np.ndarray) -> np.ndarray:
        """E(v, h) = −bᵀv − cᵀh − vᵀWh (+ ½‖h‖² for Gaussian hidden units), one per example.

        Args:
            v: visible states, shape (batch, n_visible), values in [0, 1].
            h: hidden states, shape (batch, n_hidden): in [0, 1] for Bernoulli hidden units,
                any real numbers for Gaussian ones.

        Returns:
            The energies, shape (batch,).

        Raises:
            ValueError: if a shape is wrong, the batches differ in size or a value is out of range.
        """
        v, h = self._visible(v), self._hidden_states(h)
        if len(v) != len(h):
            raise ValueError(f"v and h must pair up row by row, got {len(v)} and {len(h)} rows")
        e = -(v @ self.b) - (h @ self.c) - np.sum((v @ self.W) * h, axis=1)
        if self.hidden == "gaussian":
            e = e + 0.5 * np.sum(h * h, axis=1)
        return e

    def free_energy(self, v: np.ndarray) -> np.ndarray:
        """F(v) = −log Σ_h e^{−E(v, h)} (an integral over h for Gaussian hidden units).

        With x = c + Wᵀv: F(v) = −bᵀv − Σ_j log(1 + e^{x_j}) for Bernoulli hidden units, and
        F(v) = −bᵀv − ½‖x‖² − (n_hidden / 2) log 2π for Gaussian ones. p(v) = e^{−F(v)} / Z.

        Args:
            v: visible states, shape (batch, n_visible), values in [0, 1].

        Returns:
            The free energies, shape (batch,).

        Raises:
            ValueError: if ``v`` has the wrong shape or values outside [0, 1].
        """
        v = self._visible(v)
        x = v @ self.W + self.c
        if self.hidden == "bernoulli":
            return -(v @ self.b) - np.sum(np.logaddexp(0.0, x), axis=1)
        return -(v @ self.b) - 0.5 * np.sum(x * x, axis=1) - 0.5 * self.n_hidden * math.log(
            2.0 * math.pi)

    def hidden_means(self, v: np.ndarray) -> np.ndarray:
        """E[h | v]: p(h_j = 1 | v) = σ(c_j + vᵀW_:j), or c + Wᵀv for Gaussian hidden units.

        Args:
            v: visible states or probabilities, shape (batch, n_visible), values in [0, 1].

        Returns:
            The hidden means (probabilities for Bernoulli units), shape (batch, n_hidden).

        Raises:
            ValueError: if ``v`` has the wrong shape or values outside [0, 1].
        """
        x = self._visible(v) @ self.W + self.c
        return sigmoid(x) if self.hidden == "bernoulli" else x

    def visible_probabilities(self, h: np.ndarray) -> np.ndarray:
        """p(v_i = 1 | h) = σ(b_i + W_i: h) for every visible unit.

        Args:
            h: hidden states or means, shape (batch, n_hidden).

        Returns:
            The probabilities, shape (batch, n_visible).

        Raises:
            ValueError: if ``h`` has the wrong shape or values out of range.
        """
        return sigmoid(self._hidden_states(h) @ self.W.T + self.b)

    def sample_hidden(self, v: np.ndarray,
                      rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Draw h ~ p(h | v): h_j = 1 if u_j < σ(x_j) with u_j ~ U[0, 1), or h = x + N(0, I).

        Uses one array of shape (batch, n_hidden) from ``rng.random`` (Bernoulli hidden units)
        or ``rng.standard_normal`` (Gaussian ones), so a generator with a known seed reproduces it.

        Args:
            v: visible states or probabilities, shape (batch, n_visible), values in [0, 1].
            rng: the generator to draw from; ``self.rng`` when None, or a seed.

        Returns:
            Hidden states, shape (batch, n_hidden).
        """
        return self._sample(self.hidden_means(v), self.rng if rng is None else _generator(rng))

    def _sample(self, means: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.hidden == "bernoulli":
            return (rng.random(means.shape) < means).astype(self.dtype)
        return (means + rng.standard_normal(means.shape)).astype(self.dtype)

    def reconstruct(self, v: np.ndarray) -> np.ndarray:
        """The deterministic up-down pass: visible probabilities given the hidden means of v.

        Args:
            v: visible states or probabilities, shape (batch, n_visible), values in [0, 1].

        Returns:
            σ(b + W E[h | v]), shape (batch, n_visible): what the unrolled one-layer autoencoder
            computes.
        """
        return self.visible_probabilities(self.hidden_means(v))

    # ----- learning ------------------------------------------------------------------------------

    def cd_step(self, v: np.ndarray, *, learning_rate: float, k: int = 1, momentum: float = 0.0,
                weight_decay: float = 0.0,
                rng: np.random.Generator | int | None = None) -> float:
        """One CD-k update of W, b and c on one mini-batch.

        With m examples, h₀ = E[h | v₀] for the data v₀, and k Gibbs steps
        h̃ ~ p(h | v_{t−1}) (a sample), v_t = p(v = 1 | h̃) (probabilities, not sampled),
        h_t = E[h | v_t]:

            ΔW ← momentum · ΔW + learning_rate · ((v₀ᵀh₀ − v_kᵀh_k) / m − weight_decay · W)
            Δb ← momentum · Δb + learning_rate · mean(v₀ − v_k)
            Δc ← momentum · Δc + learning_rate · mean(h₀ − h_k)

        then W += ΔW, b += Δb, c += Δc. The momentum terms ΔW, Δb, Δc persist between calls
        (:meth:`fit` zeroes them when it starts).

        Random draws: for each of the k steps, one array of shape (m, n_hidden) from
        ``rng.random`` (Bernoulli hidden units: a hidden unit is on if its draw is below its
        probability) or from ``rng.standard_normal`` (Gaussian ones: added to the means), in order,
        and nothing else.

        Args:
            v: the mini-batch, shape (m, n_visible), values in [0, 1].
            learning_rate: step size, > 0 (0.1 for Bernoulli and 0.001 for Gaussian hidden
                units in the 2006 paper's code).
            k: number of Gibbs steps, ≥ 1.
            momentum: the fraction of the previous update added to this one, in [0, 1).
            weight_decay: L2 weight cost on W (not on the biases), ≥ 0.
            rng: the generator to draw from; ``self.rng`` when None, or a seed.

        Returns:
            The mini-batch's reconstruction error before the update: the mean over examples of
            Σ_i (v₀ᵢ − v₁ᵢ)², v₁ the one-step reconstruction.

        Raises:
            ValueError: if ``v`` has the wrong shape or values outside [0, 1], or a hyperparameter
                is out of range.
        """
        learning_rate = _check_number("learning_rate", learning_rate, 0.0, low_open=True)
        k = _check_count("k (the number of Gibbs steps)", k)
        momentum = _check_number("momentum", momentum, 0.0, 1.0, high_open=True)
        weight_decay = _check_number("weight_decay", weight_decay, 0.0)
        rng = self.rng if rng is None else _generator(rng)
        v_data = self._visible(v)
        m = len(v_data)

        # Positive phase: the hidden units driven by the data.
        h_data = self.hidden_means(v_data)
        positive = v_data.T @ h_data / m                  # ⟨v hᵀ⟩_data

        # Negative phase: k steps of alternating Gibbs sampling, starting at the data.
        h_model = h_data
        for step in range(k):
            h_sample = self._sample(h_model, rng)         # sampled hidden states
            v_model = self.visible_probabilities(h_sample)  # the reconstruction
            h_model = self.hidden_means(v_model)          # means: no sampling noise in statistics
            if step == 0:
                reconstruction = v_model
        negative = v_model.T @ h_model / m                # ⟨v hᵀ⟩_model, as CD-k estimates it

        # Update: momentum times the previous step, plus the learning rate times the gradient.
        self._dW = momentum * self._dW + learning_rate * (positive - negative
                                                          - weight_decay * self.W)
        self._db = momentum * self._db + learning_rate * np.mean(v_data - v_model, axis=0)
        self._dc = momentum * self._dc + learning_rate * np.mean(h_data - h_model, axis=0)
        self.W += self._dW
        self.b += self._db
        self.c += self._dc
        return float(np.mean(np.sum((v_data - reconstruction) ** 2, axis=1)))

    def fit(self, x: np.ndarray, *, epochs: int, batch_size: int = 100,
            learning_rate: float | None = None, k: int = 1, momentum: float = 0.9,
            initial_momentum: float = 0.5, initial_momentum_epochs: int = 5,
            weight_decay: float = 2e-4, shuffle: bool = True,
            rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Train by CD-k on mini-batches, with momentum and weight decay; defaults as in 2006.

        The defaults are those of the 2006 paper's code: mini-batches of 100, learning rate 0.1
        (0.001 for Gaussian hidden units), momentum 0.5 for the first 5 epochs and 0.9 after,
        weight cost 2·10⁻⁴; the paper trained every layer for 50 epochs. When the data set does
        not divide into whole mini-batches, the last mini-batch takes the remainder (as the
        paper did). The momentum terms start at zero.

        Random draws (from ``rng``): per epoch, one permutation of the rows if ``shuffle``, then
        the draws of :meth:`cd_step` for every mini-batch in order.

        Args:
            x: training data, shape (n, n_visible), values in [0, 1].
            epochs: passes over ``x``, ≥ 1.
            batch_size: examples per update, ≥ 1.
            learning_rate: step size, > 0; None for :data:`DEFAULT_LEARNING_RATES` of this RBM's
                hidden units.
            k: Gibbs steps per update (CD-k), ≥ 1.
            momentum: momentum after the first ``initial_momentum_epochs`` epochs, in [0, 1).
            initial_momentum: momentum of the first ``initial_momentum_epochs`` epochs, in [0, 1).
            initial_momentum_epochs: how many epochs use ``initial_momentum``, ≥ 0.
            weight_decay: L2 weight cost on W, ≥ 0.
            shuffle: draw a fresh order of the examples in every epoch.
            rng: the generator to draw from; ``self.rng`` when None, or a seed.

        Returns:
            The reconstruction error of each epoch, shape (epochs,): the mean over examples of
            the squared error of the one-step reconstruction, measured during the epoch (as the
            weights change). Also appended to ``self.history``.

        Raises:
            ValueError: if ``x`` has the wrong shape or values outside [0, 1], or a hyperparameter
                is out of range.
        """
        x = self._visible(x, name="x")
        epochs = _check_count("epochs", epochs)
        batch_size = _check_count("batch_size", batch_size)
        if learning_rate is None:
            learning_rate = DEFAULT_LEARNING_RATES[self.hidden]
        learning_rate = _check_number("learning_rate", learning_rate, 0.0, low_open=True)
        k = _check_count("k (the number of Gibbs steps)", k)
        momentum = _check_number("momentum", momentum, 0.0, 1.0, high_open=True)
        initial_momentum = _check_number("initial_momentum", initial_momentum, 0.0, 1.0,
                                         high_open=True)
        if (isinstance(initial_momentum_epochs, bool)
                or not isinstance(initial_momentum_epochs, (int, np.integer))
                or initial_momentum_epochs < 0):
            raise ValueError(
                f"initial_momentum_epochs must be an integer ≥ 0, got {initial_momentum_epochs!r}"
            )
        weight_decay = _check_number("weight_decay", weight_decay, 0.0)
        rng = self.rng if rng is None else _generator(rng)

        n = len(x)
        n_batches = max(n // batch_size, 1)
        starts = [i * batch_size for i in range(n_batches)] + [n]  # last batch: the remainder
        self._reset_increments()
        errors = np.empty(epochs)
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            mu = initial_momentum if epoch < initial_momentum_epochs else momentum
            total = 0.0
            for start, stop in zip(starts[:-1], starts[1:], strict=True):
                batch = x[order[start:stop]]
                total += len(batch) * self.cd_step(batch, learning_rate=learning_rate, k=k,
                                                   momentum=mu, weight_decay=weight_decay,
                                                   rng=rng)
            errors[epoch] = total / n
        self.history.extend(errors.tolist())
        return errors

    # ----- handing the weights to Keras ----------------------------------------------------------

    def get_weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (W, b, c): weights (n_visible, n_hidden), visible and hidden biases."""
        return self.W.copy(), self.b.copy(), self.c.copy()

    def to_dense_layers(self, name: str = "rbm") -> tuple[keras.layers.Dense,
                                                           keras.layers.Dense]:
        """Two built Keras ``Dense`` layers holding copies of this RBM's weights, for unrolling.

        The encoder computes E[h | v]: kernel W, bias c, sigmoid (linear for Gaussian hidden
        units). The decoder computes p(v = 1 | h): kernel Wᵀ, bias b, sigmoid. Chained, they are
        :meth:`reconstruct`. The layers own copies: training them leaves the RBM unchanged.

        Args:
            name: prefix of the layer names, ``{name}_up`` and ``{name}_down``.

        Returns:
            ``(encoder, decoder)``, mapping (batch, n_visible) → (batch, n_hidden) and back.
        """
        activation = "sigmoid" if self.hidden == "bernoulli" else None
        up = keras.layers.Dense(self.n_hidden, activation=activation, name=f"{name}_up")
        up.build((None, self.n_visible))
        up.set_weights([self.W, self.c])
        down = keras.layers.Dense(self.n_visible, activation="sigmoid", name=f"{name}_down")
        down.build((None, self.n_hidden))
        down.set_weights([self.W.T, self.b])
        return up, down
