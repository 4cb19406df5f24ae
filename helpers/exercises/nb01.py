"""Exercises of ``01_keras_fundamentals.ipynb``: build to a parameter budget, go Functional, read a history."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong

__all__ = ["ex1", "ex2", "ex3", "history_dict"]

TARGET_PARAMS = 50_890  # 784 -> 64 -> 10


def _model_problem(model: Any, input_shape: tuple[int, ...]) -> str | None:
    """What stops ``model`` from being checked (not a model, not built, wrong input), or ``None``."""
    import keras

    if not isinstance(model, keras.Model):
        return f"give the model itself (a keras.Model), not a {type(model).__name__}."
    try:
        model.count_params()
        shape = tuple(model.input_shape[1:])
    except (ValueError, AttributeError):
        return "the model is not built yet: start its list of layers with keras.Input(shape=(28, 28)), so Keras knows the input size."
    if shape != input_shape:
        extra = " Keep Flatten inside the model, so it takes 28x28 images." if shape == (784,) else ""
        return f"the model takes inputs of shape {shape}, not one {input_shape[0]}x{input_shape[1]} digit: use keras.Input(shape={input_shape}).{extra}"
    return None


def _activation(layer: Any) -> str:
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", str(activation))


def _dense_layers(model: Any) -> list:
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


# ---------------------------------------------------------------- ex1: a Sequential model with 50,890 parameters


def _check_budget(model: Any) -> Feedback:
    import keras

    problem = _model_problem(model, (28, 28))
    if problem:
        return wrong(problem)
    dense = _dense_layers(model)
    if not dense or model.output_shape[-1] != 10 or _activation(dense[-1]) != "softmax":
        return wrong("the last layer must give one probability per digit: layers.Dense(10, activation=\"softmax\").")
    hidden = dense[:-1]
    if not hidden:
        return wrong(f"your model goes from Flatten straight to the output ({model.count_params():,} parameters); "
                     "the task asks for one hidden Dense layer with ReLU in between.")
    if len(hidden) != 1:
        return wrong(f"the task asks for exactly one hidden Dense layer between Flatten and the output; yours has {len(hidden)}.")
    units, params = hidden[0].units, model.count_params()
    if params != TARGET_PARAMS:
        side = "wide" if params > TARGET_PARAMS else "narrow"
        return wrong(
            f"your model has {params:,} parameters; the target is {TARGET_PARAMS:,}: the hidden Dense layer ({units} units) "
            f"is too {side}. A 784 -> h -> 10 network has 784*h + h + 10*h + 10 = 795*h + 10 parameters: solve for h."
        )
    if _activation(hidden[0]) != "relu":
        return wrong(f"the parameter count is right, but the hidden layer's activation is {_activation(hidden[0])!r}: "
                     "use \"relu\" (without one, two Dense layers compute no more than one).")
    if not any(isinstance(layer, keras.layers.Rescaling) for layer in model.layers):
        return wrong("the parameter count is right; now put layers.Rescaling(1 / 255) first, so the model takes raw 0-255 pixels.")
    if not isinstance(model, keras.Sequential):
        return correct(f"{TARGET_PARAMS:,} parameters with a 64-unit hidden layer (the task asked for Sequential, but this works as well).")
    return correct("64 hidden units: 784*64 + 64 = 50,240 parameters, plus 64*10 + 10 = 650 for the output.")


ex1 = Exercise(
    "ex1",
    "a keras.Sequential model (Rescaling, Flatten, one hidden Dense layer, Dense(10) softmax)",
    _check_budget,
    hint="Only the Dense layers have parameters: a Dense(h) after Flatten has 784*h weights and h biases; "
    "the output layer has h*10 weights and 10 biases. Try a few h and print model.count_params().",
    solution='''
answer = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Rescaling(1 / 255),
    layers.Flatten(),
    layers.Dense(64, activation="relu"),  # 795 * 64 + 10 = 50,890
    layers.Dense(10, activation="softmax"),
])''',
)


# ---------------------------------------------------------------- ex2: the Functional version of a Sequential model

_EXPECTED = (("Rescaling", None, None), ("Flatten", None, None), ("Dense", 32, "relu"), ("Dense", 10, "softmax"))


def _check_functional(model: Any) -> Feedback:
    import keras

    if isinstance(model, keras.Sequential):
        return wrong("this is still a keras.Sequential model: start from inputs = keras.Input(shape=(28, 28)), "
                     "call each layer on the previous tensor, and finish with keras.Model(inputs, outputs).")
    if isinstance(model, keras.Model) and type(model).__name__ != "Functional":
        return wrong(f"this is a subclassed model ({type(model).__name__}); the task asks for the Functional API: keras.Model(inputs, outputs).")
    problem = _model_problem(model, (28, 28))
    if problem:
        return wrong(problem)
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    for position, (layer, (kind, units, activation)) in enumerate(zip(layers, _EXPECTED), start=1):
        if type(layer).__name__ != kind:
            return wrong(f"layer {position} after the input is {type(layer).__name__}; in the Sequential model it is {kind}.")
        if units is not None and layer.units != units:
            return wrong(f"layer {position} is Dense({layer.units}); in the Sequential model it is Dense({units}).")
        if activation is not None and _activation(layer) != activation:
            return wrong(f"layer {position}, Dense({units}), has activation {_activation(layer)!r}; it should be {activation!r}.")
    if len(layers) != len(_EXPECTED):
        return wrong(f"your model has {len(layers)} layers after the input; the Sequential model has {len(_EXPECTED)}.")
    return correct(f"the same {model.count_params():,} parameters and the same computation, written as a graph of layers.")


ex2 = Exercise(
    "ex2",
    "a Functional keras.Model (keras.Model(inputs, outputs)) equal to the Sequential model above",
    _check_functional,
    hint="inputs = keras.Input(shape=(28, 28)); x = layers.Rescaling(1 / 255)(inputs); ... each layer is called on the "
    "previous tensor; the model is keras.Model(inputs, outputs). Section 4 builds one.",
    solution='''
inputs = keras.Input(shape=(28, 28))
x = layers.Rescaling(1 / 255)(inputs)
x = layers.Flatten()(x)
x = layers.Dense(32, activation="relu")(x)
outputs = layers.Dense(10, activation="softmax")(x)
answer = keras.Model(inputs, outputs)''',
)


# ---------------------------------------------------------------- ex3: where overfitting starts


def history_dict(history: Any) -> dict[str, list[float]]:
    """The curves of a ``History`` (``history.history``) or of a dict of them, checked to hold the validation loss."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or "val_loss" not in logs:
        raise ValueError("pass the History that fit returned (or its .history dict), from a fit with validation data")
    return {key: [float(v) for v in values] for key, values in logs.items()}


