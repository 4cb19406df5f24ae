"""Notebook 07's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers.evaluate import Evaluation
from helpers.exercises import ____, nb07
from exercise_checks import bad, ok


def test_nb07():
    ok(nb07.ex1, [0, 1])
    ok(nb07.ex1, nb07.ex1.data.mean(axis=0).argmax(-1))
    assert "majority vote" in bad(nb07.ex1, [1, 1])
    assert "member 1's own" in bad(nb07.ex1, [0, 2])
    assert "one class index per image" in bad(nb07.ex1, nb07.ex1.data.mean(axis=0))  # every ex1 message says "probabilities"

    from helpers import ensembles

    rng = np.random.default_rng(0)
    y_val, y_test = rng.integers(0, 10, 300), rng.integers(0, 10, 400)
    val_probs = np.stack([np.eye(10)[y_val] * 0.8 + 0.02] * 3)  # members that are right on every image
    test_probs = np.stack([np.eye(10)[y_test] * 0.8 + 0.02] * 3)
    board = ensembles.Scoreboard(y_val, y_test)
    ok(nb07.ex2, (val_probs, y_val), board)
    assert "those are the test labels" in bad(nb07.ex2, (test_probs, y_test), board)  # the catch-all says "nor the test labels"
    assert "over-confident" in bad(nb07.ex2, (val_probs, rng.integers(0, 10, 300)), board)
    assert "do not belong" in bad(nb07.ex2, (np.roll(val_probs, 1, axis=2), y_val), board)

    y = np.zeros(2_000, dtype=int)
    predicted = np.r_[np.zeros(900, dtype=int), np.ones(1_100, dtype=int)]  # 45% right
    se = np.sqrt(0.45 * 0.55 / 2_000)
    assert "about 1.1 points" in ok(nb07.ex3, se, y, predicted)
    ok(nb07.ex3, ensembles.accuracy_standard_error(y, predicted), y, np.eye(2)[predicted])
    assert "in points" in bad(nb07.ex3, 100 * se, y, predicted)
    assert "square root" in bad(nb07.ex3, se**2, y, predicted)
    assert "sqrt(n)" in bad(nb07.ex3, np.sqrt(0.45 * 0.55), y, predicted)
    assert "accuracy itself" in bad(nb07.ex3, 0.45, y, predicted)
    assert "one number" in bad(nb07.ex3, "big", y, predicted)
