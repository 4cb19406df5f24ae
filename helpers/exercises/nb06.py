"""Exercises of ``06_transfer_learning.ipynb``: a frozen base under a new head, unfreezing the top for fine-tuning, ResNet50's preprocess_input."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import ____, Exercise, Feedback, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3", "TOP_LAYERS", "SIZE"]

#: The image size of the exercises' small bases (quick to build).
SIZE = 96
#: How many layers, counted from the top of the base, ex2 asks to unfreeze.
TOP_LAYERS = 20


def _nested_base(model: Any) -> Any:
    """The base inside a classifier: its nested model with the most weights, or ``None``."""
    import keras

    nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    return max(nested, key=lambda layer: len(layer.weights)) if nested else None


# ---------------------------------------------------------------- ex1: a frozen base under a new head


def _what_the_base_sees(model: Any, base: Any) -> np.ndarray:
    """The pixels the base receives when the model is given three probe pixels 0, 127.5 and 255."""
    import keras

    fed = base._inbound_nodes[-1].input_tensors[0]  # the tensor this model passes to the base
    height, width = model.input_shape[1:3]
    probe = np.broadcast_to(np.array([0.0, 127.5, 255.0], dtype="float32"), (1, height, width, 3))
    return np.asarray(keras.Model(model.input, fed)(probe, training=False))[0, 0, 0]


def _check_head(answer: Any) -> Feedback:
    import keras

    if not isinstance(answer, keras.Model):
        return wrong(f"give the whole classifier, a keras.Model(inputs, outputs), not a {type(answer).__name__}.")
    base = _nested_base(answer)
    if base is None or len(base.weights) < 10:
        return wrong("your model has no pretrained base inside: build it as inputs -> preprocess_input -> base(x, training=False) "
                     "-> pooling -> dropout -> Dense, so the base is one layer of the model.")
    if base.trainable:
        return wrong("the base is trainable, so fit would change all its pretrained weights from the first step: set "
                     "base.trainable = False (only the head learns).")
    if base._inbound_nodes[-1].arguments.kwargs.get("training") is not False:
        return wrong("call the base with training=False (x = base(x, training=False)): it then stays in inference mode inside "
                     "this model, even after you unfreeze some of its layers for fine-tuning.")
    seen = _what_the_base_sees(answer, base)
    if np.allclose(seen, [0, 127.5, 255], atol=1e-3):
        return wrong("the base receives raw 0-255 pixels, but MobileNetV2 was trained on pixels in [-1, 1]: put "
                     "keras.applications.mobilenet_v2.preprocess_input(x) between the inputs and the base.")
    if not np.allclose(seen, [-1, 0, 1], atol=1e-3):
        return wrong(f"the base receives pixels 0, 127.5, 255 as {', '.join(f'{v:.2f}' for v in seen)}; MobileNetV2 expects "
                     "-1, 0, 1: use keras.applications.mobilenet_v2.preprocess_input (once, and no Rescaling layer besides).")
    kinds = [type(layer).__name__ for layer in answer.layers]
    if "Flatten" in kinds:
        return wrong("Flatten keeps every position of the feature maps (many weights, tied to one image size): use "
                     "keras.layers.GlobalAveragePooling2D() to get one number per feature map.")
    if not any(kind.startswith("Global") for kind in kinds):
        return wrong("the base outputs feature maps of shape (height, width, channels); add keras.layers.GlobalAveragePooling2D() "
                     "after it, so the head gets one vector per image.")
    if "Dropout" not in kinds:
        return wrong("add keras.layers.Dropout(0.2) between the pooling and the Dense layer: with a few hundred photos the head "
                     "overfits otherwise.")
    last = answer.layers[-1]
    if answer.output_shape[-1] != 1 or getattr(getattr(last, "activation", None), "__name__", "") != "sigmoid":
        return wrong(f"the output has shape {answer.output_shape} ({getattr(getattr(last, 'activation', None), '__name__', '?')}); "
                     "cats vs dogs with label_mode='binary' needs one unit with a sigmoid: keras.layers.Dense(1, activation='sigmoid').")
    trainable = sum(int(np.prod(w.shape)) for w in answer.trainable_weights)
    return correct(f"a frozen {base.name} under a new head: {trainable:,} trainable parameters out of {answer.count_params():,}, "
                   "all of them in the head.")


ex1 = Exercise(
    "ex1",
    f"a keras.Model: a frozen MobileNetV2 base ({SIZE}x{SIZE}, alpha=0.35) under a new head for cats vs dogs",
    _check_head,
    hint="Follow the cell of the notebook that built `model`: base.trainable = False; keras.Input, "
    "keras.applications.mobilenet_v2.preprocess_input, base(x, training=False), GlobalAveragePooling2D, Dropout, Dense(1, sigmoid).",
    solution=f'''
small_base = keras.applications.MobileNetV2(input_shape=({SIZE}, {SIZE}, 3), alpha=0.35, include_top=False, weights=None)
small_base.trainable = False
inputs = keras.Input(shape=({SIZE}, {SIZE}, 3))
x = keras.applications.mobilenet_v2.preprocess_input(inputs)
x = small_base(x, training=False)
x = keras.layers.GlobalAveragePooling2D()(x)
x = keras.layers.Dropout(0.2)(x)
outputs = keras.layers.Dense(1, activation="sigmoid")(x)
answer = keras.Model(inputs, outputs)''',
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
