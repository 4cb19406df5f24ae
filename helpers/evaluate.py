"""Evaluate: predictions, accuracy, per-class figures and the mistakes a model makes.

Introduced in ``02_mnist_cnn.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from helpers.language import _
from helpers.tables import text_table


@dataclass
class Evaluation:
    """What a classifier did on a labelled set.

    Attributes:
        y_true: the true class indices.
        probabilities: the model's class probabilities, shape (N, classes).
        class_names: one name per class index.
    """

    y_true: np.ndarray
    probabilities: np.ndarray
    class_names: Sequence[str]

    @property
    def y_pred(self) -> np.ndarray:
        """The predicted class indices (the most probable class)."""
        return np.argmax(self.probabilities, axis=-1)

    @property
    def accuracy(self) -> float:
        """Fraction of examples whose predicted class is the true class."""
        return float(np.mean(self.y_pred == self.y_true))

    def confusion(self) -> np.ndarray:
        """Confusion matrix: row = true class, column = predicted class."""
        return confusion_matrix(self.y_true, self.y_pred, labels=range(len(self.class_names)))

    def report(self) -> str:
        """scikit-learn's per-class precision, recall and F1 as text."""
        return classification_report(
            self.y_true, self.y_pred, labels=range(len(self.class_names)),
            target_names=[str(name) for name in self.class_names], digits=3, zero_division=0,
        )

    def per_class_accuracy(self) -> dict[str, float]:
        """Accuracy within each true class (the recall of each class)."""
        matrix = self.confusion()
        totals = matrix.sum(axis=1)
        return {
            str(name): float(matrix[i, i] / totals[i]) if totals[i] else float("nan")
            for i, name in enumerate(self.class_names)
        }

    def most_confused(self, k: int = 5) -> list[tuple[str, str, int]]:
        """The ``k`` most frequent mistakes as ``(true class, predicted class, count)``."""
        matrix = self.confusion().copy()
        np.fill_diagonal(matrix, 0)
        order = np.argsort(matrix, axis=None)[::-1][:k]
        pairs = []
        for flat in order:
            true, pred = np.unravel_index(flat, matrix.shape)
            if matrix[true, pred] > 0:
                pairs.append((str(self.class_names[true]), str(self.class_names[pred]), int(matrix[true, pred])))
        return pairs

    def mistakes(self) -> np.ndarray:
        """Indices of misclassified examples, the most confidently wrong first."""
        wrong = np.flatnonzero(self.y_pred != self.y_true)
        confidence = self.probabilities[wrong, self.y_pred[wrong]]
        return wrong[np.argsort(-confidence)]


def evaluate_classifier(
    model: keras.Model, x: np.ndarray, y: np.ndarray, class_names: Sequence[str], batch_size: int = 256
) -> Evaluation:
    """Predict on ``x`` and return an :class:`Evaluation` against the labels ``y``."""
    probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    return Evaluation(y_true=np.asarray(y).astype(int).ravel(), probabilities=probabilities, class_names=class_names)


def per_class_table(evaluations: dict[str, Evaluation]) -> str:
    """Per-class accuracy of several evaluations side by side, as text (one row per class, plus "all").

    Introduced in ``03_cifar10_cnn.ipynb`` to compare two models on the same test set.

    Args:
        evaluations: a name for each column (for example the model's name) and its :class:`Evaluation`.
    """
    names = list(evaluations)
    columns = [evaluations[name].per_class_accuracy() for name in names]
    rows = [(cls, *(f"{col[cls]:.1%}" for col in columns)) for cls in columns[0]]
    rows.append((_("all"), *(f"{evaluations[name].accuracy:.1%}" for name in names)))
    # each accuracy column at least as wide as "100.0%"
    return text_table(rows, (_("class"), *names), align="l" + "r" * len(names), min_widths=(0, *[6] * len(names)))


def standard_error_of_accuracy(accuracy: float, n: int) -> float:
    """The standard error of an accuracy ``p`` measured on ``n`` images: ``sqrt(p (1 - p) / n)`` (NaN when ``n`` is 0).

    The course's one formula for it: :func:`accuracy_standard_error` (an :class:`Evaluation`) and
    :func:`helpers.ensembles.accuracy_standard_error` (labels and predictions) both use it.
    """
    return float(np.sqrt(accuracy * (1 - accuracy) / n)) if n else float("nan")


def paired_difference(right_a: np.ndarray, right_b: np.ndarray) -> tuple[float, float]:
    """How much model ``a`` beats model ``b`` on the same images, and the standard error of that gain.

    The course's one formula for it (:func:`paired_gain`, :func:`helpers.ensembles.paired_standard_error`).
    ``right_a`` and ``right_b`` say, image by image, whether each model got it right. Each image counts +1
    (only ``a`` right), -1 (only ``b`` right) or 0; the gain is their mean and its standard error their
    sample standard deviation over ``sqrt(n)`` (NaN for fewer than two images).
    """
    change = np.asarray(right_a, dtype=np.float64) - np.asarray(right_b, dtype=np.float64)
    n = len(change)
    spread = float(np.std(change, ddof=1)) if n > 1 else float("nan")
    return float(change.mean()) if n else float("nan"), spread / float(np.sqrt(n)) if n else float("nan")


def accuracy_standard_error(evaluation: Evaluation) -> float:
    """The standard error of a test accuracy measured on ``n`` images: ``sqrt(p (1 - p) / n)``.

    Introduced in ``03_cifar10_cnn.ipynb``: how far the accuracy on another test set of the same
    size would typically be from this one. On 1,000 images at 60% it is about 1.5 points.
    """
    return standard_error_of_accuracy(evaluation.accuracy, len(evaluation.y_true))


def paired_gain(before: Evaluation, after: Evaluation) -> tuple[float, float]:
    """How much ``after`` beats ``before`` on the same images, and the standard error of that gain.

    Introduced in ``03_cifar10_cnn.ipynb`` (is flip TTA's gain more than noise?). Each image
    counts +1 if only ``after`` gets it right, -1 if only ``before`` does, 0 otherwise; the gain is
    the mean of these, and its standard error is their standard deviation over ``sqrt(n)``. Because
    both are measured on the same images, this is smaller than the standard error of either accuracy.
    A gain under two standard errors is within noise.

    Raises:
        ValueError: if the two evaluations are not on the same labelled images.
    """
    if len(before.y_true) != len(after.y_true) or not np.array_equal(before.y_true, after.y_true):
        raise ValueError(_("paired_gain compares two evaluations of the same images: give it two Evaluations with the same labels"))
    return paired_difference(after.y_pred == after.y_true, before.y_pred == before.y_true)


def in_standard_errors(gain: float, standard_error: float) -> float:
    """How many standard errors ``gain`` is: ``gain / standard_error``, safe when the error is 0.

    Introduced in ``03_cifar10_cnn.ipynb``. A paired standard error is 0 when the two models are
    right on exactly the same images; the gain is then 0 too, and so is the answer (``±inf`` only
    for a nonzero gain with no spread at all, which real test sets do not produce).
    """
    if standard_error > 0:
        return float(gain / standard_error)
    return 0.0 if gain == 0 else float(np.copysign(np.inf, gain))
