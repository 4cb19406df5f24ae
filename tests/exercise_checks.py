"""Two assertions the exercise tests share: a right answer passes, a wrong one gets feedback (its message is returned)."""

from __future__ import annotations

import numpy as np

from helpers.evaluate import Evaluation
from helpers.exercises.base import Exercise


def ok(exercise: Exercise, answer, *context) -> str:
    """Assert that ``answer`` passes ``exercise``; return the feedback's message."""
    found = exercise.feedback(answer, *context)
    assert found is not None and found.ok, found
    return found.message


def bad(exercise: Exercise, answer, *context) -> str:
    """Assert that ``answer`` fails ``exercise``; return the feedback's message (which names the mistake)."""
    found = exercise.feedback(answer, *context)
    assert found is not None and not found.ok, found
    return found.message


def evaluation_from(pairs: list[tuple[int, int, int]], names: list[str]) -> Evaluation:
    """An Evaluation whose confusion matrix holds ``count`` images of (true, predicted) for each triple."""
    y_true = np.concatenate([[t] * n for t, _, n in pairs])
    y_pred = np.concatenate([[p] * n for _, p, n in pairs])
    return Evaluation(y_true, np.eye(len(names))[y_pred], names)
