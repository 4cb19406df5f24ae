"""Ensemble members on the Keras side: predict with several, wrap an average as one model, count their arithmetic.

Introduced in ``07_ensembles.ipynb``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np


def predict_members(models: Sequence[Any], x: np.ndarray, batch_size: int = 512) -> tuple[np.ndarray, list[float]]:
    """Every model's probabilities on ``x``, stacked to (members, examples, classes), and each one's seconds.

    Each new model traces its own predict function, and after five of them TensorFlow's Python logger
    warns about "excessive retracing" (expected with an ensemble, and no use to a learner): the logger
    is held at ERROR during these calls and restored afterwards (:func:`helpers.profile.tensorflow_warnings_held`).
    """
    from helpers.profile import tensorflow_warnings_held

    outputs, seconds = [], []
    with tensorflow_warnings_held():
        for model in models:
            start = time.perf_counter()
            outputs.append(model.predict(x, batch_size=batch_size, verbose=0))
            seconds.append(time.perf_counter() - start)
    return np.stack(outputs), seconds


def average_model(models: Sequence[Any], name: str = "average_ensemble") -> Any:
    """One Keras model that runs every member on its input and averages their probabilities.

    It can be saved to a single ``.keras`` file and used like any model; the members keep their weights.
    """
    import keras

    inputs = keras.Input(shape=models[0].input_shape[1:])
    outputs = keras.layers.Average()([model(inputs) for model in models])
    return keras.Model(inputs, outputs, name=name)


def multiply_adds(model: Any) -> int:
    """Multiply-adds of one forward pass of ``model`` on one example: its arithmetic cost.

    Counts the layers that carry almost all of a small CNN's arithmetic: a ``Conv2D`` costs
    ``output height * output width * filters * kernel height * kernel width * input channels``,
    a ``Dense`` layer ``inputs * units``; pooling, rescaling, flips and activations are not counted.
    Models nested inside ``model`` (a member inside a team) are counted with their layers. A
    training step costs about three forward passes for any model, so ``multiply_adds(model) *
    images * epochs`` compares the training compute of two models, or of an ensemble (the sum over
    its members) and a single network, which the parameter count does not: a layer's parameters
    are paid once, its multiply-adds at every pixel.
    """
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += multiply_adds(layer)
        elif isinstance(layer, keras.layers.Conv2D):
            height, width, filters = layer.output.shape[1:]
            kernel_height, kernel_width = layer.kernel_size
            total += height * width * filters * kernel_height * kernel_width * layer.input.shape[-1]
        elif isinstance(layer, keras.layers.Dense):
            total += layer.input.shape[-1] * layer.units
    return int(total)
