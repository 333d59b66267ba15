import keras
import numpy as np
import pytest

from aeutils import training
from aeutils.corruption import MaskingNoise
from aeutils.layers import DenseTranspose
from aeutils.pretraining import (
    pretrain_autoencoder_stack,
    pretrain_rbm_stack,
    stacked_autoencoder,
    unroll_rbm_stack,
)
from aeutils.rbm import BernoulliRBM


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def relu(x):
    return np.maximum(x, 0.0)


@pytest.fixture
def recorded_training(monkeypatch):
    """Record every call of aeutils.training.train_autoencoder, then let it train."""
    calls = []
    real = training.train_autoencoder

    def recorder(model, x_train, **kwargs):
        calls.append({"model": model, "x": np.array(x_train),
                      "initial_weights": [w.copy() for w in model.get_weights()], **kwargs})
        return real(model, x_train, **kwargs)

    monkeypatch.setattr(training, "train_autoencoder", recorder)
    return calls


def test_each_layer_is_trained_on_the_codes_of_the_trained_layer_below(recorded_training):
    x = np.random.default_rng(0).random((32, 10)).astype("float32")
    encoders, decoders, histories = pretrain_autoencoder_stack(
        x, (6, 3), epochs=2, activation="relu", batch_size=16, peak_lr=1e-2, seed=0)
    assert [layer.name for layer in encoders] == ["enc_1", "code"]
    assert [layer.name for layer in decoders] == ["dec_1", "reconstruction"]
    assert [tuple(layer.kernel.shape) for layer in encoders] == [(10, 6), (6, 3)]
    assert [tuple(layer.kernel.shape) for layer in decoders] == [(3, 6), (6, 10)]
    assert [len(h.history["loss"]) for h in histories] == [2, 2]

    first, second = recorded_training
    np.testing.assert_array_equal(first["x"], x)
    W1, b1 = encoders[0].get_weights()
    np.testing.assert_allclose(second["x"], relu(x @ W1 + b1), rtol=1e-5, atol=1e-6)
    # The first decoder reproduces pixels (sigmoid, cross-entropy), the second ReLU codes (MSE).
    assert first["loss"] == "binary_crossentropy" and second["loss"] == "mse"
    assert [(c["batch_size"], c["peak_lr"]) for c in recorded_training] == [(16, 1e-2)] * 2
    assert decoders[1].activation is keras.activations.sigmoid
    assert decoders[0].activation is keras.activations.relu
    assert encoders[1].activation is keras.activations.linear  # a linear code, as in 2006


def test_denoising_variant_corrupts_inputs_while_training(recorded_training):
    x = np.random.default_rng(0).random((16, 8)).astype("float32")
    pretrain_autoencoder_stack(x, (4,), epochs=1, corruption_kind="masking",
                               corruption_level=0.3, seed=1)
    (call,) = recorded_training
    (noise,) = [layer for layer in call["model"].layers if isinstance(layer, MaskingNoise)]
    assert noise.rate == 0.3 and noise.seed == 1  # the first layer's seed: ``seed``
    pretrain_autoencoder_stack(x, (4,), epochs=1, corruption_kind="masking", seed=1)
    (noise,) = [layer for layer in recorded_training[1]["model"].layers
                if isinstance(layer, MaskingNoise)]
    assert noise.rate == 0.0, "no corruption_level, no corruption"


