"""Combination methods on stacked probabilities of shape (members, examples, classes): pure NumPy / scikit-learn.

Introduced in ``07_ensembles.ipynb``; see :mod:`helpers.ensembles` for the overview.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from helpers.errors import EnsembleError
from helpers.language import _

_EPS = 1e-7


def _check_probs(probs: Any) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 3:
        raise EnsembleError(
            _("Expected stacked probabilities of shape (members, examples, classes), got shape {shape}; "
              "stack the members' predictions with np.stack([...]).").format(shape=probs.shape)
        )
    return probs


def _class_indices(y_true: Any, predicted: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(labels, predicted classes)`` as two integer arrays of the same length.

    ``predicted`` holds class indices (N,) or probabilities (N, classes), which become their argmax.

    Raises:
        EnsembleError: there are not as many predictions as labels.
    """
    predicted = np.asarray(predicted)
    if predicted.ndim == 2:
        predicted = predicted.argmax(axis=-1)
    y_true = np.asarray(y_true).astype(int).ravel()
    if predicted.shape != y_true.shape:
        raise EnsembleError(
            _("Got {predictions:,} predictions for {labels:,} labels; predict on the same images the labels belong to.").format(
                predictions=len(predicted), labels=len(y_true))
        )
    return y_true, predicted


def accuracy(y_true: Any, predicted: Any) -> float:
    """Fraction of correct predictions (``sklearn.metrics.accuracy_score``).

    ``predicted`` holds class indices (N,) or probabilities (N, classes).
    """
    return float(accuracy_score(*_class_indices(y_true, predicted)))


# ---------------------------------------------------------------- averaging and voting


def average(probs: Any, weights: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """Average the members' probabilities (soft voting), optionally weighted.

    Args:
        probs: stacked probabilities, shape (members, examples, classes).
        weights: one non-negative weight per member; they are divided by their sum.
            ``None`` gives every member the same weight.

    Returns:
        Probabilities of shape (examples, classes).
    """
    probs = _check_probs(probs)
    if weights is None:
        return probs.mean(axis=0)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(probs),) or (weights < 0).any() or weights.sum() <= 0:
        raise EnsembleError(
            _("Give one non-negative weight per member ({members}), not all zero; got {weights}.").format(
                members=len(probs), weights=weights.tolist())
        )
    return np.tensordot(weights / weights.sum(), probs, axes=1)


def vote_counts(probs: Any) -> np.ndarray:
    """How many members predict each class for each example, shape (examples, classes)."""
    probs = _check_probs(probs)
    labels = probs.argmax(axis=-1)  # (members, examples)
    return (labels[..., None] == np.arange(probs.shape[-1])).sum(axis=0)


def majority_vote(probs: Any) -> np.ndarray:
    """Hard voting: each member votes for its most probable class; the class with most votes wins.

    Tie-breaking rule: among the classes with the most votes, the one with the highest average
    probability wins; if that is tied too, the lowest class index wins.

    Returns:
        Predicted class indices, shape (examples,).
    """
    votes = vote_counts(probs)
    mean = _check_probs(probs).mean(axis=0)
    tied = votes == votes.max(axis=-1, keepdims=True)
    return np.where(tied, mean, -np.inf).argmax(axis=-1)  # argmax returns the first (lowest) index on ties


# ---------------------------------------------------------------- weighted averaging


def _log_loss(y: np.ndarray, probs: np.ndarray) -> float:
    """Mean cross-entropy of the true classes, their probabilities clipped at 1e-7.

    Equal to ``sklearn.metrics.log_loss(y, probs, labels=range(classes))`` whenever no probability
    of a true class is below 1e-7 (``tests/test_ensembles.py`` checks it), but not computed with it:
    scikit-learn clips at machine precision instead (a member that is certain and wrong would weigh
    ~-36 instead of -16.1), renormalises the rows or warns when averaged float32 softmax outputs do
    not sum to 1 within 1.5e-8 (which one depends on the version), and costs ~1 ms of input checks
    per call, of which :func:`select_weights` makes ``members * rounds``.
    """
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], _EPS, 1.0))))


