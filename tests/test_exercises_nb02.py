"""Notebook 02's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers.evaluate import Evaluation
from helpers.exercises import ____, nb02
from exercise_checks import bad, ok


def test_nb02():
    ok(nb02.ex1, (12, 12, 16))
    assert "after the convolution" in bad(nb02.ex1, (24, 24, 16))
    assert "one channel per filter" in bad(nb02.ex1, (12, 12, 1))
    ok(nb02.ex2, 1216)
    assert "bias" in bad(nb02.ex2, 1200)
    assert "3 channels" in bad(nb02.ex2, 416)
    assert "image size" in bad(nb02.ex2, 16 * 5 * 5 * 3 * 32 * 32)
    ok(nb02.ex3, "sparse_categorical_crossentropy")
    ok(nb02.ex3, keras.losses.SparseCategoricalCrossentropy())
    assert "one-hot" in bad(nb02.ex3, "categorical_crossentropy")
    assert "twice" in bad(nb02.ex3, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert "sigmoid" in bad(nb02.ex3, "binary_crossentropy")
