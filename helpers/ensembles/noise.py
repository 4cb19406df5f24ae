"""How big is a real difference? Standard errors of a test accuracy and of a paired difference.

For labels and predictions (class indices or probabilities); the formulas are :mod:`helpers.evaluate`'s.
Introduced in ``07_ensembles.ipynb``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.ensembles.combine import _class_indices, accuracy
from helpers.evaluate import paired_difference, standard_error_of_accuracy


def _correct(y_true: Any, predicted: Any) -> np.ndarray:
    y_true, predicted = _class_indices(y_true, predicted)
    return predicted == y_true


def accuracy_standard_error(y_true: Any, predicted: Any) -> float:
    """Standard error of one model's accuracy on a test set: ``sqrt(p * (1 - p) / n)``.

    ``p`` is the accuracy on the ``n`` test images, ``predicted`` holds class indices (N,) or
    probabilities (N, classes). It says how much the accuracy would move on another test set of the
    same size drawn from the same images: about 1.1 points at 50% on 2,000 images, 0.17 at 97% on 10,000.
    """
    return standard_error_of_accuracy(accuracy(y_true, predicted), len(np.asarray(y_true).ravel()))


def paired_standard_error(y_true: Any, predicted_a: Any, predicted_b: Any) -> float:
    """Standard error of the difference in accuracy of two models scored on the *same* test images.

    Per image, the difference is +1 (only ``a`` right), -1 (only ``b`` right) or 0 (both right or
    both wrong); its mean is the accuracy gain of ``a`` over ``b`` and this is the standard error
    of that mean (sample standard deviation / sqrt(n)). The images both models get right or both
    get wrong add no noise, so when two models agree on most images this is smaller than
    :func:`accuracy_standard_error` (it is the quantity behind McNemar's test).
    """
    return paired_difference(_correct(y_true, predicted_a), _correct(y_true, predicted_b))[1]
