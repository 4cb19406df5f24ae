"""Evaluate: predictions, accuracy, per-class figures and the mistakes a model makes.

Introduced in ``02_mnist_cnn.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import keras
import numpy as np
from sklearn.metrics import classification_report, confusion_matrix


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
