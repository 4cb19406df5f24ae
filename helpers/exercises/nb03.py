"""Exercises of ``03_cifar10_cnn.ipynb``: the parameters of a conv-batch-norm block, a paired gain and its standard error, label smoothing."""

from __future__ import annotations

import math
from typing import Any

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3"]


# ---------------------------------------------------------------- ex1: the parameters of one conv -> batch-norm block

_IN, _OUT = 16, 32  # the second convolution of a ResNet-9 of width 16: 16 channels in, 32 filters of 3x3
_KERNELS = 3 * 3 * _IN * _OUT  # 4,608 weights, no bias
_BLOCK = _KERNELS + 4 * _OUT  # batch norm: gamma, beta, moving mean, moving variance per channel


def _check_block(answer: Any) -> Feedback:
    value = as_int(answer, _("the number of parameters"))
    if value == _BLOCK:
        return correct(_("3 x 3 x {inputs} x {filters} = {kernels:,} kernel weights (no bias), plus 4 numbers per channel in batch "
                         "normalisation: gamma and beta are trained, the moving mean and variance are averaged, not trained "
                         "({trainable} trainable + {moving} non-trainable). count_params() counts all {total:,}.").format(
            inputs=_IN, filters=_OUT, kernels=_KERNELS, trainable=2 * _OUT, moving=2 * _OUT, total=_BLOCK))
    if value == _KERNELS + _OUT + 4 * _OUT:
        return wrong(_("use_bias=False: the convolution has no bias of its own ({filters} numbers fewer). Batch normalisation's beta "
                       "shifts every channel anyway, so a bias before it would be cancelled by the mean it subtracts.").format(
            filters=_OUT))
    if value == _KERNELS + 2 * _OUT:
        return wrong(_("gamma and beta are only half of batch normalisation's weights: it also keeps a moving mean and a moving "
                       "variance per channel (non-trainable, but count_params() counts them): {numbers} numbers in all.").format(
            numbers=4 * _OUT))
    if value == _KERNELS:
        return wrong(_("{kernels:,} is the convolution alone; the BatchNormalization layer has weights too (a few per channel).").format(
            kernels=_KERNELS))
    if value in (3 * 3 * _OUT + 4 * _OUT, 3 * 3 * _OUT):
        return wrong(_("each of the {filters} filters is 3 x 3 *across all {inputs} input channels*: 3 x 3 x {inputs} weights per "
                       "filter.").format(filters=_OUT, inputs=_IN))
    return wrong(_("{value:,} is not it. A Conv2D holds kernel height x kernel width x input channels x filters weights "
                   "(+ one bias per filter unless use_bias=False); BatchNormalization holds 4 numbers per channel.").format(value=value))


ex1 = Exercise(
    "ex1",
    N_("a whole number: the parameters of the two layers together"),
    _check_block,
    hint=N_("Build the two layers in a keras.Sequential on keras.Input(shape=(32, 32, 16)) and call count_params(), then "
    "explain the figure: a 3x3 filter spans every input channel, and batch normalisation keeps 4 numbers per channel."),
    solution=N_('''
block = keras.Sequential([
    keras.Input(shape=(32, 32, 16)),
    layers.Conv2D(32, 3, padding="same", use_bias=False),  # 3 * 3 * 16 * 32 = 4,608 weights, no bias
    layers.BatchNormalization(),                          # gamma, beta, moving mean, moving variance: 4 * 32
])
answer = block.count_params()
print(answer)'''),
    answer=_BLOCK,
)


# ---------------------------------------------------------------- ex2: a paired gain and its standard error

_N, _FIXED, _BROKEN = 1_000, 31, 19
_GAIN = (_FIXED - _BROKEN) / _N
_SPREAD = math.sqrt((_FIXED + _BROKEN - _N * _GAIN**2) / (_N - 1))  # standard deviation of the +1 / -1 / 0 scores
_ERROR = _SPREAD / math.sqrt(_N)


def _close(value: float, target: float, tolerance: float = 0.03) -> bool:
    return abs(value - target) <= tolerance * abs(target)


