"""Exercises of ``02_mnist_cnn.ipynb``: shapes and parameters of convolutions, and the right loss."""

from __future__ import annotations

from typing import Any

from helpers.exercises.base import ____, Exercise, Feedback, as_int, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3"]


# ---------------------------------------------------------------- ex1: output shape of conv + pool


def _check_shape(answer: Any) -> Feedback:
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return wrong(f"give a (height, width, channels) tuple of three numbers, not {answer!r}.")
    height, width, channels = (as_int(side, "each side") for side in answer)
    if (height, width, channels) == (12, 12, 16):
        return correct("the 5x5 'valid' convolution trims 4 pixels (28 -> 24) and the pooling halves them (24 -> 12); "
                       "the 16 filters give 16 channels.")
    if channels != 16:
        hint = " (1 is the input's channel count)" if channels == 1 else ""
        return wrong(f"{channels} channels{hint}: a Conv2D layer outputs one channel per filter, so Conv2D(16, 5) gives 16.")
    if (height, width) == (24, 24):
        return wrong("24x24 is the size after the convolution; MaxPooling2D(2) then halves it.")
    if (height, width) == (14, 14):
        return wrong("14x14 forgets the convolution: with padding='valid' (the default), a 5x5 kernel fits only 28 - 5 + 1 = 24 times.")
    if (height, width) == (13, 13):
        return wrong("13x13 is what a 3x3 kernel would give; this one is 5x5: 28 - 5 + 1 = 24, then pooling.")
    return wrong(f"{height}x{width} is not the size: a 'valid' k x k convolution gives 28 - k + 1 pixels per side, "
                 "and MaxPooling2D(2) halves that (rounding down).")


ex1 = Exercise(
    "ex1",
    "a (height, width, channels) tuple",
    _check_shape,
    hint="Two steps: a 'valid' k x k convolution keeps 28 - k + 1 pixels per side; a 2x2 pooling halves them. "
    "You can check with keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(16, 5), layers.MaxPooling2D()]).output_shape.",
    solution='''
answer = (12, 12, 16)  # 28 - 5 + 1 = 24, then 24 // 2 = 12; 16 filters -> 16 channels
probe = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 5), keras.layers.MaxPooling2D()])
print(probe.output_shape)''',
    answer=(12, 12, 16),
)


# ---------------------------------------------------------------- ex2: parameters of a convolution

FILTERS, KERNEL, CHANNELS = 16, 5, 3
CONV_PARAMS = FILTERS * (KERNEL * KERNEL * CHANNELS + 1)  # 1,216


def _check_conv_params(answer: Any) -> Feedback:
    count = as_int(answer, "the parameter count")
    if count == CONV_PARAMS:
        return correct("16 filters, each 5x5x3 weights plus one bias: 16 * (75 + 1) = 1,216, whatever the image size.")
    if count == FILTERS * KERNEL * KERNEL * CHANNELS:
        return wrong(f"{count:,} counts the weights only: each filter also has one bias.")
    if count == FILTERS * (KERNEL * KERNEL + 1):
        return wrong(f"{count:,} is right for grayscale images; an RGB image has 3 channels, and each filter spans all of them (5x5x3).")
    if count == FILTERS * (3 * 3 * CHANNELS + 1):
        return wrong(f"{count:,} is for a 3x3 kernel; Conv2D(16, 5) has 5x5 kernels.")
    if count > 50_000:
        return wrong(f"{count:,} is far too many: a convolution shares its weights across all positions, so the image size "
                     "(32x32) does not enter the count.")
    return wrong(f"a Conv2D layer has filters * (kernel height * kernel width * input channels + 1) parameters; {count:,} is not that.")


ex2 = Exercise(
    "ex2",
    "the number of parameters (an int) of Conv2D(16, 5) on 32x32 RGB images",
    _check_conv_params,
    hint="Each filter has one weight per pixel of its window per input channel, plus a bias. The notebook computed "
    "32 * (3 * 3 * 1 + 1) = 320 for the first conv of the MNIST model.",
    solution='''
answer = 16 * (5 * 5 * 3 + 1)
probe = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 5)])
print(answer, probe.count_params())''',
    answer=CONV_PARAMS,
)


# ---------------------------------------------------------------- ex3: the loss for integer labels


def _loss_name(answer: Any) -> tuple[str, bool]:
    """The loss's snake_case name and whether it expects logits."""
    import keras

    if isinstance(answer, str):
        return answer.strip().lower(), False
    if isinstance(answer, keras.losses.Loss):
        config = answer.get_config()
        return str(config.get("name", type(answer).__name__)).lower(), bool(config.get("from_logits", False))
    name = getattr(answer, "__name__", type(answer).__name__)
    return str(name).lower(), False


def _check_loss(answer: Any) -> Feedback:
    name, from_logits = _loss_name(answer)
    name = name.replace(" ", "_")
    if name in ("sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"):
        if from_logits:
            return wrong("from_logits=True tells the loss the outputs are raw scores, but the model ends in softmax: "
                         "the softmax would be applied twice. Leave from_logits at False.")
        return correct("integer labels (0-9) with a softmax over 10 classes: sparse_categorical_crossentropy.")
    if name in ("categorical_crossentropy", "categoricalcrossentropy"):
        return wrong("categorical_crossentropy wants one-hot labels (keras.utils.to_categorical(y)); y_train holds integers 0-9, "
                     "which is what the *sparse* version takes.")
    if name in ("binary_crossentropy", "binarycrossentropy"):
        return wrong("binary_crossentropy is for one sigmoid output (two classes, or yes/no questions); here 10 classes share one softmax.")
    if name in ("mse", "mean_squared_error", "meansquarederror", "mae", "mean_absolute_error"):
        return wrong(f"{name} is a regression loss: it would treat the digit 7 as 'closer' to 8 than to 1. Use a cross-entropy for classes.")
    if name in ("accuracy", "sparse_categorical_accuracy"):
        return wrong("accuracy is a metric, not a loss: it is flat almost everywhere, so it gives no gradient to learn from.")
    return wrong(f"{name!r} is not the loss for integer class labels and a softmax output.")


ex3 = Exercise(
    "ex3",
    "a loss: its name as a string, or a keras.losses object",
    _check_loss,
    hint="Three cross-entropies exist: binary (one sigmoid), categorical (one-hot labels) and one for integer labels.",
    solution='''
answer = "sparse_categorical_crossentropy"  # or keras.losses.SparseCategoricalCrossentropy()''',
    answer="sparse_categorical_crossentropy",
)
