"""Exercises of ``03_cifar10_cnn.ipynb``: augmentation that keeps labels true, the confusion matrix, label smoothing."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import ____, Exercise, Feedback, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3"]


# ---------------------------------------------------------------- ex1: augmentation that keeps CIFAR-10 labels valid


def _flatten_layers(answer: Any) -> list:
    """The layers of a Sequential, a list of layers or a single layer, nested Sequentials opened."""
    import keras

    if isinstance(answer, keras.Sequential):
        items = list(answer.layers)
    elif isinstance(answer, (list, tuple)):
        items = list(answer)
    else:
        items = [answer]
    found = []
    for item in items:
        if isinstance(item, keras.Sequential):
            found += _flatten_layers(item)
        elif isinstance(item, keras.layers.Layer):
            found.append(item)
        else:
            raise TypeError(f"{item!r} is not a Keras layer")
    return found


def _largest(factor: Any) -> float:
    """The largest magnitude of a layer factor given as a number or a (low, high) pair."""
    values = factor if isinstance(factor, (tuple, list)) else [factor]
    return max(abs(float(v)) for v in values if v is not None) if values else 0.0


def _check_augmentation(answer: Any) -> Feedback:
    import keras

    layers = [layer for layer in _flatten_layers(answer) if not isinstance(layer, keras.layers.InputLayer)]
    kinds = [type(layer).__name__ for layer in layers]
    for layer, kind in zip(layers, kinds):
        config = layer.get_config()
        if kind == "RandomFlip" and config.get("mode") != "horizontal":
            return wrong(f"RandomFlip({config.get('mode')!r}) flips images upside down: a ship, a horse or a truck on its roof "
                         "never occurs in CIFAR-10, so the network would spend effort on photos that cannot exist. "
                         "Use RandomFlip(\"horizontal\").")
        if kind == "RandomRotation" and _largest(config.get("factor")) * 360 > 30:
            degrees = _largest(config.get("factor")) * 360
            return wrong(f"RandomRotation turns images by up to {degrees:.0f} degrees (the factor is a fraction of a full turn): "
                         "cars on their side and upside-down frogs. Leave rotation out, or keep it small (factor 0.05 = 18 degrees).")
        if kind in ("Rescaling", "Normalization"):
            return wrong(f"{kind} is not augmentation: the model's first layer already rescales, so pixels would be divided twice. "
                         "Keep only random layers here.")
        if kind == "RandomTranslation" and max(_largest(config.get("height_factor")), _largest(config.get("width_factor"))) > 0.3:
            return wrong("shifts of more than 30% of the image can push the object out of a 32x32 frame, leaving a photo of "
                         "background with the label 'cat'. Use up to 0.1 (about 3 pixels).")
    if "RandomFlip" not in kinds:
        return wrong("the task asks for left-right mirroring: add layers.RandomFlip(\"horizontal\").")
    if "RandomTranslation" not in kinds:
        return wrong("the task asks for shifts: add layers.RandomTranslation(0.1, 0.1).")
    return correct("a mirrored cat is still a cat and a slightly shifted truck still a truck; an upside-down ship is not a photo "
                   "CIFAR-10 contains. (For digits even the left-right flip would be wrong: a mirrored 3 is no digit.)")


ex1 = Exercise(
    "ex1",
    "a keras.Sequential of augmentation layers (or a list of layers)",
    _check_augmentation,
    hint="Ask of each transformation: could the test set contain a photo like the result? Mirror images: yes. "
    "Upside-down photos: no. models.cifar_augmentation() is one answer; write your own.",
    solution='''
answer = keras.Sequential([
    keras.layers.RandomFlip("horizontal"),            # not "vertical": no upside-down ships in CIFAR-10
    keras.layers.RandomTranslation(0.1, 0.1, fill_mode="reflect"),
])''',
)


# ---------------------------------------------------------------- ex2: the most-confused pair


def _class_index(value: Any, names: list[str]) -> int:
    if isinstance(value, (int, np.integer)) and 0 <= int(value) < len(names):
        return int(value)
    if isinstance(value, str) and value in names:
        return names.index(value)
    raise ValueError(f"{value!r} is not one of the classes {names}")


def _check_confused(answer: Any, evaluation: Any) -> Feedback:
    names = [str(name) for name in evaluation.class_names]
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return wrong("give a pair (true class, predicted class), for example (\"dog\", \"cat\").")
    true, predicted = (_class_index(value, names) for value in answer)
    matrix = np.asarray(evaluation.confusion())
    if true == predicted:
        return wrong(f"({names[true]}, {names[predicted]}) is on the diagonal: those {matrix[true, true]} images were right. "
                     "Set the diagonal to 0 (np.fill_diagonal) before looking for the largest count.")
    mistakes = matrix.copy()
    np.fill_diagonal(mistakes, 0)
    most = int(mistakes.max())
    if mistakes[true, predicted] == most:
        return correct(f"{most} real {names[true]} images were called {names[predicted]}: row = true class, column = prediction.")
    if mistakes[predicted, true] == most:
        return wrong(f"that is the other way round: rows are the true classes and columns the predictions, so the most frequent "
                     f"mistake is a real {names[predicted]} called {names[true]} ({most} times), not a real {names[true]} called "
                     f"{names[predicted]} ({mistakes[true, predicted]} times).")
    return wrong(f"the model took a real {names[true]} for a {names[predicted]} {mistakes[true, predicted]} times; "
                 f"another pair is confused {most} times. Zero the diagonal and find the largest cell (np.unravel_index).")


ex2 = Exercise(
    "ex2",
    "a (true class, predicted class) pair of class names",
    _check_confused,
    hint="m = tta_eval.confusion() has one row per true class and one column per prediction. After np.fill_diagonal(m, 0), "
    "np.unravel_index(m.argmax(), m.shape) gives the row and column of the largest mistake.",
    solution='''
matrix = tta_eval.confusion().copy()
np.fill_diagonal(matrix, 0)                       # the diagonal counts correct answers
true, predicted = np.unravel_index(matrix.argmax(), matrix.shape)
answer = (class_names[true], class_names[predicted])
print(answer, matrix[true, predicted], "times")''',
)


# ---------------------------------------------------------------- ex3: the target of label smoothing


def _check_smoothing(answer: Any) -> Feedback:
    value = float(answer)
    if abs(value - 0.91) < 5e-4:
        return correct("label smoothing mixes the one-hot target with the uniform one: 0.9 * 1 + 0.1 / 10 = 0.91 for the true class, "
                       "0.01 for each of the nine others.")
    if abs(value - 0.9) < 5e-4:
        return wrong("0.9 forgets that the 0.1 taken away is spread over all 10 classes, the true one included: it gets 0.1 / 10 back.")
    if abs(value - 0.01) < 5e-4:
        return wrong("0.01 is the target of each *wrong* class; the question asks about the true class.")
    if abs(value - 0.1) < 5e-4:
        return wrong("0.1 is the smoothing amount itself; the target of the true class is what is left of 1 after smoothing.")
    if value > 1 or value < 0:
        return wrong(f"{value:g} is not a probability; a target lies between 0 and 1.")
    return wrong(f"{value:g} is not it: the smoothed target is (1 - 0.1) * one_hot + 0.1 / number_of_classes.")


ex3 = Exercise(
    "ex3",
    "a number: the target probability of the true class with label_smoothing=0.1 and 10 classes",
    _check_smoothing,
    hint="Keras computes y * (1 - smoothing) + smoothing / classes for every class of a one-hot label y.",
    solution='''
answer = 1 * (1 - 0.1) + 0.1 / 10
print(answer)''',
    answer=0.91,
)
