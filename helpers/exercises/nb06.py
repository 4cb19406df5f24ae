"""Exercises of ``06_transfer_learning.ipynb``.

What fit changes (trainable against training=False), unfreezing the top for fine-tuning, a head
trained on features put back on its base.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import Exercise, Feedback, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3", "TOP_LAYERS", "SIZE", "WEIGHT_NAMES", "EX1_CODE", "EX3_CODE"]

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
        return wrong(_("give a set of weight names, for example {\"kernel\", \"gamma\"} (set() if fit changes none)."))
    names = {str(name) for name in answer}
    unknown = sorted(names - set(WEIGHT_NAMES))
    if unknown:
        return wrong(_("{unknown}: the inner model's weights are named {names} "
                       "(print([w.path for w in inner.weights]) shows them).").format(
            unknown=", ".join(unknown), names=", ".join(WEIGHT_NAMES)))
    if names & {"kernel", "bias"}:
        return wrong(_("the Dense layer has trainable = False: its kernel and bias become non-trainable weights, and the "
                       "optimizer only changes trainable ones."))
    if not {"gamma", "beta"} <= names:
        return wrong(_("the BatchNormalization layer is trainable: gamma and beta are in inner.trainable_weights, so the "
                       "optimizer moves them at every step (training=False does not freeze weights)."))
    if not {"moving_mean", "moving_variance"} <= names:
        return wrong(_("in Keras 3, training=False on the call does not protect a trainable batch-norm layer: fit calls the "
                       "model with training=True, that reaches the nested layer, and its moving mean and variance follow "
                       "each batch. Only trainable = False puts batch norm in inference mode."))
    return correct(_("gradients move gamma and beta; fit's training=True reaches the nested batch norm, so its moving mean "
                     "and variance follow the batches; the frozen Dense layer keeps its kernel and bias. To keep all six, "
                     "set inner.trainable = False (or the batch-norm layer's)."))


ex1 = Exercise(
    "ex1",
    N_("a set of names, the inner model's weights that fit changes"),
    _check_changed,
    hint=N_("Ask two questions of each weight: is it in inner.trainable_weights (then the optimizer moves it)? Is it a "
            "batch-norm statistic that a trainable batch-norm layer updates whenever it runs with training=True (and does "
            "fit's training=True reach a model called with training=False)? The cells on one small layer answer both."),
    solution=N_("""
# The Dense layer is frozen: kernel and bias stay. Batch norm is trainable: the optimizer moves gamma and beta,
# and fit's training=True reaches it despite training=False, so its moving mean and variance follow the batches.
answer = {"gamma", "beta", "moving_mean", "moving_variance"}"""),
)


# ---------------------------------------------------------------- ex2: only the top layers learn


def _check_unfrozen(answer: Any) -> Feedback:
    import keras

    if not isinstance(answer, keras.Model):
        return wrong(_("give the base model (keras.applications.MobileNetV2(...)), not a {kind}.").format(
            kind=type(answer).__name__))
    base = _nested_base(answer) if any(isinstance(layer, keras.Model) for layer in answer.layers) else answer
    if not base.trainable:
        return wrong(_("base.trainable is False, so none of its layers can learn, whatever each layer says: set "
                       "base.trainable = True first, then freeze the lower layers."))
    split = len(base.layers) - TOP_LAYERS
    learning = []
    for index, layer in enumerate(base.layers):
        if not layer.weights:
            continue  # ReLU, Add, padding, the input: nothing to train
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        if layer.trainable and is_bn:
            return wrong(_("{layer} is a batch-norm layer and trainable: keep batch norm frozen when fine-tuning "
                           "(layer.trainable = False), so its ImageNet statistics and scales stay as they are.").format(
                layer=layer.name))
        if layer.trainable and index < split:
            return wrong(_("{layer} is trainable, but it is not among the top {top} layers of the base "
                           "(base.layers[-{top}:]): freeze it.").format(layer=layer.name, top=TOP_LAYERS))
        if not layer.trainable and index >= split and not is_bn:
            return wrong(_("{layer} is among the top {top} layers but frozen: make it trainable.").format(
                layer=layer.name, top=TOP_LAYERS))
        if layer.trainable:
            learning.append(layer.name)
    if not learning:
        return wrong(_("no layer with weights will learn: the top {top} layers (base.layers[-{top}:]) should.").format(
            top=TOP_LAYERS))
    return correct(_("{count} layers will learn, from {first} up to {last}; the layers below and every batch-norm layer "
                     "stay as pretrained. Recompile (at a small learning rate) before fit, so the change counts.").format(
        count=len(learning), first=learning[0], last=learning[-1]))


ex2 = Exercise(
    "ex2",
    N_("the base with only its top 20 layers trainable, batch norm excepted"),  # 20: TOP_LAYERS (a test checks)
    _check_unfrozen,
    hint=N_("base.trainable = True, then: for layer in base.layers[:-20]: layer.trainable = False, and one more loop "
            "that sets trainable = False on every keras.layers.BatchNormalization. [layer.name for layer in base.layers] "
            "shows the order."),
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


# ---------------------------------------------------------------- ex3: a head trained on features, back on its base

#: ex3's head was trained on these features (the notebook's fast feature extraction), as the notebook shows them.
EX3_CODE = f"""\
small_base = keras.applications.MobileNetV2(input_shape=({SIZE}, {SIZE}, 3), alpha=0.35, include_top=False, weights=None)
small_base.trainable = False
small_head = keras.Sequential([keras.Input((1280,)), keras.layers.Dense(1, activation="sigmoid")])
# small_head was trained on the features small_base.predict(preprocess_input(photos)).mean(axis=(1, 2))"""