def test_defaults_seeds_names_and_progress_lines(recorded_training, capsys):
    """Sigmoid hidden layers, a linear code, Adam at 1e-3 on batches of 256 (train_autoencoder's
    defaults), one progress line per layer and no Keras progress bar; with a seed, encoder ℓ
    (from 0) starts from GlorotUniform(seed + 2ℓ) and its shallow decoder from seed + 2ℓ + 1."""
    x = np.random.default_rng(0).random((32, 10)).astype("float32")
    encoders, _, _ = pretrain_autoencoder_stack(x, (6, 3), epochs=1, seed=5)
    assert encoders[0].activation is keras.activations.sigmoid
    assert encoders[1].activation is keras.activations.linear
    assert [(c["batch_size"], c["peak_lr"]) for c in recorded_training] == [(256, 1e-3)] * 2
    labels = ["layer 1: 10→6", "layer 2: 6→3"]
    assert [c["label"] for c in recorded_training] == labels
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{label}: 1 epochs in ")
                                   for line, label in zip(lines, labels, strict=True)), lines
    assert [c["model"].name for c in recorded_training] == ["shallow_ae_1", "shallow_ae_2"]
    assert [c["model"].layers[0].name for c in recorded_training] == ["image", "codes"]
    for i, (call, (n_in, units)) in enumerate(zip(recorded_training, [(10, 6), (6, 3)],
                                                  strict=True)):
        kernel, bias, decoder_kernel, decoder_bias = call["initial_weights"]
        glorot = keras.initializers.GlorotUniform
        np.testing.assert_array_equal(kernel, glorot(5 + 2 * i)((n_in, units)))
        np.testing.assert_array_equal(decoder_kernel, glorot(5 + 2 * i + 1)((units, n_in)))
        assert not bias.any() and not decoder_bias.any()


def test_pretraining_runs_unseeded():
    x = np.random.default_rng(0).random((8, 4)).astype("float32")
    encoders, decoders, _ = pretrain_autoencoder_stack(x, (2,), epochs=1)
    assert tuple(encoders[0].kernel.shape) == (4, 2) and tuple(decoders[0].kernel.shape) == (2, 4)


def test_pretraining_arguments_are_validated():
    x = np.random.default_rng(0).random((8, 4))
    for sizes in [(), (3, 0), (2.5,)]:
        with pytest.raises(ValueError, match="sizes"):
            pretrain_autoencoder_stack(x, sizes, epochs=1)
        with pytest.raises(ValueError, match="sizes"):
            pretrain_rbm_stack(x, sizes, epochs=1)
    with pytest.raises(ValueError, match=r"^sizes must name at least one layer width"):
        pretrain_rbm_stack(x, [], epochs=1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        pretrain_autoencoder_stack(x * 3, (2,), epochs=1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        pretrain_rbm_stack(x - 1, (2,), epochs=1)
    above_one = x.copy()
    above_one[3, 2] = 1.5
    for pretrain in (pretrain_autoencoder_stack, pretrain_rbm_stack):
        with pytest.raises(ValueError, match=r"^x must hold values in \[0, 1\] here, got the "
                                             r"range \[.*, 1\.5\]; divide 8-bit images by 255 "
                                             r"first$"):
            pretrain(above_one, (2,), epochs=1)
    nan = x.copy()
    nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="^x must hold finite values$"):
        pretrain_rbm_stack(nan, (2,), epochs=1)
    with pytest.raises(ValueError, match="shape"):
        pretrain_rbm_stack(x[0], (2,), epochs=1)
    for empty in (np.zeros((0, 4)), np.zeros((4, 0))):
        with pytest.raises(ValueError, match=r"^x must have shape \(n, features\) with n ≥ 1, "
                                             rf"got \({empty.shape[0]}, {empty.shape[1]}\)"):
            pretrain_rbm_stack(empty, (2,), epochs=1)
    with pytest.raises(ValueError, match="^epochs must be a positive integer, got 0$"):
        pretrain_autoencoder_stack(x, (2,), epochs=0)
    for epochs in (2.5, True):
        with pytest.raises(ValueError, match="^epochs must be a positive integer"):
            pretrain_autoencoder_stack(x, (2,), epochs=epochs)
    with pytest.raises(ValueError, match="corruption"):
        pretrain_autoencoder_stack(x, (2,), epochs=1, corruption_kind="blur",
                                   corruption_level=0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        pretrain_rbm_stack(x, (2,), epochs=1, gaussian_learning_rate=0.0)


def dense(n_in, units, activation, seed, use_bias=True):
    layer = keras.layers.Dense(units, activation=activation, use_bias=use_bias)
    layer.build((None, n_in))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(size=(n_in, units)), rng.normal(size=units)][:1 + use_bias])
    return layer


