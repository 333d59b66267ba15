"""Few-label classification on top of autoencoder codes: label spreading and classifier heads.

Label spreading (Zhou et al. 2004) lets the unlabelled images vote *during* classification: labels
flow along a k-nearest-neighbour graph of the codes. scikit-learn's ``LabelSpreading`` does the
spreading; :func:`knn_graph` builds the graph once so that many label budgets and seeds reuse it
(``kernel="knn"`` would rebuild it on every fit, about 8 s for 70 000 codes on 2 cores).
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.semi_supervised import LabelSpreading

UNLABELLED = -1  # scikit-learn's marker for an example without a label


def knn_graph(codes: np.ndarray, k: int = 10) -> sparse.csr_matrix:
    """The k-NN graph of ``codes``, built exactly as ``LabelSpreading(kernel="knn")`` builds it.

    Row i has a 1 in the columns of the k codes nearest to code i (Euclidean), i itself included.

    Args:
        codes: one row per example, shape (n, d), finite.
        k: neighbours per example, 1 ≤ k ≤ n.

    Returns:
        A sparse (n, n) matrix of 0s and 1s with exactly k ones per row.

    Raises:
        ValueError: if ``codes`` is not a 2-D array of finite numbers or k is outside 1…n.
    """
    codes = np.asarray(codes)
    if codes.ndim != 2 or not np.isfinite(codes).all():
        raise ValueError(f"codes must be a finite 2-D array (n, d), got shape {codes.shape}"
                         + ("" if codes.ndim != 2 else " with NaN or infinite entries"))
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(codes):
        raise ValueError(f"k must be an integer from 1 to the number of codes ({len(codes)}), "
                         f"got {k!r}")
    return NearestNeighbors(n_neighbors=k).fit(codes).kneighbors_graph(codes, k)


def spread_labels(graph: sparse.spmatrix, labels: np.ndarray, alpha: float = 0.2,
                  max_iter: int = 100) -> LabelSpreading:
    """Fit scikit-learn's ``LabelSpreading`` on a precomputed graph (see :func:`knn_graph`).

    Each iteration sets F ← α·S·F + (1 − α)·Y, with S = D^(−1/2) W D^(−1/2) the normalised graph and
    Y the one-hot known labels; every example then takes the class of its largest F.

    Args:
        graph: the (n, n) affinity matrix W of all n examples, labelled and unlabelled.
        labels: class ids 0…K−1 of the labelled examples and :data:`UNLABELLED` (−1) elsewhere,
            shape (n,).
        alpha: how much of each update comes from the neighbours, in (0, 1); the rest pulls the
            labelled examples back to their labels.
        max_iter: the most iterations. It stops earlier once F changes by less than 10⁻³ in all;
            with α near 1 the change shrinks slowly (like αᵗ), so running all ``max_iter`` is
            expected and scikit-learn's ``ConvergenceWarning`` is not shown (``n_iter_`` tells).

    Returns:
        The fitted model: ``transduction_`` holds the label of every example, and
        ``label_distributions_`` the normalised F.

    Raises:
        ValueError: if the graph is not square with one row per label, no example is labelled,
            a label is below −1, or α is outside (0, 1).
    """
    labels = np.asarray(labels)
    if graph.ndim != 2 or graph.shape[0] != graph.shape[1]:
        raise ValueError(f"graph must be a square (n, n) matrix, got shape {graph.shape}")
    if labels.shape != (graph.shape[0],):
        raise ValueError(f"labels must have shape ({graph.shape[0]},), one per row of the graph "
                         f"(−1 for the unlabelled), got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < UNLABELLED:
        raise ValueError("labels must be integers: class ids 0…K−1, or −1 for unlabelled")
    if not (labels >= 0).any():
        raise ValueError("no example is labelled: give at least one label per class")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    model = LabelSpreading(kernel=lambda a, b: graph, alpha=alpha, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # with the graph given, LabelSpreading reads only the number of rows of X: pass a column
        return model.fit(np.zeros((graph.shape[0], 1)), labels)


def classifier_head(code_dim: int, n_classes: int = 10, hidden: int = 128,
                    name: str = "head") -> keras.Sequential:
    """The one small network every method puts on its codes: ``Dense(hidden, relu) → softmax``."""
    if code_dim < 1 or n_classes < 2 or hidden < 1:
        raise ValueError(f"need code_dim ≥ 1, n_classes ≥ 2 and hidden ≥ 1, got {code_dim}, "
                         f"{n_classes}, {hidden}")
    return keras.Sequential([keras.Input((code_dim,)),
                             keras.layers.Dense(hidden, activation="relu", name="hidden"),
                             keras.layers.Dense(n_classes, activation="softmax", name="classes")],
                            name=name)


def encoder_classifier(encoder: keras.Model, head: keras.Model, *, pretrained: bool,
                       name: str = "classifier") -> keras.Model:
    """Image → encoder → ``head``: with a copy of the encoder's weights, or fresh random ones.

    A VAE encoder returns ``[mean, log_var]``; the classifier then reads the mean μ (Kingma et
    al.'s M1) and drops the log σ² branch. The encoder is cloned, so training the classifier never
    changes ``encoder``.

    Args:
        encoder: a trained encoder, images → code (or → ``[mean, log_var]``).
        head: the network on the code, e.g. from :func:`classifier_head`.
        pretrained: copy the encoder's trained weights (True) or keep the clone's fresh random
            initialisation: the same architecture trained from scratch (False).
        name: the classifier's name.

    Returns:
        A model from the encoder's input to the head's output; all of its weights trainable.
    """
    clone = keras.models.clone_model(encoder)
    if pretrained:
        clone.set_weights(encoder.get_weights())
    if len(clone.outputs) > 1:  # a VAE encoder: keep the path to μ only (log σ² gets no gradient)
        clone = keras.Model(clone.input, clone.outputs[0], name=f"{encoder.name}_mean")
    inputs = keras.Input(encoder.input_shape[1:], name="image")
    return keras.Model(inputs, head(clone(inputs)), name=name)