def select_weights(probs: Any, y: Any, rounds: int = 20) -> np.ndarray:
    """Weights for :func:`average`, chosen on validation data by greedy ensemble selection.

    Caruana et al., "Ensemble selection from libraries of models" (ICML 2004), the method
    auto-sklearn uses: start from an empty ensemble and, ``rounds`` times, add the member (repeats
    allowed) whose addition gives the lowest log loss (cross-entropy) of the averaged probabilities
    on ``(probs, y)``; on equal loss the lower member index is chosen. A member's weight is the
    fraction of rounds it was picked, so the weights are multiples of ``1 / rounds`` and sum to 1.
    Log loss is used rather than accuracy because it still moves when no prediction flips.

    Fit it on a validation split the members did not train on; never on the test set.
    """
    probs = _check_probs(probs)
    y = np.asarray(y).astype(int).ravel()
    counts = np.zeros(len(probs), dtype=int)
    current = np.zeros(probs.shape[1:])
    for step in range(rounds):
        losses = [_log_loss(y, (current * step + member) / (step + 1)) for member in probs]
        best = int(np.argmin(losses))
        counts[best] += 1
        current = (current * step + probs[best]) / (step + 1)
    return counts / rounds


class Combiner(Protocol):
    """A combination method that is fitted on validation predictions (used by :func:`cross_validated_accuracy`).

    :class:`WeightedAverage` and :class:`Stacking` are ones, and scikit-learn estimators too.
    """

    def fit(self, probs: np.ndarray, y: np.ndarray) -> Combiner: ...

    def predict_proba(self, probs: np.ndarray) -> np.ndarray: ...


class WeightedAverage(ClassifierMixin, BaseEstimator):
    """Weighted average of the members' probabilities, weights from :func:`select_weights`.

    A scikit-learn estimator: ``WeightedAverage().fit(val_probs, y_val).predict_proba(test_probs)``,
    and ``sklearn.base.clone`` gives an unfitted copy with the same ``rounds``. Its input is the
    stacked probabilities (members, examples, classes), not scikit-learn's (examples, features).
    After ``fit``, ``weights_`` holds one weight per member.
    """

    def __init__(self, rounds: int = 20) -> None:
        self.rounds = rounds

    def fit(self, probs: Any, y: Any) -> WeightedAverage:
        """Choose the weights on ``(probs, y)``, a split the members did not train on; returns ``self``."""
        self.weights_ = select_weights(probs, y, self.rounds)
        return self

    def predict_proba(self, probs: Any) -> np.ndarray:
        """The weighted average of ``probs``, shape (examples, classes)."""
        check_is_fitted(self)
        return average(probs, self.weights_)

    def predict(self, probs: Any) -> np.ndarray:
        """The class with the highest averaged probability, shape (examples,)."""
        return self.predict_proba(probs).argmax(axis=-1)


# ---------------------------------------------------------------- stacking


def stacking_features(probs: Any) -> np.ndarray:
    """The meta-learner's input: each example's log-probabilities from every member, side by side.

    Shape (examples, members * classes), member 0's classes first. Probabilities are clipped at
    1e-7 before the logarithm, so a confident 0 becomes -16.1 rather than minus infinity.
    """
    probs = _check_probs(probs)
    members, examples, classes = probs.shape
    return np.log(np.clip(probs, _EPS, 1.0)).transpose(1, 0, 2).reshape(examples, members * classes)


