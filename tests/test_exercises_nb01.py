"""Notebook 01's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_checks import bad, ok
from keras import layers

from helpers.exercises import nb01


def mlp(hidden: int, activation: str = "relu", rescale: bool = True) -> keras.Model:
    steps = [keras.Input(shape=(28, 28))] + ([layers.Rescaling(1 / 255)] if rescale else [])
    return keras.Sequential(steps + [layers.Flatten(), layers.Dense(hidden, activation=activation), layers.Dense(10, activation="softmax")])


def test_nb01_parameter_budget():
    ok(nb01.ex1, mlp(64))
    message = bad(nb01.ex1, mlp(128))
    assert "101,770 parameters; the target is 50,890" in message and "too wide" in message
    assert "too narrow" in bad(nb01.ex1, mlp(16))
    assert "relu" in bad(nb01.ex1, mlp(64, activation="sigmoid"))
    assert "Rescaling" in bad(nb01.ex1, mlp(64, rescale=False))
    unbuilt = keras.Sequential([layers.Flatten(), layers.Dense(64), layers.Dense(10, activation="softmax")])
    assert "keras.Input(shape=(28, 28))" in bad(nb01.ex1, unbuilt)


def test_nb01_functional():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(layers.Rescaling(1 / 255)(inputs))
    hidden = layers.Dense(32, activation="relu")(x)
    ok(nb01.ex2, keras.Model(inputs, layers.Dense(10, activation="softmax")(hidden)))
    assert "still a keras.Sequential" in bad(nb01.ex2, mlp(32))
    wide = layers.Dense(64, activation="relu")(x)
    assert "Dense(64)" in bad(nb01.ex2, keras.Model(inputs, layers.Dense(10, activation="softmax")(wide)))


def test_nb01_overfitting_epoch():
    history = {"loss": [0.9, 0.5, 0.3, 0.2, 0.1], "val_loss": [0.8, 0.6, 0.55, 0.6, 0.7],
               "accuracy": [0.7, 0.8, 0.9, 0.95, 0.97], "val_accuracy": [0.70, 0.75, 0.78, 0.80, 0.79]}
    ok(nb01.ex3, 3, history)
    assert "off by one" in bad(nb01.ex3, 2, history)
    assert "validation *accuracy*" in bad(nb01.ex3, 4, history)
    assert "*training* loss" in bad(nb01.ex3, 5, history)
    assert "still falling" in ok(nb01.ex3, 3, {"val_loss": [0.9, 0.8, 0.7]})
    assert "History" in bad(nb01.ex3, 3, {"loss": [1.0]})
