"""Notebook 02's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import numpy as np
from exercise_checks import bad, ok

from helpers.exercises import nb02


def test_nb02():
    ok(nb02.ex1, (12, 12, 16))
    assert "after the convolution" in bad(nb02.ex1, (24, 24, 16))
    assert "one channel per filter" in bad(nb02.ex1, (12, 12, 1))
    ok(nb02.ex2, 1216)
    assert "bias" in bad(nb02.ex2, 1200)
    assert "3 channels" in bad(nb02.ex2, 416)
    assert "image size" in bad(nb02.ex2, 16 * 5 * 5 * 3 * 32 * 32)


def test_nb02_reading_a_confusion_matrix():
    matrix = np.array([[50, 2, 0], [5, 40, 1], [0, 9, 30]])  # rows: true digit, columns: predicted
    message = ok(nb02.ex3, matrix.sum(axis=1) - np.diag(matrix), matrix)
    assert "[2, 6, 9]" in message and "digit 2 is missed most often" in message
    ok(nb02.ex3, [2, 6, 9], matrix)
    assert "*called*" in bad(nb02.ex3, matrix.sum(axis=0) - np.diag(matrix), matrix)
    assert "read correctly; the mistakes" in bad(nb02.ex3, np.diag(matrix), matrix)
    assert "each row's total" in bad(nb02.ex3, matrix.sum(axis=1), matrix)
    assert "fractions" in bad(nb02.ex3, (matrix.sum(axis=1) - np.diag(matrix)) / matrix.sum(axis=1), matrix)
    assert "total number of mistakes" in bad(nb02.ex3, 17, matrix)
    assert "digit 1: you give 5" in bad(nb02.ex3, [2, 5, 9], matrix)
    assert "not one of shape (2,)" in bad(nb02.ex3, [2, 6], matrix)


def test_nb02_speaks_chinese_with_the_same_figures(monkeypatch):
    monkeypatch.setenv("COURSE_LANGUAGE", "zh_CN")
    matrix = np.array([[50, 2, 0], [5, 40, 1], [0, 9, 30]])
    message = ok(nb02.ex3, [2, 6, 9], matrix)
    assert "[2, 6, 9]" in message and "数字 2" in message and "23.1%" in message
    assert "1,200 只算了权重" in bad(nb02.ex2, 1200)
    assert "24x24 是卷积之后的尺寸" in bad(nb02.ex1, (24, 24, 16))
    assert "不是形状为 (2,) 的数组" in bad(nb02.ex3, [2, 6], matrix)
