"""Exercises of ``04_cats_vs_dogs_augmentation.ipynb``: where a CNN's parameters come from, what early stopping keeps, and a Keras 2 generator as layers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong

__all__ = ["ex1", "ex2", "ex3"]


# ---------------------------------------------------------------- ex1: the dense layer's parameters at another size


def _dense_after_blocks(size: int, padding: str = "valid", last_filters: int = 128, units: int = 512, bias: bool = True) -> int:
    """The parameters of ``Dense(units)`` after four 3x3-conv / 2x2-pool blocks on ``size`` x ``size`` photos."""
    for _ in range(4):
        size = (size - 2 if padding == "valid" else size) // 2
    inputs = size * size * last_filters
    return inputs * units + (units if bias else 0)


#: The question: the notebook's network (last block 128 filters, then Dense(512)) on 96x96 photos.
_SIZE = 96
_RIGHT = _dense_after_blocks(_SIZE)  # 4 x 4 x 128 = 2,048 inputs: 2,048 x 512 + 512 = 1,049,088
_FLAT = (_RIGHT - 512) // 512  # 2,048 numbers out of Flatten
_CONV_PARAMS = sum(f * (3 * 3 * c + 1) for c, f in ((3, 16), (16, 32), (32, 64), (64, 128)))


def _check_dense_parameters(answer: Any) -> Feedback:
    count = as_int(answer, "the number of parameters")
    if count == _RIGHT:
        return correct(f"96 -> 94 -> 47 -> 45 -> 22 -> 20 -> 10 -> 8 -> 4: Flatten gives 4 x 4 x 128 = {_FLAT:,} numbers, and each of "
                       f"the 512 units has one weight per number plus a bias: {_FLAT:,} x 512 + 512 = {_RIGHT:,}. The dense layer "
                       "grows with the square of the image size; the convolutions do not grow at all.")
    if count == _RIGHT - 512:
        return wrong(f"{count:,} counts the weights only: each of the 512 units also has a bias.")
    if count == _FLAT:
        return wrong(f"{count:,} is how many numbers Flatten gives, the layer's inputs; each of its 512 units has a weight "
                     "for every input, plus a bias.")
    if count in (_dense_after_blocks(_SIZE, padding="same"), _dense_after_blocks(_SIZE, padding="same", bias=False)):
        return wrong("you halved 96 four times (96 -> 48 -> 24 -> 12 -> 6), but each 3x3 convolution without padding "
                     "(\"valid\", Conv2D's default) first trims 2 pixels: 96 -> 94, then the pooling halves it.")
    if count in (_dense_after_blocks(64), _dense_after_blocks(150)):
        size = 64 if count == _dense_after_blocks(64) else 150
        return wrong(f"{count:,} is the dense layer of the {size}x{size} network; trace the size for 96x96 photos instead.")
    if count == _RIGHT + _CONV_PARAMS + 513:
        return wrong(f"{count:,} is the whole network at 96x96 pixels; the question asks for the Dense(512) layer alone.")
    return wrong(f"{count:,} is not it. Trace the image size through the four blocks (each 3x3 convolution trims 2 pixels, "
                 "each pooling halves, rounding down), multiply the last size by itself and by 128 filters, then count "
                 "512 weights per number plus 512 biases.")


ex1 = Exercise(
    "ex1",
    "the number of parameters of the Dense(512) layer for 96x96 photos",
    _check_dense_parameters,
    hint="As in the 64x64 example: 96 -> 94 after the first convolution, -> 47 after the first pooling, and so on through the "
    "four blocks. Flatten then gives size x size x 128 numbers, and Dense(512) has a weight per number per unit, plus 512 biases.",
    solution="answer = (4 * 4 * 128) * 512 + 512  # 96 -> 94 -> 47 -> 45 -> 22 -> 20 -> 10 -> 8 -> 4",
    answer=_RIGHT,
)


# ---------------------------------------------------------------- ex2: early stopping with a shorter patience

#: The patience of exercise 2, shorter than the notebook's.
PATIENCE = 2


def early_stop(val_loss: Sequence[float], patience: int) -> tuple[int, int]:
    """What ``EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)`` makes of these losses.

    A loss counts as better only when it is strictly lower than the lowest so far (``min_delta=0``); ``fit``
    stops at the end of the epoch that makes ``patience`` epochs in a row without one.

    Returns:
        ``(epochs run, epoch kept)``, both counted from 1 as Keras prints them; when the losses end before the
        patience runs out, every epoch ran.
    """
    best, wait = 0, 0
    for epoch in range(1, len(val_loss)):
        wait += 1
        if val_loss[epoch] < val_loss[best]:
            best, wait = epoch, 0
        elif wait >= patience:
            return epoch + 1, best + 1
    return len(val_loss), best + 1


def _check_early_stop(answer: Any, history: Any) -> Feedback:
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or "val_loss" not in logs:
        raise ValueError("pass plain_history, the History that the plain run's fit returned")
    val_loss = [float(v) for v in logs["val_loss"]]
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return wrong("give two numbers, (epochs run, epoch kept): for example (12, 9).")
    run, kept = as_int(answer[0], "the number of epochs run"), as_int(answer[1], "the epoch kept")
    right_run, right_kept = early_stop(val_loss, PATIENCE)
    lowest = int(min(range(len(val_loss)), key=val_loss.__getitem__)) + 1
    if (run, kept) == (right_run, right_kept):
        if right_kept == lowest:
            sooner = len(val_loss) - right_run
            after = ("the same epoch as the notebook's longer patience kept" + (f", {sooner} epoch{'s' * (sooner != 1)} sooner: on this curve the "
                     "longer wait bought nothing" if sooner else ""))
        else:
            after = (f"but the lowest validation loss of the whole run came later, at epoch {lowest} "
                     f"({val_loss[lowest - 1]:.4f}): a short patience stops at the first bump of a noisy curve")
        return correct(f"epoch {right_kept} had the lowest validation loss so far ({val_loss[right_kept - 1]:.4f}); epochs "
                       f"{right_kept + 1} to {right_run} did not beat it, so fit stopped after epoch {right_run} and "
                       f"restore_best_weights put back epoch {right_kept}'s weights, {after}.")
    if (run, kept) == (len(val_loss), lowest):
        return wrong(f"that is what the notebook's run did with its own, longer patience; with patience={PATIENCE}, find the "
                     f"first time {PATIENCE} epochs in a row bring no new lowest validation loss.")
    if (run, kept) == (right_run - 1, right_kept - 1):
        return wrong("off by one: history lists start at index 0, but Keras numbers epochs from 1.")
    if run < right_kept or not 1 <= kept <= run:
        return wrong(f"the kept epoch must be one that ran: epoch {kept} of {run}. Look for the lowest validation loss "
                     "among the epochs that ran before the patience ran out.")
    if kept == lowest and kept != right_kept:
        return wrong(f"epoch {lowest} has the lowest validation loss of the whole run, but with patience={PATIENCE} fit "
                     f"never got there: find the first time {PATIENCE} epochs in a row bring no new lowest loss.")
    if kept == right_kept and run == right_kept + PATIENCE - 1:
        return wrong(f"the kept epoch is right; fit waits {PATIENCE} whole epochs after it without a new lowest loss, "
                     "and stops at the end of the last of them.")
    if kept == right_kept and run == right_kept + PATIENCE + 1:
        return wrong(f"the kept epoch is right; fit stops at the end of the {PATIENCE}th epoch without a new lowest loss, "
                     "it does not run one more.")
    if run == right_run and kept == run:
        return wrong("restore_best_weights=True puts back the weights of the epoch with the lowest validation loss, "
                     "not the last epoch's.")
    if run == right_run:
        return wrong(f"{run} epochs is right; the kept epoch is the one with the lowest validation loss among them.")
    return wrong(f"walk through val_loss from epoch 1, keeping the lowest so far: each epoch that does not beat it adds one "
                 f"to a count, a new lowest resets it, and fit stops when the count reaches {PATIENCE}.")


ex2 = Exercise(
    "ex2",
    "(epochs run, epoch kept), both counted from 1",
    _check_early_stop,
    hint=f"Only val_loss matters. Count, epoch after epoch, how many in a row have not beaten the lowest validation loss so far; "
    f"fit stops at the end of the epoch where that count reaches {PATIENCE}, and keeps the epoch of the lowest loss up to then.",
    solution=f'''
val_loss = plain_history.history["val_loss"]
best, wait = 0, 0  # indices count from 0, Keras's epochs from 1
for epoch in range(1, len(val_loss)):
    wait += 1
    if val_loss[epoch] < val_loss[best]:
        best, wait = epoch, 0
    elif wait == {PATIENCE}:
        break
answer = (epoch + 1, best + 1)''',
)


# ---------------------------------------------------------------- ex3: an ImageDataGenerator as layers

#: The generator of exercise 3: ``ImageDataGenerator(rotation_range=20, width_shift_range=0.1, horizontal_flip=True)``.
_ROTATION_DEGREES, _WIDTH_SHIFT = 20, 0.1


def _range(value: Any) -> tuple[float, float]:
    """A layer's factor as a ``(low, high)`` pair: Keras stores ``0.1`` as ``(-0.1, 0.1)``."""
    if isinstance(value, (tuple, list)):
        low, high = (float(v) for v in value)
        return low, high
    return -abs(float(value)), abs(float(value))