def test_stacked_autoencoder_starts_from_copies_of_the_pretrained_weights():
    encoders = [dense(7, 5, "sigmoid", 0), dense(5, 2, None, 1)]
    decoders = [dense(2, 5, "sigmoid", 2), dense(5, 7, "sigmoid", 3)]
    autoencoder, encoder, decoder = stacked_autoencoder(encoders, decoders, name="sae")
    (W1, c1), (W2, c2) = (layer.get_weights() for layer in encoders)
    (V2, d2), (V1, d1) = (layer.get_weights() for layer in decoders)
    x = np.random.default_rng(4).random((3, 7)).astype("float32")
    code = sig(x @ W1 + c1) @ W2 + c2
    np.testing.assert_allclose(encoder.predict(x, verbose=0), code, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(autoencoder.predict(x, verbose=0),
                               sig(sig(code @ V2 + d2) @ V1 + d1), rtol=1e-4, atol=1e-6)
    assert [layer.name for layer in autoencoder.layers] == ["image", "enc_1", "code", "dec_1",
                                                            "reconstruction"]
    assert [layer.name for layer in encoder.layers[1:]] == ["enc_1", "code"]
    assert [layer.name for layer in decoder.layers] == ["code_input", "dec_1", "reconstruction"]
    assert [model.name for model in (autoencoder, encoder, decoder)] == ["sae", "sae_encoder",
                                                                         "sae_decoder"]
    default_names = [model.name for model in stacked_autoencoder(encoders, decoders)]
    assert default_names == ["stacked_autoencoder", "stacked_autoencoder_encoder",
                             "stacked_autoencoder_decoder"]
    z = np.random.default_rng(5).normal(size=(3, 2)).astype("float32")
    np.testing.assert_allclose(decoder.predict(z, verbose=0), sig(sig(z @ V2 + d2) @ V1 + d1),
                               rtol=1e-4, atol=1e-6)
    encoder.get_layer("enc_1").kernel.assign(np.zeros((7, 5)))
    np.testing.assert_array_equal(encoders[0].get_weights()[0], W1)  # the originals are intact


def test_widths_of_one_and_single_examples_or_features_are_fine():
    x = np.random.default_rng(0).random((8, 4))
    assert [r.n_hidden for r in pretrain_rbm_stack(x, (3, 1), epochs=1)] == [3, 1]
    assert pretrain_rbm_stack(x[:1], (2,), epochs=1)[0].n_visible == 4
    assert pretrain_rbm_stack(x[:, :1], (2,), epochs=1)[0].n_visible == 1


def test_stacked_autoencoder_copies_layers_without_biases():
    encoders = [dense(6, 4, "sigmoid", 0, use_bias=False), dense(4, 2, None, 1)]
    decoders = [dense(2, 4, "sigmoid", 2), dense(4, 6, "sigmoid", 3, use_bias=False)]
    W1, = encoders[0].get_weights()
    W2, c2 = encoders[1].get_weights()
    V2, d2 = decoders[0].get_weights()
    V1, = decoders[1].get_weights()
    x = np.random.default_rng(4).random((3, 6)).astype("float32")
    code = sig(x @ W1) @ W2 + c2
    untied, _, _ = stacked_autoencoder(encoders, decoders)
    np.testing.assert_allclose(untied.predict(x, verbose=0), sig(sig(code @ V2 + d2) @ V1),
                               rtol=1e-4, atol=1e-6)
    tied, _, _ = stacked_autoencoder(encoders, decoders, tied=True)
    np.testing.assert_allclose(tied.predict(x, verbose=0), sig(sig(code @ W2.T + d2) @ W1.T),
                               rtol=1e-4, atol=1e-6)


def test_stacked_autoencoder_rejects_layers_that_do_not_chain():
    encoders = [dense(7, 5, "sigmoid", 0), dense(5, 2, None, 1)]
    decoders = [dense(2, 5, "sigmoid", 2), dense(5, 7, "sigmoid", 3)]
    with pytest.raises(ValueError, match="code side first"):
        stacked_autoencoder(encoders, decoders[::-1])
    with pytest.raises(ValueError, match="one decoder layer per encoder"):
        stacked_autoencoder(encoders, decoders[:1])
    with pytest.raises(ValueError, match="chain"):
        stacked_autoencoder(encoders[::-1], decoders)
    with pytest.raises(ValueError, match="built"):
        stacked_autoencoder([keras.layers.Dense(3)], [keras.layers.Dense(3)])
    deep = [dense(7, 5, "sigmoid", 0), dense(5, 4, "sigmoid", 1), dense(4, 2, None, 2)]
    wrong_middle = [dense(2, 4, "sigmoid", 3), dense(4, 6, "sigmoid", 4), dense(5, 7, None, 5)]
    with pytest.raises(ValueError, match=(
            r"^decoder_layers\[1\] has kernel shape \(4, 6\) but must invert encoder_layers\[1\] "
            r"\(kernel shape \(5, 4\)\), i\.e\. have shape \(4, 5\); list the decoder layers "
            r"code side first$")):
        stacked_autoencoder(deep, wrong_middle)


def random_rbm(n_visible, n_hidden, hidden="bernoulli", seed=0):
    rbm = BernoulliRBM(n_visible, n_hidden, hidden=hidden, seed=seed, dtype="float64")
    rng = np.random.default_rng(seed + 100)
    rbm.b, rbm.c = rng.normal(size=n_visible), rng.normal(size=n_hidden)
    rbm.W = rng.normal(size=(n_visible, n_hidden))
    return rbm


def numpy_up_down(rbms, x):
    """The stack's deterministic up-down pass: hidden means up, visible probabilities down."""
    up = x
    for rbm in rbms:
        pre = up @ rbm.W + rbm.c
        up = sig(pre) if rbm.hidden == "bernoulli" else pre
    down = up
    for rbm in rbms[::-1]:
        down = sig(down @ rbm.W.T + rbm.b)
    return up, down


@pytest.mark.parametrize("tied", [False, True])
def test_unrolled_autoencoder_reproduces_the_rbm_stacks_up_down_pass(tied):
    rbms = [random_rbm(8, 5, seed=0), random_rbm(5, 3, seed=1),
            random_rbm(3, 2, "gaussian", seed=2)]
    autoencoder, encoder, decoder = unroll_rbm_stack(rbms, **({"tied": True} if tied else {}))
    assert [model.name for model in (autoencoder, encoder, decoder)] == [
        "rbm_autoencoder", "rbm_autoencoder_encoder", "rbm_autoencoder_decoder"]
    x = np.random.default_rng(5).random((4, 8)).astype("float32")
    code, reconstruction = numpy_up_down(rbms, x)
    np.testing.assert_allclose(encoder.predict(x, verbose=0), code, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(autoencoder.predict(x, verbose=0), reconstruction, rtol=1e-4,
                               atol=1e-6)
    assert all(isinstance(layer, DenseTranspose) == tied for layer in decoder.layers[1:])
    expected = 2 * (8 * 5 + 5 * 3 + 3 * 2) + (5 + 3 + 2) + (8 + 5 + 3)
    assert autoencoder.count_params() == expected - (8 * 5 + 5 * 3 + 3 * 2) * tied


def test_unrolled_tied_autoencoder_survives_a_keras_file(tmp_path):
    rbms = [random_rbm(6, 4, seed=0), random_rbm(4, 2, "gaussian", seed=1)]
    autoencoder, _, _ = unroll_rbm_stack(rbms, tied=True)
    autoencoder.save(tmp_path / "unrolled.keras")
    restored = keras.saving.load_model(tmp_path / "unrolled.keras")
    x = np.random.default_rng(5).random((4, 6)).astype("float32")
    np.testing.assert_allclose(restored.predict(x, verbose=0), numpy_up_down(rbms, x)[1],
                               rtol=1e-4, atol=1e-6)
    assert restored.get_layer("reconstruction").dense is restored.get_layer("enc_1")
    assert restored.get_layer("dec_1").dense is restored.get_layer("code")


def test_unroll_rejects_stacks_that_do_not_fit():
    with pytest.raises(ValueError, match="^rbms must hold at least one trained BernoulliRBM$"):
        unroll_rbm_stack([])
    with pytest.raises(ValueError, match="must match"):
        unroll_rbm_stack([random_rbm(6, 4), random_rbm(3, 2)])
    with pytest.raises(ValueError, match=r"^rbms\[2\] has 5 visible units but rbms\[1\] has 3 "
                                         "hidden units; they must match to stack$"):
        unroll_rbm_stack([random_rbm(6, 4), random_rbm(4, 3), random_rbm(5, 2)])
    with pytest.raises(ValueError, match="only the top RBM may be Gaussian$"):
        unroll_rbm_stack([random_rbm(6, 4, "gaussian"), random_rbm(4, 2)])
    with pytest.raises(ValueError, match="BernoulliRBM"):
        unroll_rbm_stack([keras.layers.Dense(3)])


def test_rbm_stack_trains_each_rbm_on_the_hidden_probabilities_below(monkeypatch):
    calls = []
    real_fit = BernoulliRBM.fit

    def recording_fit(self, x, **kwargs):
        calls.append({"x": np.array(x), "initial_W": self.W.copy(), **kwargs})
        return real_fit(self, x, **kwargs)

    monkeypatch.setattr(BernoulliRBM, "fit", recording_fit)
    x = (np.random.default_rng(0).random((30, 6)) < 0.4).astype("float32")
    rbms = pretrain_rbm_stack(x, (4, 2), epochs=3, batch_size=10, seed=0, dtype="float64")
    assert [(r.n_visible, r.n_hidden, r.hidden) for r in rbms] == [(6, 4, "bernoulli"),
                                                                  (4, 2, "gaussian")]
    assert [len(r.history) for r in rbms] == [3, 3]
    np.testing.assert_array_equal(calls[0]["x"], x)
    np.testing.assert_allclose(calls[1]["x"], sig(x @ rbms[0].W + rbms[0].c), rtol=1e-12)
    # The 2006 code's settings: learning rate 0.1 (Bernoulli), 0.001 (Gaussian top), weight cost
    # 2e-4, momentum 0.5 for 5 epochs then 0.9.
    assert [c["learning_rate"] for c in calls] == [0.1, 0.001]
    assert all(c["weight_decay"] == 2e-4 and c["momentum"] == 0.9
               and c["initial_momentum"] == 0.5 and c["initial_momentum_epochs"] == 5
               for c in calls)
    assert [(c["batch_size"], c["k"]) for c in calls] == [(10, 1)] * 2
    # RBM ℓ is seeded with seed + ℓ: its W starts at 0.1 · N(0, 1) from that seed.
    for i, shape in enumerate([(6, 4), (4, 2)]):
        np.testing.assert_array_equal(
            calls[i]["initial_W"], 0.1 * np.random.default_rng(i).standard_normal(shape))
    all_bernoulli = pretrain_rbm_stack(x, (4, 2), epochs=1, gaussian_top=False, seed=0)
    assert [r.hidden for r in all_bernoulli] == ["bernoulli", "bernoulli"]
    assert calls[2]["batch_size"] == 100  # the 2006 default
    pretrain_rbm_stack(x, (2,), epochs=1, k=2, weight_std=0.05, seed=7, dtype="float64")
    assert calls[-1]["k"] == 2
    np.testing.assert_array_equal(calls[-1]["initial_W"],
                                  0.05 * np.random.default_rng(7).standard_normal((6, 2)))
    # float64 RBMs see the data unrounded: 1/3 is not a float32 number
    pretrain_rbm_stack(np.full((5, 6), 1.0 / 3.0), (2,), epochs=1, seed=0, dtype="float64")
    assert calls[-1]["x"].dtype == np.float64 and np.all(calls[-1]["x"] == 1.0 / 3.0)