def _check_rejoined(answer: Any) -> Feedback:
    import keras

    if not isinstance(answer, keras.Model):
        return wrong(_("give one keras.Model that takes raw photos, not a {kind}.").format(kind=type(answer).__name__))
    if tuple(answer.input_shape[1:]) != (SIZE, SIZE, 3):
        return wrong(_("the model must take raw {size}x{size} photos, keras.Input(shape=({size}, {size}, 3)); it takes "
                       "{shape}.").format(size=SIZE, shape=answer.input_shape))
    nodes = [node for depth in getattr(answer, "_nodes_by_depth", {}).values() for node in depth]
    base = next((n for n in nodes if isinstance(n.operation, keras.Model) and len(n.operation.layers) > 50), None)
    head = next((n for n in nodes if isinstance(n.operation, keras.Model) and n is not base
                 and tuple(n.operation.input_shape[1:]) == (1280,)), None)
    if base is None:
        return wrong(_("the base is not inside the model: the features came out of small_base, so the photos must go through it (small_base(x))."))
    if head is None:
        return wrong(_("small_head is not inside the model: put it on top, small_head(x), rather than a new Dense layer (it holds what was learned)."))
    if head.output_tensors[0] is not answer.outputs[0]:
        return wrong(_("the model's output should be small_head's output, with nothing after it."))
    probe = np.random.default_rng(0).uniform(0, 255, (2, SIZE, SIZE, 3)).astype("float32")
    inner = keras.Model(answer.input, [base.input_tensors[0], head.input_tensors[0]])  # what reaches the base and the head
    to_base, to_head = (keras.ops.convert_to_numpy(t) for t in inner(probe, training=False))
    if np.allclose(to_base, probe, atol=1e-3):
        return wrong(_("the photos reach the base as raw 0-255 pixels, but the features were computed after preprocess_input "
                       "(pixels scaled to [-1, 1]): put keras.applications.mobilenet_v2.preprocess_input inside the model."))
    if np.allclose(to_base, probe / 255, atol=1e-4):
        return wrong(_("your model scales pixels to [0, 1]; the features were computed after mobilenet_v2.preprocess_input, "
                       "which scales them to [-1, 1]: use it instead of Rescaling(1/255)."))
    if not np.allclose(to_base, probe / 127.5 - 1, atol=1e-4):
        return wrong(_("the pixels that reach the base are not what preprocess_input makes of the photos (scaled to [-1, 1]), "
                       "and the features were computed from those: put preprocess_input, and nothing else, before small_base."))
    maps = keras.ops.convert_to_numpy(base.operation(to_base, training=False))
    if np.allclose(to_head, maps.max(axis=(1, 2)), rtol=1e-4, atol=0) and not np.allclose(to_head, maps.mean(axis=(1, 2)), rtol=1e-4, atol=0):
        return wrong(_("your model takes the maximum over the positions; the features were the mean (.mean(axis=(1, 2))): "
                       "GlobalAveragePooling2D, not GlobalMaxPooling2D."))
    if not np.allclose(to_head, maps.mean(axis=(1, 2)), rtol=1e-4, atol=0):
        return wrong(_("what reaches small_head is not the mean of the base's maps over the positions, the features it was "
                       "trained on: put GlobalAveragePooling2D (what .mean(axis=(1, 2)) computes), and nothing else, between them."))
    return correct(_("raw photos in, preprocess_input, the base, the mean over its positions (GlobalAveragePooling2D), then the "
                     "head: the path the features took, so the head sees what it was trained on. Saved, it labels new photos "
                     "without anyone computing features first."))


ex3 = Exercise(
    "ex3",
    N_("one keras.Model for raw photos: small_base and small_head put together"),
    _check_rejoined,
    hint=N_("Follow the path the features took, as layers: keras.Input for raw photos, mobilenet_v2.preprocess_input, "
            "small_base, then what .mean(axis=(1, 2)) does as a layer, then small_head. keras.Model(inputs, outputs) joins them."),
    # 96: SIZE (a test checks); the code as a plain string, so that its comments can be translated
    solution=N_("""
small_base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, include_top=False, weights=None)
small_base.trainable = False
small_head = keras.Sequential([keras.Input((1280,)), keras.layers.Dense(1, activation="sigmoid")])
photos = keras.Input(shape=(96, 96, 3))                # raw pixels, 0-255
x = keras.applications.mobilenet_v2.preprocess_input(photos)   # as before base.predict
x = keras.layers.GlobalAveragePooling2D()(small_base(x))       # .mean(axis=(1, 2)), as a layer
answer = keras.Model(photos, small_head(x))"""),
)
