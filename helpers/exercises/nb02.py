"""Exercises of ``02_mnist_cnn.ipynb``: shapes and parameters of convolutions, and reading a confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3"]


# ---------------------------------------------------------------- ex1: output shape of conv + pool


def _check_shape(answer: Any) -> Feedback:
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return wrong(_("give a (height, width, channels) tuple of three numbers, not {answer!r}.").format(answer=answer))
    height, width, channels = (as_int(side, _("each side")) for side in answer)
    if (height, width, channels) == (12, 12, 16):
        return correct(_("the 5x5 'valid' convolution trims 4 pixels (28 -> 24) and the pooling halves them (24 -> 12); "
                         "the 16 filters give 16 channels."))
    if channels != 16:
        if channels == 1:
            return wrong(_("{channels} channels (1 is the input's channel count): a Conv2D layer outputs one channel per "
                           "filter, so Conv2D(16, 5) gives 16.").format(channels=channels))
        return wrong(_("{channels} channels: a Conv2D layer outputs one channel per filter, so Conv2D(16, 5) gives 16.")
                     .format(channels=channels))
    if (height, width) == (24, 24):
        return wrong(_("24x24 is the size after the convolution; MaxPooling2D(2) then halves it."))
    if (height, width) == (14, 14):
        return wrong(_("14x14 forgets the convolution: with padding='valid' (the default), a 5x5 kernel fits only "
                       "28 - 5 + 1 = 24 times."))
    if (height, width) == (13, 13):
        return wrong(_("13x13 is what a 3x3 kernel would give; this one is 5x5: 28 - 5 + 1 = 24, then pooling."))
    return wrong(_("{height}x{width} is not the size: a 'valid' k x k convolution gives 28 - k + 1 pixels per side, "
                   "and MaxPooling2D(2) halves that (rounding down).").format(height=height, width=width))


ex1 = Exercise(
    "ex1",
    N_("a (height, width, channels) tuple"),
    _check_shape,
    hint=N_("Two steps: a 'valid' k x k convolution keeps 28 - k + 1 pixels per side; a 2x2 pooling halves them. "
            "You can check with keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(16, 5), "
            "layers.MaxPooling2D()]).output_shape."),
    solution=N_('''
answer = (12, 12, 16)  # 28 - 5 + 1 = 24, then 24 // 2 = 12; 16 filters -> 16 channels
probe = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 5), keras.layers.MaxPooling2D()])
print(probe.output_shape)'''),
    answer=(12, 12, 16),
)


# ---------------------------------------------------------------- ex2: parameters of a convolution

FILTERS, KERNEL, CHANNELS = 16, 5, 3
CONV_PARAMS = FILTERS * (KERNEL * KERNEL * CHANNELS + 1)  # 1,216


def _check_conv_params(answer: Any) -> Feedback:
    count = as_int(answer, _("the parameter count"))
    if count == CONV_PARAMS:
        return correct(_("16 filters, each 5x5x3 weights plus one bias: 16 * (75 + 1) = 1,216, whatever the image size."))
    if count == FILTERS * KERNEL * KERNEL * CHANNELS:
        return wrong(_("{count:,} counts the weights only: each filter also has one bias.").format(count=count))
    if count == FILTERS * (KERNEL * KERNEL + 1):
        return wrong(_("{count:,} is right for grayscale images; an RGB image has 3 channels, and each filter spans all of "
                       "them (5x5x3).").format(count=count))
    if count == FILTERS * (3 * 3 * CHANNELS + 1):
        return wrong(_("{count:,} is for a 3x3 kernel; Conv2D(16, 5) has 5x5 kernels.").format(count=count))
    if count > 50_000:
        return wrong(_("{count:,} is far too many: a convolution shares its weights across all positions, so the image "
                       "size (32x32) does not enter the count.").format(count=count))
    return wrong(_("a Conv2D layer has filters * (kernel height * kernel width * input channels + 1) parameters; "
                   "{count:,} is not that.").format(count=count))


ex2 = Exercise(
    "ex2",
    N_("the number of parameters (an int) of Conv2D(16, 5) on 32x32 RGB images"),
    _check_conv_params,
    hint=N_("Each filter has one weight per pixel of its window per input channel, plus a bias. The notebook computed "
            "32 * (3 * 3 * 1 + 1) = 320 for the first conv of the MNIST model."),
    solution='''
answer = 16 * (5 * 5 * 3 + 1)
probe = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 5)])
print(answer, probe.count_params())''',
    answer=CONV_PARAMS,
)


# ---------------------------------------------------------------- ex3: reading a confusion matrix


def _check_missed(answer: Any, matrix: Any) -> Feedback:
    matrix = np.asarray(matrix)
    classes = len(matrix)
    diagonal = np.diag(matrix)
    totals = matrix.sum(axis=1)
    missed = totals - diagonal
    counts = np.asarray(answer)
    if counts.ndim == 0:
        if float(counts) == missed.sum():
            return wrong(_("{total:,} is the total number of mistakes; the task asks for one count per digit "
                           "(an array of {classes} numbers, one per row).").format(total=int(missed.sum()), classes=classes))
        return wrong(_("give one count per digit: an array of {classes} numbers, one per row of the matrix, not a single "
                       "number.").format(classes=classes))
    if counts.shape != (classes,):
        return wrong(_("give one count per digit: an array of {classes} numbers, not one of shape {shape}.")
                     .format(classes=classes, shape=counts.shape))
    counts = counts.astype(float)
    if np.array_equal(counts, missed):
        worst = int(np.argmax(missed / np.maximum(totals, 1)))
        return correct(_("{missed}: each row's total minus its diagonal cell. Relative to its {images:,} test images, "
                         "digit {worst} is missed most often ({share:.1%}).")
                       .format(missed=missed.astype(int).tolist(), images=int(totals[worst]), worst=worst,
                               share=missed[worst] / totals[worst]))
    if np.array_equal(counts, matrix.sum(axis=0) - diagonal):
        return wrong(_("these are the column sums without the diagonal: images the model *called* each digit that were "
                       "another one. Rows are the true digits, so sum along each row (axis=1)."))
    if np.array_equal(counts, diagonal):
        return wrong(_("the diagonal holds the images read correctly; the mistakes are the rest of each row."))
    if np.array_equal(counts, totals):
        return wrong(_("these are all the test images of each digit (each row's total); take away the diagonal, the "
                       "ones read correctly."))
    if np.allclose(counts, missed / np.maximum(totals, 1)) or np.allclose(counts, diagonal / np.maximum(totals, 1)):
        return wrong(_("these are fractions of each row; the task asks for counts of images."))
    off = int(np.argmax(counts != missed))
    return wrong(_("digit {digit}: you give {given:g}, but row {digit} holds {missed} images that are not on the diagonal. "
                   "Row t counts the test images whose true digit is t; matrix[t, t] are those read correctly.")
                 .format(digit=off, given=counts[off], missed=int(missed[off])))


ex3 = Exercise(
    "ex3",
    N_("an array of 10 counts, one per true digit"),
    _check_missed,
    hint=N_("Row t holds every test image of the digit t, and the diagonal cell matrix[t, t] those read correctly. "
            "matrix.sum(axis=1) adds up each row; np.diag(matrix) gives the diagonal."),
    solution=N_('''
answer = matrix.sum(axis=1) - np.diag(matrix)  # each row's total minus the images read correctly
print(answer)'''),
)