class Stacking(ClassifierMixin, BaseEstimator):
    """Stacking: a ``LogisticRegression`` meta-learner on the members' log-probabilities.

    The features (:func:`stacking_features`) are standardised first (``StandardScaler``), which
    lets the solver converge in tens of iterations instead of hundreds. Fit it on predictions for
    images the members never trained on (the validation split): on the members' own training
    images their predictions are over-confident, and the meta-learner would learn to trust them
    too much. A scikit-learn estimator (``sklearn.base.clone`` gives an unfitted copy) on the
    stacked probabilities (members, examples, classes). After ``fit``, ``model_`` is the fitted
    scikit-learn pipeline and ``classes_`` the class indices ``0 .. classes - 1`` of the output columns.

    Args:
        C: inverse regularisation strength of the logistic regression (scikit-learn's default 1.0).
        max_iter: most iterations of the logistic regression's solver.
    """

    def __init__(self, C: float = 1.0, max_iter: int = 1000) -> None:
        self.C = C
        self.max_iter = max_iter

    def fit(self, probs: Any, y: Any) -> Stacking:
        """Fit the meta-learner on ``(probs, y)``, a split the members did not train on; returns ``self``."""
        probs = _check_probs(probs)
        model = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=self.max_iter))
        model.fit(stacking_features(probs), np.asarray(y).astype(int).ravel())
        self.model_, self.classes_ = model, np.arange(probs.shape[-1])
        return self

    def predict_proba(self, probs: Any) -> np.ndarray:
        """The meta-learner's probabilities, shape (examples, classes); 0 for a class absent when fitting."""
        check_is_fitted(self)
        found = self.model_.predict_proba(stacking_features(probs))
        full = np.zeros((len(found), len(self.classes_)))
        full[:, self.model_.classes_] = found  # classes absent from the fitting labels keep probability 0
        return full

    def predict(self, probs: Any) -> np.ndarray:
        """The most probable class, shape (examples,)."""
        return self.classes_[self.predict_proba(probs).argmax(axis=-1)]

    @property
    def params(self) -> int:
        """Number of fitted coefficients and intercepts of the logistic regression."""
        check_is_fitted(self)
        regression = self.model_[-1]
        return int(regression.coef_.size + regression.intercept_.size)


def cross_validated_accuracy(method: Combiner, probs: Any, y: Any, folds: int = 5, seed: int = 0) -> float:
    """Validation accuracy of a method that is itself fitted on the validation split.

    Scoring such a method on the images it was fitted on flatters it. Instead, the validation
    examples are cut into ``folds`` stratified parts; a fresh copy of ``method`` is fitted on all
    parts but one and scored on the part it did not see, and the accuracies are pooled.

    The copy is ``sklearn.base.clone(method)`` (same parameters, nothing fitted) for a scikit-learn
    estimator such as :class:`WeightedAverage` or :class:`Stacking`, a deep copy for any other object
    with ``fit`` and ``predict_proba``.
    """
    probs = _check_probs(probs)
    y = np.asarray(y).astype(int).ravel()
    correct = 0.0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_part, score_part in splitter.split(np.zeros(len(y)), y):
        fitted = clone(method, safe=False).fit(probs[:, fit_part], y[fit_part])
        predicted = fitted.predict_proba(probs[:, score_part]).argmax(-1)
        correct += accuracy_score(y[score_part], predicted, normalize=False)  # a count, pooled over the folds
    return float(correct / len(y))


# ---------------------------------------------------------------- boosting


def samme_combine(probs: Any, alphas: Sequence[float]) -> np.ndarray:
    """The boosted classifier: each member votes for its top class with weight ``alpha``.

    Returns each class's share of the weighted votes, shape (examples, classes); its ``argmax``
    is the SAMME prediction (on an exact tie, the lowest class index).
    """
    probs = _check_probs(probs)
    alphas = np.asarray(alphas, dtype=np.float64)
    if alphas.shape != (len(probs),):
        raise EnsembleError(_("Give one alpha per member ({members}), got {alphas}.").format(members=len(probs), alphas=alphas.tolist()))
    onehot = probs.argmax(-1)[..., None] == np.arange(probs.shape[-1])  # (members, examples, classes)
    scores = np.tensordot(alphas, onehot.astype(np.float64), axes=1)
    return scores / alphas.sum()