def _rotation_feedback(factor: Any, degrees: float) -> Feedback:
    """Whether a ``RandomRotation`` factor turns images by up to ``degrees`` either way, and if not, why."""
    low, high = _range(factor)
    if not math.isclose(low, -high, rel_tol=1e-3):
        return wrong(f"the rotation range ({low:g}, {high:g}) is not symmetric; rotation_range={degrees:g} turned either way.")
    high = abs(high)
    if math.isclose(high, degrees / 360, rel_tol=1e-2):
        return correct(f"RandomRotation({degrees:g} / 360): the factor is a fraction of a full turn.")
    if math.isclose(high, degrees, rel_tol=1e-3):
        return wrong(f"RandomRotation({degrees:g}) would turn by up to {degrees:g} full turns: the factor is a fraction of a full turn "
                     f"(360 degrees), not degrees: {degrees:g} / 360.")
    if math.isclose(high, math.radians(degrees), rel_tol=1e-2):
        return wrong(f"{high:.3f} is {degrees:g} degrees in radians; RandomRotation takes a fraction of a full turn: {degrees:g} / 360.")
    if math.isclose(high, degrees / 180, rel_tol=1e-2):
        return wrong(f"{degrees:g} / 180 counts in half turns; RandomRotation's factor is a fraction of a *full* turn: {degrees:g} / 360.")
    return wrong(f"a rotation factor of {high:g} turns images by up to {high * 360:.0f} degrees, not {degrees:g}.")


