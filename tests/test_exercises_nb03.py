"""Notebook 03's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
from exercise_checks import bad, ok
from keras import layers

from helpers.exercises import nb03


def test_nb03_ex1_counts_the_block_keras_builds():
    block = keras.Sequential([keras.Input(shape=(32, 32, 16)), layers.Conv2D(32, 3, padding="same", use_bias=False),
                              layers.BatchNormalization()])
    ok(nb03.ex1, block.count_params())  # what Keras itself counts
    ok(nb03.ex1, 4736.0)
    assert "no bias of its own" in bad(nb03.ex1, 4608 + 32 + 128)
    assert "moving mean" in bad(nb03.ex1, 4608 + 64)
    assert "convolution alone" in bad(nb03.ex1, 4608)
    assert "across all 16 input channels" in bad(nb03.ex1, 288 + 128)
    assert "4 numbers per channel" in bad(nb03.ex1, 1234)
    assert "whole number" in bad(nb03.ex1, 4736.5)


def test_nb03_ex2_paired_gain():
    scores = np.concatenate([np.ones(31), -np.ones(19), np.zeros(950)])
    ok(nb03.ex2, (scores.mean(), scores.std(ddof=1) / np.sqrt(len(scores))))
    ok(nb03.ex2, (0.012, np.sqrt(50) / 1000))  # the shortcut: only the changed images carry noise
    assert "not in percent" in bad(nb03.ex2, (1.2, 0.71))
    assert "count of images" in bad(nb03.ex2, (12, 0.007))
    assert "only half the story" in bad(nb03.ex2, (0.031, 0.007))
    assert "spread of one image" in bad(nb03.ex2, (0.012, scores.std(ddof=1)))
    assert "not by the number itself" in bad(nb03.ex2, (0.012, scores.std(ddof=1) / 1000))
    assert "unpaired kind" in bad(nb03.ex2, (0.012, np.sqrt(0.6 * 0.4 / 1000)))
    assert "a pair (gain, standard error)" in bad(nb03.ex2, 0.012)


def test_nb03_ex3_label_smoothing():
    ok(nb03.ex3, 0.91)
    assert "spread over all 10 classes" in bad(nb03.ex3, 0.9)
    assert "*wrong* class" in bad(nb03.ex3, 0.01)