def _check_paired(answer: Any) -> Feedback:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return wrong(_("give a pair (gain, standard error), both as fractions, for example (0.02, 0.005)."))
    gain, error = (float(value) for value in answer)
    if _close(gain, _GAIN * 100) or _close(error, _ERROR * 100):
        return wrong(_("give both as fractions of the test set, as accuracies are (0.012 for 1.2 points), not in percent."))
    if _close(gain, _FIXED - _BROKEN):
        return wrong(_("{count} is a count of images; the gain in accuracy is that count over the {n:,} test images.").format(
            count=_FIXED - _BROKEN, n=_N))
    if _close(gain, _FIXED / _N):
        return wrong(_("{fixed} images fixed is only half the story: the {broken} that TTA broke count -1 each.").format(
            fixed=_FIXED, broken=_BROKEN))
    if not _close(gain, _GAIN):
        return wrong(_("the gain is the mean of the scores: +1 for each of the {fixed} fixed images, -1 for each of the "
                       "{broken} broken ones, 0 for the other {unchanged}.").format(
            fixed=_FIXED, broken=_BROKEN, unchanged=_N - _FIXED - _BROKEN))
    if _close(error, _SPREAD):
        return wrong(_("{error:.3f} is the spread of one image's score; the standard error of their mean divides it by "
                       "sqrt({n:,}).").format(error=error, n=_N))
    if _close(error, _SPREAD / _N):
        return wrong(_("the standard error of a mean divides the spread by the square root of the number of images "
                       "(sqrt({n:,}) = {root:.1f}), not by the number itself.").format(n=_N, root=math.sqrt(_N)))
    if _close(error, math.sqrt(0.5 * 0.5 / _N), 0.1) or error > 2.5 * _ERROR:
        return wrong(_("that is the standard error of an accuracy on its own (the unpaired kind). Both accuracies come from "
                       "the same images, so only the images that changed carry noise: take the standard deviation of the "
                       "+1/-1/0 scores over sqrt(n)."))
    if not _close(error, _ERROR):
        return wrong(_("the standard error is the standard deviation of the +1/-1/0 scores divided by sqrt(n)."))
    if _GAIN > 2 * _ERROR:
        message = _("a gain of {gain:+.1%} with a standard error of {error:.2%}: {ratio:.1f} standard errors, "
                    "beyond noise. Only the {changed} images that changed carry noise, so sqrt({changed}) "
                    "/ {n:,} is already a good guess.")
    else:
        message = _("a gain of {gain:+.1%} with a standard error of {error:.2%}: {ratio:.1f} standard errors, "
                    "within noise. Only the {changed} images that changed carry noise, so sqrt({changed}) "
                    "/ {n:,} is already a good guess.")
    return correct(message.format(gain=_GAIN, error=_ERROR, ratio=_GAIN / _ERROR, changed=_FIXED + _BROKEN, n=_N))


ex2 = Exercise(
    "ex2",
    N_("a pair (gain, standard error), both as fractions"),
    _check_paired,
    hint=N_("Give each of the 1,000 images a score: +1 if TTA fixed it, -1 if TTA broke it, 0 if nothing changed. "
    "The gain is the mean score; its standard error is the scores' standard deviation (np.std(..., ddof=1)) over sqrt(1000)."),
    solution=N_('''
scores = np.concatenate([np.ones(31), -np.ones(19), np.zeros(1000 - 31 - 19)])  # +1 fixed, -1 broken, 0 unchanged
answer = (scores.mean(), scores.std(ddof=1) / np.sqrt(len(scores)))
print(f"gain {answer[0]:+.1%}, standard error {answer[1]:.2%}: {answer[0] / answer[1]:.1f} standard errors")'''),
    answer=(_GAIN, _ERROR),
)
# ---------------------------------------------------------------- ex3: the target of label smoothing


def _check_smoothing(answer: Any) -> Feedback:
    value = float(answer)
    if abs(value - 0.91) < 5e-4:
        return correct(_("label smoothing mixes the one-hot target with the uniform one: 0.9 * 1 + 0.1 / 10 = 0.91 for the true "
                         "class, 0.01 for each of the nine others."))
    if abs(value - 0.9) < 5e-4:
        return wrong(_("0.9 forgets that the 0.1 taken away is spread over all 10 classes, the true one included: it gets "
                       "0.1 / 10 back."))
    if abs(value - 0.01) < 5e-4:
        return wrong(_("0.01 is the target of each *wrong* class; the question asks about the true class."))
    if abs(value - 0.1) < 5e-4:
        return wrong(_("0.1 is the smoothing amount itself; the target of the true class is what is left of 1 after smoothing."))
    if value > 1 or value < 0:
        return wrong(_("{value:g} is not a probability; a target lies between 0 and 1.").format(value=value))
    return wrong(_("{value:g} is not it: the smoothed target is (1 - 0.1) * one_hot + 0.1 / number_of_classes.").format(value=value))


ex3 = Exercise(
    "ex3",
    N_("a number: the target probability of the true class with label_smoothing=0.1 and 10 classes"),
    _check_smoothing,
    hint=N_("Keras computes y * (1 - smoothing) + smoothing / classes for every class of a one-hot label y."),
    solution='''
answer = 1 * (1 - 0.1) + 0.1 / 10
print(answer)''',
    answer=0.91,
)
