"""Exercises of ``06_transfer_learning.ipynb``: what fit changes (trainable against training=False), unfreezing the top for fine-tuning, ResNet50's preprocess_input."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import ____, Exercise, Feedback, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3", "TOP_LAYERS", "SIZE", "WEIGHT_NAMES", "EX1_CODE"]

#: The image size of the exercises' small bases (quick to build).
SIZE = 96
#: How many layers, counted from the top of the base, ex2 asks to unfreeze.
TOP_LAYERS = 20


def _nested_base(model: Any) -> Any:
    """The base inside a classifier: its nested model with the most weights, or ``None``."""
    import keras

    nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    return max(nested, key=lambda layer: len(layer.weights)) if nested else None


# ---------------------------------------------------------------- ex1: what fit changes, trainable against training=False

#: The weights of ex1's inner model: a frozen Dense layer (kernel, bias) and a trainable BatchNormalization.
WEIGHT_NAMES = ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance")
#: What fit changes in ex1's inner model with Keras 3 (checked by tests/test_exercises_nb06.py by running it):
#: gradients move the trainable gamma and beta, and fit's training=True reaches the nested batch norm even
#: though the outer model calls it with training=False, so its moving statistics follow the batches.
CHANGED_BY_FIT = frozenset({"gamma", "beta", "moving_mean", "moving_variance"})

#: The model of ex1, as the notebook shows it (tests run it).
EX1_CODE = """\
inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization()])
inner.layers[0].trainable = False                      # the Dense layer
inputs = keras.Input((3,))
outputs = keras.layers.Dense(1)(inner(inputs, training=False))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=1)                              # x: (64, 3) numbers around 5, y: (64, 1)"""


def _check_changed(answer: Any) -> Feedback:
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)):
        return wrong("give a set of weight names, for example {\"kernel\", \"gamma\"} (set() if fit changes none).")
    names = {str(name) for name in answer}
    unknown = sorted(names - set(WEIGHT_NAMES))
    if unknown:
        return wrong(f"{', '.join(unknown)}: the inner model's weights are named {', '.join(WEIGHT_NAMES)} "
                     "(print([w.path for w in inner.weights]) shows them).")
    if names & {"kernel", "bias"}:
        return wrong("the Dense layer has trainable = False: its kernel and bias become non-trainable weights, and the "
                     "optimizer only changes trainable ones.")
    if not {"gamma", "beta"} <= names:
        return wrong("the BatchNormalization layer is trainable: gamma and beta are in inner.trainable_weights, so the "
                     "optimizer moves them at every step (training=False does not freeze weights).")
    if not {"moving_mean", "moving_variance"} <= names:
        return wrong("in Keras 3, training=False on the call does not protect a trainable batch-norm layer: fit calls the "
                     "model with training=True, that reaches the nested layer, and its moving mean and variance follow "
                     "each batch. Only trainable = False puts batch norm in inference mode.")
    return correct("gradients move gamma and beta; fit's training=True reaches the nested batch norm, so its moving mean "
                   "and variance follow the batches; the frozen Dense layer keeps its kernel and bias. To keep all six, "
                   "set inner.trainable = False (or the batch-norm layer's).")


ex1 = Exercise(
    "ex1",
    "a set of names, the inner model's weights that fit changes",
    _check_changed,
    hint="Ask two questions of each weight: is it in inner.trainable_weights (then the optimizer moves it)? Is it a "
    "batch-norm statistic that a trainable batch-norm layer updates whenever it runs with training=True (and does "
    "fit's training=True reach a model called with training=False)? The cells on one small layer answer both.",
    solution="""
# The Dense layer is frozen: kernel and bias stay. Batch norm is trainable: the optimizer moves gamma and beta,
# and fit's training=True reaches it despite training=False, so its moving mean and variance follow the batches.
answer = {"gamma", "beta", "moving_mean", "moving_variance"}""",
)


# ---------------------------------------------------------------- ex2: only the top layers learn


