"""Notebook 03's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers.evaluate import Evaluation
from helpers.exercises import ____, nb03
from exercise_checks import bad, evaluation_from, ok


CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def test_nb03():
    ok(nb03.ex1, keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1)]))
    ok(nb03.ex1, [layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1), layers.RandomZoom(0.1)])
    assert "upside down" in bad(nb03.ex1, [layers.RandomFlip("horizontal_and_vertical"), layers.RandomTranslation(0.1, 0.1)])
    assert "180 degrees" in bad(nb03.ex1, [layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1), layers.RandomRotation(0.5)])
    assert "RandomTranslation" in bad(nb03.ex1, [layers.RandomFlip("horizontal")])
    assert "rescales" in bad(nb03.ex1, [layers.Rescaling(1 / 255), layers.RandomFlip("horizontal")])

    evaluation = evaluation_from([(3, 3, 50), (5, 5, 40), (3, 5, 12), (5, 3, 7), (1, 9, 4)], CIFAR)
    ok(nb03.ex2, ("cat", "dog"), evaluation)
    ok(nb03.ex2, (3, 5), evaluation)
    assert "other way round" in bad(nb03.ex2, ("dog", "cat"), evaluation)
    assert "is on the diagonal" in bad(nb03.ex2, ("cat", "cat"), evaluation)  # "diagonal" alone: every wrong pair's message has it
    assert "4 times" in bad(nb03.ex2, ("automobile", "truck"), evaluation)

    ok(nb03.ex3, 0.91)
    assert "spread over all 10 classes" in bad(nb03.ex3, 0.9)
    assert "*wrong* class" in bad(nb03.ex3, 0.01)
