"""Notebook 07's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import numpy as np
from exercise_checks import bad, ok

from helpers.exercises import nb07


def test_nb07():
    ok(nb07.ex1, [0, 1])
    ok(nb07.ex1, nb07.ex1.data.mean(axis=0).argmax(-1))
    assert "majority vote" in bad(nb07.ex1, [1, 1])
    assert "member 1's own" in bad(nb07.ex1, [0, 2])
    assert "one class index per image" in bad(nb07.ex1, nb07.ex1.data.mean(axis=0))  # every ex1 message says "probabilities"

    from helpers.ensembles import noise

    team = nb07.ex2.data
    ok(nb07.ex2, 5)
    assert "not more and not less" in ok(nb07.ex2, 5.0)
    assert "compares parameters" in bad(nb07.ex2, 160_000 * 10 / 140_000)
    assert "multiply the team's multiply-adds by their epochs" in bad(nb07.ex2, 0.5)
    assert "same number of epochs is not the same compute" in bad(nb07.ex2, team["epochs"])
    assert "the compute of one member" in bad(nb07.ex2, 2_000_000 * 10 / 16_800_000)
    assert "Set them equal" in bad(nb07.ex2, 7)
    assert "a number" in bad(nb07.ex2, "five")

    y = np.zeros(2_000, dtype=int)
    a = np.r_[np.zeros(1_000, dtype=int), np.ones(1_000, dtype=int)]  # 50% right
    b = np.r_[np.zeros(900, dtype=int), np.ones(1_000, dtype=int), np.zeros(100, dtype=int)]  # 50% right, 200 images differ
    d = (a == y).astype(float) - (b == y)
    se = d.std(ddof=1) / np.sqrt(2_000)
    assert "add no noise" in ok(nb07.ex3, se, y, a, b)
    ok(nb07.ex3, noise.paired_standard_error(y, a, b), y, np.eye(2)[a], np.eye(2)[b])
    ok(nb07.ex3, d.std() / np.sqrt(2_000), y, a, b)  # ddof=0 is as good at this size
    assert "in points" in bad(nb07.ex3, 100 * se, y, a, b)
    assert "independent" in bad(nb07.ex3, np.sqrt(2 * 0.25 / 2_000), y, a, b)
    assert "divide by sqrt(n)" in bad(nb07.ex3, d.std(ddof=1), y, a, b)
    assert "a variance" in bad(nb07.ex3, se**2, y, a, b)
    assert "one number" in bad(nb07.ex3, "big", y, a, b)
    c = np.r_[np.zeros(1_100, dtype=int), np.ones(900, dtype=int)]  # 55% right: the one-accuracy error differs from the pooled one
    assert "one model's accuracy" in bad(nb07.ex3, np.sqrt(0.55 * 0.45 / 2_000), y, c, a)
    dc = (c == y).astype(float) - (a == y)
    assert "gain itself" in bad(nb07.ex3, dc.mean(), y, c, a)
