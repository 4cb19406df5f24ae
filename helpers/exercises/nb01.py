"""Exercises of ``01_keras_fundamentals.ipynb``: build to a parameter budget, go Functional, read a history."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3", "history_dict"]

TARGET_PARAMS = 50_890  # 784 -> 64 -> 10


def _model_problem(model: Any, input_shape: tuple[int, ...]) -> str | None:
    """What stops ``model`` from being checked (not a model, not built, wrong input), or ``None``."""
    import keras

    if not isinstance(model, keras.Model):
        return _("give the model itself (a keras.Model), not a {kind}.").format(kind=type(model).__name__)
    try:
        model.count_params()
        shape = tuple(model.input_shape[1:])
    except (ValueError, AttributeError):
        return _("the model is not built yet: start its list of layers with keras.Input(shape=(28, 28)), so Keras knows the "
                 "input size.")
    if shape != input_shape:
        if shape == (784,):
            message = _("the model takes inputs of shape {shape}, not one {height}x{width} digit: use keras.Input(shape={input_shape}). "
                        "Keep Flatten inside the model, so it takes 28x28 images.")
        else:
            message = _("the model takes inputs of shape {shape}, not one {height}x{width} digit: use keras.Input(shape={input_shape}).")
        return message.format(shape=shape, height=input_shape[0], width=input_shape[1], input_shape=input_shape)
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
        return wrong(_("the last layer must give one probability per digit: layers.Dense(10, activation=\"softmax\")."))
    hidden = dense[:-1]
    if not hidden:
        return wrong(_("your model goes from Flatten straight to the output ({params:,} parameters); "
                       "the task asks for one hidden Dense layer with ReLU in between.").format(params=model.count_params()))
    if len(hidden) != 1:
        return wrong(_("the task asks for exactly one hidden Dense layer between Flatten and the output; yours has "
                       "{count}.").format(count=len(hidden)))
    units, params = hidden[0].units, model.count_params()
    if params != TARGET_PARAMS:
        if params > TARGET_PARAMS:
            message = _("your model has {params:,} parameters; the target is {target:,}: the hidden Dense layer ({units} units) "
                        "is too wide. A 784 -> h -> 10 network has 784*h + h + 10*h + 10 = 795*h + 10 parameters: solve for h.")
        else:
            message = _("your model has {params:,} parameters; the target is {target:,}: the hidden Dense layer ({units} units) "
                        "is too narrow. A 784 -> h -> 10 network has 784*h + h + 10*h + 10 = 795*h + 10 parameters: solve for h.")
        return wrong(message.format(params=params, target=TARGET_PARAMS, units=units))
    if _activation(hidden[0]) != "relu":
        return wrong(_("the parameter count is right, but the hidden layer's activation is {activation!r}: "
                       "use \"relu\" (without one, two Dense layers compute no more than one).").format(activation=_activation(hidden[0])))
    if not any(isinstance(layer, keras.layers.Rescaling) for layer in model.layers):
        return wrong(_("the parameter count is right; now put layers.Rescaling(1 / 255) first, so the model takes raw 0-255 "
                       "pixels."))
    if not isinstance(model, keras.Sequential):
        return correct(_("{target:,} parameters with a 64-unit hidden layer (the task asked for Sequential, but this works as "
                         "well).").format(target=TARGET_PARAMS))
    return correct(_("64 hidden units: 784*64 + 64 = 50,240 parameters, plus 64*10 + 10 = 650 for the output."))


ex1 = Exercise(
    "ex1",
    N_("a keras.Sequential model (Rescaling, Flatten, one hidden Dense layer, Dense(10) softmax)"),
    _check_budget,
    hint=N_("Only the Dense layers have parameters: a Dense(h) after Flatten has 784*h weights and h biases; "
            "the output layer has h*10 weights and 10 biases. Try a few h and print model.count_params()."),
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
        return wrong(_("this is still a keras.Sequential model: start from inputs = keras.Input(shape=(28, 28)), "
                       "call each layer on the previous tensor, and finish with keras.Model(inputs, outputs)."))
    if isinstance(model, keras.Model) and type(model).__name__ != "Functional":
        return wrong(_("this is a subclassed model ({kind}); the task asks for the Functional API: keras.Model(inputs, "
                       "outputs).").format(kind=type(model).__name__))
    problem = _model_problem(model, (28, 28))
    if problem:
        return wrong(problem)
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    for position, (layer, (kind, units, activation)) in enumerate(zip(layers, _EXPECTED), start=1):
        if type(layer).__name__ != kind:
            return wrong(_("layer {position} after the input is {found}; in the Sequential model it is {kind}.").format(
                position=position, found=type(layer).__name__, kind=kind))
        if units is not None and layer.units != units:
            return wrong(_("layer {position} is Dense({found}); in the Sequential model it is Dense({units}).").format(
                position=position, found=layer.units, units=units))
        if activation is not None and _activation(layer) != activation:
            return wrong(_("layer {position}, Dense({units}), has activation {found!r}; it should be {activation!r}.").format(
                position=position, units=units, found=_activation(layer), activation=activation))
    if len(layers) != len(_EXPECTED):
        return wrong(_("your model has {count} layers after the input; the Sequential model has {expected}.").format(
            count=len(layers), expected=len(_EXPECTED)))
    return correct(_("the same {params:,} parameters and the same computation, written as a graph of layers.").format(
        params=model.count_params()))


ex2 = Exercise(
    "ex2",
    N_("a Functional keras.Model (keras.Model(inputs, outputs)) equal to the Sequential model above"),
    _check_functional,
    hint=N_("inputs = keras.Input(shape=(28, 28)); x = layers.Rescaling(1 / 255)(inputs); ... each layer is called on the "
            "previous tensor; the model is keras.Model(inputs, outputs). Section 4 builds one."),
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
        raise ValueError(_("pass the History that fit returned (or its .history dict), from a fit with validation data"))
    return {key: [float(v) for v in values] for key, values in logs.items()}


def _check_overfit_epoch(answer: Any, history: Any) -> Feedback:
    logs = history_dict(history)
    epoch = as_int(answer, _("the epoch"))
    val_loss = np.asarray(logs["val_loss"])
    epochs = len(val_loss)
    best = int(np.argmin(val_loss)) + 1  # Keras counts epochs from 1
    if epoch == best:
        if best == epochs:
            return correct(_("epoch {best}, the last one: the validation loss was still falling, so this run stopped before "
                             "overfitting began.").format(best=best))
        return correct(_("the validation loss is lowest at epoch {best} ({lowest:.4f}) and never lower after it: "
                         "from there on the model gets better at its own images only.").format(best=best, lowest=val_loss[best - 1]))
    if not 1 <= epoch <= epochs:
        return wrong(_("this run has epochs 1 to {epochs} (Keras counts from 1); {epoch} is not one of them.").format(
            epochs=epochs, epoch=epoch))
    if epoch == best - 1:
        return wrong(_("off by one: history lists start at index 0, but Keras numbers epochs from 1. Index {index} is epoch "
                       "{epoch}.").format(index=epoch, epoch=epoch + 1))
    if "val_accuracy" in logs and epoch == int(np.argmax(logs["val_accuracy"])) + 1:
        return wrong(_("epoch {epoch} has the best validation *accuracy*; the accuracy moves in coarse steps and later than the "
                       "loss. Find the epoch with the lowest validation loss.").format(epoch=epoch))
    if "loss" in logs and epoch == int(np.argmin(logs["loss"])) + 1:
        return wrong(_("epoch {epoch} has the lowest *training* loss, which keeps falling while the model memorises; look at "
                       "val_loss.").format(epoch=epoch))
    if epoch < best:
        return wrong(_("at epoch {epoch} the validation loss was {loss:.4f} and it still fell afterwards, "
                       "to {lowest:.4f}: the model was still learning. Find where val_loss is smallest.").format(
            epoch=epoch, loss=val_loss[epoch - 1], lowest=val_loss[best - 1]))
    return wrong(_("at epoch {epoch} the validation loss ({loss:.4f}) was already above its lowest value "
                   "({lowest:.4f}): overfitting had begun earlier. Find where val_loss is smallest.").format(
        epoch=epoch, loss=val_loss[epoch - 1], lowest=val_loss[best - 1]))


ex3 = Exercise(
    "ex3",
    N_("an epoch number (counted from 1, as Keras prints it)"),
    _check_overfit_epoch,
    hint=N_("history.history['val_loss'] lists one value per epoch, the first at index 0. np.argmin gives the index of the "
            "smallest."),
    solution=N_('answer = int(np.argmin(overfit_history.history["val_loss"])) + 1  # index 0 is epoch 1\nprint(answer)'),
)
