"""Exercises of ``06_transfer_learning.ipynb``: unfreeze the top of a base, the right preprocess_input, the fine-tuning rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import ____, Exercise, Feedback, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3", "TOP_LAYERS"]

#: How many layers, counted from the top of the base, ex1 asks to unfreeze.
TOP_LAYERS = 9


# ---------------------------------------------------------------- ex1: only the top layers learn


def _check_unfrozen(answer: Any) -> Feedback:
    import keras

    from helpers import transfer

    if not isinstance(answer, keras.Model):
        return wrong(f"give the base model (transfer.cifar10_base()), not a {type(answer).__name__}.")
    base = answer
    if any(isinstance(layer, keras.Model) for layer in answer.layers):
        base = transfer.base_of(answer)  # a whole classifier: look at its base
    if not base.trainable:
        return wrong("base.trainable is False, so none of its layers can learn, whatever each layer says: set base.trainable = True "
                     "first, then freeze the lower layers one by one.")
    split = len(base.layers) - TOP_LAYERS
    learning = []
    for index, layer in enumerate(base.layers):
        if not layer.weights:
            continue  # pooling, ReLU, the input: nothing to train
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        if layer.trainable and is_bn:
            return wrong(f"{layer.name} is a batch-norm layer and trainable: keep batch norm frozen when fine-tuning, so it runs in "
                         "inference mode with the statistics it learned (layer.trainable = False).")
        if layer.trainable and index < split:
            return wrong(f"{layer.name} is trainable, but it is not among the top {TOP_LAYERS} layers of the base "
                         f"(base.layers[-{TOP_LAYERS}:]): freeze it.")
        if not layer.trainable and index >= split and not is_bn:
            return wrong(f"{layer.name} is among the top {TOP_LAYERS} layers but frozen: make it trainable.")
        if layer.trainable:
            learning.append(layer.name)
    return correct(f"{', '.join(learning)} will learn; the layers below and every batch-norm layer stay as pretrained. "
                   "transfer.fine_tune(model, 9) does the same, then recompiles.")


ex1 = Exercise(
    "ex1",
    f"the base (transfer.cifar10_base()) with only its top {TOP_LAYERS} layers trainable, batch norm excepted",
    _check_unfrozen,
    hint="base.trainable = True, then loop over enumerate(base.layers): a layer learns when its index is at least "
    f"len(base.layers) - {TOP_LAYERS} and it is not a keras.layers.BatchNormalization. [layer.name for layer in base.layers] shows the order.",
    solution=f'''
base = transfer.cifar10_base()
base.trainable = True
split = len(base.layers) - {TOP_LAYERS}
for index, layer in enumerate(base.layers):
    layer.trainable = index >= split and not isinstance(layer, keras.layers.BatchNormalization)
print([layer.name for layer in base.layers if layer.trainable and layer.weights])
answer = base''',
)


# ---------------------------------------------------------------- ex2: preprocess_input for ResNet50

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
                       "build_transfer_classifier puts this function inside the model.")
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


ex2 = Exercise(
    "ex2",
    "a function (not called), the preprocess_input ResNet50 needs",
    _check_preprocess,
    hint="Every base has a module in keras.applications (vgg16, resnet50, mobilenet_v2...) with its own preprocess_input; "
    "the bases table at the top of the notebook says what each does.",
    solution='''
answer = keras.applications.resnet50.preprocess_input
print(keras.ops.convert_to_numpy(answer(keras.ops.array([[[[0.0, 127.5, 255.0]]]]))))   # BGR, minus the ImageNet mean''',
)


# ---------------------------------------------------------------- ex3: the learning rate for fine-tuning


def _check_fine_tune_rate(answer: Any) -> Feedback:
    rate = answer
    if hasattr(answer, "learning_rate"):  # an optimizer
        import keras

        rate = keras.ops.convert_to_numpy(answer.learning_rate)
    rate = float(rate)
    if rate <= 0:
        return wrong(f"a learning rate of {rate:g} moves no weight at all; fine-tuning needs a small positive rate.")
    if rate >= 1e-3:
        size = "the same rate as" if np.isclose(rate, 1e-3) else "larger than"
        return wrong(f"{rate:g} is {size} the head's: the gradients of a freshly unfrozen base would move its pretrained weights "
                     "far and wreck the features you came for. Use a rate 10 to 100 times smaller.")
    if rate > 1e-4:
        return wrong(f"{rate:g} is only {1e-3 / rate:.0f} times smaller than the head's 1e-3; fine-tuning recipes go 10 to 100 "
                     "times lower, so the pretrained weights move only a little.")
    if rate < 1e-6:
        return wrong(f"{rate:g} is so small that a few epochs would change almost nothing; about 1e-5 is the usual choice.")
    return correct(f"{rate:g}: 10 to 1,000 times smaller than the head's rate, so the pretrained weights adapt without being "
                   "overwritten (transfer.fine_tune uses 1e-5 by default).")


ex3 = Exercise(
    "ex3",
    "a learning rate (a number), or the optimizer you would fine-tune with",
    _check_fine_tune_rate,
    hint="The head was trained at 1e-3. Fine-tuning should nudge the pretrained weights, not retrain them.",
    solution='''
answer = 1e-5
# transfer.fine_tune(model, choice.fine_tune_layers, learning_rate=answer)''',
    answer=1e-5,
)