def _check_overfit_epoch(answer: Any, history: Any) -> Feedback:
    logs = history_dict(history)
    epoch = as_int(answer, "the epoch")
    val_loss = np.asarray(logs["val_loss"])
    epochs = len(val_loss)
    best = int(np.argmin(val_loss)) + 1  # Keras counts epochs from 1
    if epoch == best:
        if best == epochs:
            return correct(f"epoch {best}, the last one: the validation loss was still falling, so this run stopped before overfitting began.")
        return correct(f"the validation loss is lowest at epoch {best} ({val_loss[best - 1]:.4f}) and never lower after it: "
                       "from there on the model gets better at its own images only.")
    if not 1 <= epoch <= epochs:
        return wrong(f"this run has epochs 1 to {epochs} (Keras counts from 1); {epoch} is not one of them.")
    if epoch == best - 1:
        return wrong(f"off by one: history lists start at index 0, but Keras numbers epochs from 1. Index {epoch} is epoch {epoch + 1}.")
    if "val_accuracy" in logs and epoch == int(np.argmax(logs["val_accuracy"])) + 1:
        return wrong(f"epoch {epoch} has the best validation *accuracy*; the accuracy moves in coarse steps and later than the loss. "
                     "Find the epoch with the lowest validation loss.")
    if "loss" in logs and epoch == int(np.argmin(logs["loss"])) + 1:
        return wrong(f"epoch {epoch} has the lowest *training* loss, which keeps falling while the model memorises; look at val_loss.")
    if epoch < best:
        return wrong(f"at epoch {epoch} the validation loss was {val_loss[epoch - 1]:.4f} and it still fell afterwards, "
                     f"to {val_loss[best - 1]:.4f}: the model was still learning. Find where val_loss is smallest.")
    return wrong(f"at epoch {epoch} the validation loss ({val_loss[epoch - 1]:.4f}) was already above its lowest value "
                 f"({val_loss[best - 1]:.4f}): overfitting had begun earlier. Find where val_loss is smallest.")


ex3 = Exercise(
    "ex3",
    "an epoch number (counted from 1, as Keras prints it)",
    _check_overfit_epoch,
    hint="history.history['val_loss'] lists one value per epoch, the first at index 0. np.argmin gives the index of the smallest.",
    solution='answer = int(np.argmin(overfit_history.history["val_loss"])) + 1  # index 0 is epoch 1\nprint(answer)',
)