def _check_generator_layers(answer: Any) -> Feedback:
    steps = list(answer.layers) if hasattr(answer, "layers") else list(answer) if isinstance(answer, (list, tuple)) else None
    if steps is None:
        return wrong(f"give a keras.Sequential of preprocessing layers (or a list of them), not a {type(answer).__name__}.")
    by_type: dict[str, Any] = {}
    for layer in steps:
        kind = type(layer).__name__
        if kind in by_type:
            return wrong(f"there are two {kind} layers; each setting of the generator is one layer.")
        by_type[kind] = layer
    extra = sorted(set(by_type) - {"RandomRotation", "RandomTranslation", "RandomFlip"})
    if extra:
        if "Rescaling" in extra:
            return wrong("the line has no rescale (and rescaling belongs in the model, not in the augmentation): leave Rescaling out.")
        return wrong(f"{', '.join(extra)} is not asked for: the generator rotates, shifts sideways and mirrors, nothing else.")
    for kind, setting in (("RandomRotation", "rotation_range=20"), ("RandomTranslation", "width_shift_range=0.1"),
                          ("RandomFlip", "horizontal_flip=True")):
        if kind not in by_type:
            return wrong(f"{setting} has no layer yet: add a {kind}.")
    rotation = by_type["RandomRotation"].get_config()
    feedback = _rotation_feedback(rotation["factor"], _ROTATION_DEGREES)
    if not feedback.ok:
        return feedback
    shift = by_type["RandomTranslation"].get_config()
    height, width = max(_range(shift["height_factor"])), max(_range(shift["width_factor"]))
    if math.isclose(height, _WIDTH_SHIFT) and math.isclose(width, 0.0, abs_tol=1e-9):
        return wrong("the shift is up and down: RandomTranslation takes height_factor first, then width_factor: "
                     "RandomTranslation(0, 0.1) or RandomTranslation(height_factor=0, width_factor=0.1).")
    if not math.isclose(width, _WIDTH_SHIFT):
        return wrong(f"RandomTranslation shifts sideways by up to {width:g} of the width; width_shift_range=0.1 is 0.1.")
    if not math.isclose(height, 0.0, abs_tol=1e-9):
        return wrong(f"RandomTranslation also shifts up and down, by up to {height:g} of the height; the line has no "
                     "height_shift_range: height_factor=0.")
    for kind in ("RandomRotation", "RandomTranslation"):
        fill = by_type[kind].get_config().get("fill_mode")
        if fill != "nearest":
            return wrong(f"{kind} fills the uncovered corners with fill_mode={fill!r} (the layers' default is \"reflect\"); "
                         "ImageDataGenerator's default was \"nearest\": pass fill_mode=\"nearest\".")
    mode = by_type["RandomFlip"].get_config().get("mode")
    if mode != "horizontal":
        return wrong(f"RandomFlip({mode!r}) also turns photos upside down; horizontal_flip=True is RandomFlip(\"horizontal\").")
    return correct("one layer per setting: rotation as a fraction of a turn, translation with height first, "
                   "fill_mode=\"nearest\" as the old default, and a left-right flip.")


ex3 = Exercise(
    "ex3",
    "a keras.Sequential of preprocessing layers for that ImageDataGenerator line",
    _check_generator_layers,
    hint="Look at old_tutorial_augmentation above: one layer per setting. RandomRotation takes a fraction of a full turn; "
    "RandomTranslation(height_factor, width_factor) takes the height first.",
    solution='''
answer = keras.Sequential([
    layers.RandomRotation(20 / 360, fill_mode="nearest"),
    layers.RandomTranslation(0, 0.1, fill_mode="nearest"),  # height_factor=0, width_factor=0.1
    layers.RandomFlip("horizontal"),
])''',
)