def _check_unfrozen(answer: Any) -> Feedback:
    import keras

    if not isinstance(answer, keras.Model):
        return wrong(f"give the base model (keras.applications.MobileNetV2(...)), not a {type(answer).__name__}.")
    base = _nested_base(answer) if any(isinstance(layer, keras.Model) for layer in answer.layers) else answer
    if not base.trainable:
        return wrong("base.trainable is False, so none of its layers can learn, whatever each layer says: set base.trainable = True "
                     "first, then freeze the lower layers.")
    split = len(base.layers) - TOP_LAYERS
    learning = []
    for index, layer in enumerate(base.layers):
        if not layer.weights:
            continue  # ReLU, Add, padding, the input: nothing to train
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        if layer.trainable and is_bn:
            return wrong(f"{layer.name} is a batch-norm layer and trainable: keep batch norm frozen when fine-tuning "
                         "(layer.trainable = False), so its ImageNet statistics and scales stay as they are.")
        if layer.trainable and index < split:
            return wrong(f"{layer.name} is trainable, but it is not among the top {TOP_LAYERS} layers of the base "
                         f"(base.layers[-{TOP_LAYERS}:]): freeze it.")
        if not layer.trainable and index >= split and not is_bn:
            return wrong(f"{layer.name} is among the top {TOP_LAYERS} layers but frozen: make it trainable.")
        if layer.trainable:
            learning.append(layer.name)
    if not learning:
        return wrong(f"no layer with weights will learn: the top {TOP_LAYERS} layers (base.layers[-{TOP_LAYERS}:]) should.")
    return correct(f"{len(learning)} layers will learn, from {learning[0]} up to {learning[-1]}; the layers below and every "
                   "batch-norm layer stay as pretrained. Recompile (at a small learning rate) before fit, so the change counts.")


ex2 = Exercise(
    "ex2",
    f"the base with only its top {TOP_LAYERS} layers trainable, batch norm excepted",
    _check_unfrozen,
    hint=f"base.trainable = True, then: for layer in base.layers[:-{TOP_LAYERS}]: layer.trainable = False, and one more loop "
    "that sets trainable = False on every keras.layers.BatchNormalization. [layer.name for layer in base.layers] shows the order.",
    solution=f'''
fresh = keras.applications.MobileNetV2(input_shape=({SIZE}, {SIZE}, 3), alpha=0.35, include_top=False, weights=None)
fresh.trainable = True
for layer in fresh.layers[:-{TOP_LAYERS}]:
    layer.trainable = False
for layer in fresh.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
print([layer.name for layer in fresh.layers if layer.trainable and layer.weights])
answer = fresh''',
)


# ---------------------------------------------------------------- ex3: preprocess_input for ResNet50

_PROBE = np.array([[[[0.0, 127.5, 255.0], [255.0, 0.0, 64.0]]]], dtype="float32")  # two pixels, RGB
_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype="float32")


def _apply(function: Any) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(function(_PROBE.copy())), dtype="float64")


def _check_preprocess(answer: Any) -> Feedback:
    import keras

    if isinstance(answer, str) or not callable(answer):
        return wrong("give the function itself, for example keras.applications.vgg16.preprocess_input (no brackets: not called).")
    got = _apply(answer)
    if got.shape != _PROBE.shape:
        return wrong(f"your function turned a batch of shape {_PROBE.shape} into shape {got.shape}; preprocessing keeps the shape.")
    if np.allclose(got, _apply(keras.applications.resnet50.preprocess_input), atol=1e-3):
        return correct("ResNet50 was trained on BGR pixels minus the ImageNet mean ('caffe' mode), like VGG16; "
                       "put it inside the model, as mobilenet_v2.preprocess_input was above.")
    x = _PROBE.astype("float64")
    if np.allclose(got, x / 127.5 - 1, atol=1e-3):
        return wrong("your function scales pixels to [-1, 1] ('tf' mode: MobileNetV2, InceptionV3, Xception); ResNet50 expects "
                     "BGR channels minus the ImageNet mean: keras.applications.resnet50.preprocess_input.")
    if np.allclose(got, x / 255, atol=1e-3):
        return wrong("your function scales pixels to [0, 1], which no keras.applications base expects; ResNet50 wants BGR minus the "
                     "ImageNet mean.")
    if np.allclose(got, x, atol=1e-3):
        return wrong("your function leaves pixels unchanged (EfficientNet's preprocess_input does that, as it rescales by itself); "
                     "ResNet50 has no such layer and wants BGR minus the ImageNet mean.")
    if np.allclose(got, x - _MEAN_BGR[::-1], atol=1e-3):
        return wrong("the mean is subtracted, but the channels are still in RGB order; ResNet50 wants BGR (its 'caffe' weights).")
    return wrong(f"your function maps pixels 0..255 to {got.min():.2f}..{got.max():.2f}, not what ResNet50 was trained on; "
                 "each base's own module has the matching preprocess_input.")


ex3 = Exercise(
    "ex3",
    "a function (not called), the preprocess_input ResNet50 needs",
    _check_preprocess,
    hint="Every base has a module in keras.applications (vgg16, resnet50, mobilenet_v2...) with its own preprocess_input; "
    "the table of the larger bases says what each does.",
    solution='''
answer = keras.applications.resnet50.preprocess_input
print(keras.ops.convert_to_numpy(answer(keras.ops.array([[[[0.0, 127.5, 255.0]]]]))))   # BGR, minus the ImageNet mean''',
)
