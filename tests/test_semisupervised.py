import warnings

import keras
import numpy as np
import pytest
from scipy import sparse
from sklearn.semi_supervised import LabelSpreading

from aeutils import semisupervised as ss


def two_blobs(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two well separated 3-D Gaussian blobs: class 0 around −5, class 1 around +5."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    return rng.normal(size=(n, 3)) + 10 * y[:, None] - 5, y


def test_knn_graph_is_the_graph_label_spreading_builds():
    x, _ = two_blobs()
    graph = ss.knn_graph(x, 7)
    assert sparse.issparse(graph) and graph.shape == (60, 60)
    np.testing.assert_array_equal(graph.sum(axis=1).A1, np.full(60, 7))  # k ones per row
    assert set(np.unique(graph.data)) == {1.0}
    assert (graph.diagonal() == 1).all(), "every code is its own nearest neighbour"
    distances = np.linalg.norm(x[:, None] - x[None], axis=-1)
    for i in (0, 17, 59):  # the ones are exactly the 7 nearest codes
        assert set(graph[i].indices) == set(np.argsort(distances[i])[:7])


def test_spreading_on_the_graph_equals_sklearn_knn_spreading():
    x, y = two_blobs(80, seed=3)
    labels = np.full(80, ss.UNLABELLED)
    labels[[0, 5, 41, 77]] = y[[0, 5, 41, 77]]
    ours = ss.spread_labels(ss.knn_graph(x, 10), labels, alpha=0.3, max_iter=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = LabelSpreading(kernel="knn", n_neighbors=10, alpha=0.3, max_iter=40).fit(x, labels)
    np.testing.assert_allclose(ours.label_distributions_, theirs.label_distributions_, atol=1e-12)
    np.testing.assert_array_equal(ours.transduction_, y)  # two blobs: every label right
    assert ours.n_iter_ == theirs.n_iter_


def test_spreading_matches_the_iteration_written_out():
    """F ← αSF + (1−α)Y with S = D^(−1/2) W D^(−1/2), W without self-loops, D its column sums."""
    x, y = two_blobs(40, seed=1)
    labels = np.full(40, ss.UNLABELLED)
    labels[[2, 30]] = y[[2, 30]]
    graph = ss.knn_graph(x, 5)
    w = graph.toarray()
    np.fill_diagonal(w, 0)
    scale = np.sqrt(np.where(w.sum(axis=0) > 0, w.sum(axis=0), 1))
    s = w / np.outer(scale, scale)
    f = y_onehot = np.eye(2)[np.where(labels >= 0, labels, 0)] * (labels >= 0)[:, None]
    for _ in range(25):
        f = 0.9 * s @ f + 0.1 * y_onehot
    spread = ss.spread_labels(graph, labels, alpha=0.9, max_iter=25)
    np.testing.assert_allclose(spread.label_distributions_, f / f.sum(axis=1, keepdims=True),
                               atol=1e-12)


def test_spreading_stops_at_max_iter_without_a_warning():
    x, y = two_blobs()
    labels = np.where(np.arange(60) % 20 == 0, y, ss.UNLABELLED)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        spread = ss.spread_labels(ss.knn_graph(x, 5), labels, alpha=0.99, max_iter=3)
    assert spread.n_iter_ == 3
    with pytest.warns(UserWarning, match="other"):  # other warnings still get through
        warnings.warn("other", UserWarning, stacklevel=1)


@pytest.mark.parametrize("codes, k, message", [
    (np.zeros(5), 2, "codes must be a finite 2-D array (n, d), got shape (5,)"),
    (np.array([[0.0, np.nan]] * 3), 2, "codes must be a finite 2-D array (n, d), got shape (3, 2) "
                                        "with NaN or infinite entries"),
    (np.zeros((4, 2)), 0, "k must be an integer from 1 to the number of codes (4), got 0"),
    (np.zeros((4, 2)), 5, "k must be an integer from 1 to the number of codes (4), got 5"),
    (np.zeros((4, 2)), 2.0, "k must be an integer from 1 to the number of codes (4), got 2.0"),
    (np.zeros((4, 2)), True, "k must be an integer from 1 to the number of codes (4), got True"),
])
def test_knn_graph_errors(codes, k, message):
    with pytest.raises(ValueError) as error:
        ss.knn_graph(codes, k)
    assert str(error.value) == message


def test_knn_graph_accepts_k_equal_to_n_and_numpy_integers():
    assert ss.knn_graph(np.arange(8.0).reshape(4, 2), np.int64(4)).nnz == 16


@pytest.mark.parametrize("graph, labels, alpha, message", [
    (sparse.eye(3, 4), [0, 1, -1], 0.5, "graph must be a square (n, n) matrix, got shape (3, 4)"),
    (sparse.eye(3), [0, 1], 0.5, "labels must have shape (3,), one per row of the graph (−1 for "
                                 "the unlabelled), got (2,)"),
    (sparse.eye(3), [0.0, 1.0, -1.0], 0.5, "labels must be integers: class ids 0…K−1, or −1 for "
                                           "unlabelled"),
    (sparse.eye(3), [0, -2, 1], 0.5, "labels must be integers: class ids 0…K−1, or −1 for "
                                     "unlabelled"),
    (sparse.eye(3), [-1, -1, -1], 0.5, "no example is labelled: give at least one label per class"),
    (sparse.eye(3), [0, 1, -1], 0.0, "alpha must lie strictly between 0 and 1, got 0.0"),
    (sparse.eye(3), [0, 1, -1], 1.0, "alpha must lie strictly between 0 and 1, got 1.0"),
])
def test_spread_labels_errors(graph, labels, alpha, message):
    with pytest.raises(ValueError) as error:
        ss.spread_labels(graph, np.array(labels), alpha=alpha)
    assert str(error.value) == message


def test_classifier_head_shape_and_errors():
    head = ss.classifier_head(5, n_classes=3, hidden=7, name="probe")
    assert head.name == "probe" and head.output_shape == (None, 3)
    assert [layer.units for layer in head.layers] == [7, 3]
    assert head.layers[0].activation.__name__ == "relu"
    assert head.layers[1].activation.__name__ == "softmax"
    for args in [(0,), (5, 1), (5, 10, 0)]:
        with pytest.raises(ValueError, match="need code_dim ≥ 1, n_classes ≥ 2 and hidden ≥ 1"):
            ss.classifier_head(*args)
    assert ss.classifier_head(5).output_shape == (None, 10)
    assert ss.classifier_head(5).layers[0].units == 128


def vae_like_encoder() -> keras.Model:
    x = keras.Input((6,))
    hidden = keras.layers.Dense(4, activation="relu")(x)
    return keras.Model(x, [keras.layers.Dense(2, name="mean")(hidden),
                           keras.layers.Dense(2, name="log_var")(hidden)], name="enc")


def test_encoder_classifier_copies_or_reinitialises_and_reads_the_mean():
    keras.utils.set_random_seed(0)
    encoder = vae_like_encoder()
    before = [w.copy() for w in encoder.get_weights()]
    x = np.random.default_rng(0).normal(size=(5, 6)).astype("float32")
    pretrained = ss.encoder_classifier(encoder, ss.classifier_head(2, hidden=3), pretrained=True,
                                       name="clf")
    assert pretrained.name == "clf" and pretrained.output_shape == (None, 10)
    assert len(pretrained.trainable_weights) == 2 + 2 + 4  # hidden + mean + head; no log_var
    body = pretrained.layers[1]
    np.testing.assert_allclose(body(x), encoder(x)[0], rtol=1e-6)  # the mean μ, same weights
    scratch = ss.encoder_classifier(encoder, ss.classifier_head(2, hidden=3), pretrained=False)
    assert not np.allclose(scratch.layers[1](x), encoder(x)[0])
    pretrained.compile("sgd", "sparse_categorical_crossentropy")
    pretrained.fit(x, np.arange(5), epochs=3, verbose=0)
    for old, new in zip(before, encoder.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)  # the original encoder never trains


def test_encoder_classifier_with_a_single_output_encoder():
    encoder = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)], name="plain")
    model = ss.encoder_classifier(encoder, ss.classifier_head(3), pretrained=True)
    x = np.ones((2, 6), dtype="float32")
    np.testing.assert_allclose(model.layers[1](x), encoder(x), rtol=1e-6)
    assert model.input_shape == (None, 6)


def test_defaults_and_smallest_valid_arguments():
    x, y = two_blobs(24)
    assert ss.knn_graph(x).sum(axis=1).A1.tolist() == [10] * 24  # k = 10 by default
    np.testing.assert_array_equal(ss.knn_graph(x, 1).toarray(), np.eye(24))  # itself only
    labels = np.full(24, ss.UNLABELLED)
    labels[:3] = 0  # a single class, id 0, is a valid labelling
    spread = ss.spread_labels(ss.knn_graph(x, 5), labels)
    assert (spread.alpha, spread.max_iter) == (0.2, 100)
    assert set(spread.transduction_) == {0}
    head = ss.classifier_head(1, n_classes=2, hidden=1)
    assert head.name == "head" and head.input_shape == (None, 1) and head.output_shape == (None, 2)
    assert [layer.name for layer in head.layers] == ["hidden", "classes"]


def test_spread_labels_silences_only_the_convergence_warning(monkeypatch):
    def fit_that_warns(self, x, y):
        warnings.warn("something else", UserWarning, stacklevel=1)
        return self

    monkeypatch.setattr(LabelSpreading, "fit", fit_that_warns)
    with pytest.warns(UserWarning, match="something else"):
        ss.spread_labels(sparse.eye(3), np.array([0, 1, -1]))


def test_encoder_classifier_names_its_parts():
    encoder = vae_like_encoder()
    model = ss.encoder_classifier(encoder, ss.classifier_head(2), pretrained=False)
    assert model.name == "classifier"
    assert [layer.name for layer in model.layers[:2]] == ["image", "enc_mean"]
