"""Exercises of ``04_cats_vs_dogs_augmentation.ipynb``: where a CNN's parameters come from, what early stopping keeps, and a Keras 2 generator as layers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from helpers.exercises.base import Exercise, Feedback, as_int, correct, wrong
from helpers.language import N_, _

__all__ = ["ex1", "ex2", "ex3"]


# ---------------------------------------------------------------- ex1: the dense layer's parameters at another size


def _dense_after_blocks(size: int, padding: str = "valid", last_filters: int = 128, units: int = 512, bias: bool = True) -> int:
    """The parameters of ``Dense(units)`` after four 3x3-conv / 2x2-pool blocks on ``size`` x ``size`` photos."""
    for _block in range(4):
        size = (size - 2 if padding == "valid" else size) // 2
    inputs = size * size * last_filters
    return inputs * units + (units if bias else 0)


#: The question: the notebook's network (last block 128 filters, then Dense(512)) on 96x96 photos.
_SIZE = 96
_RIGHT = _dense_after_blocks(_SIZE)  # 4 x 4 x 128 = 2,048 inputs: 2,048 x 512 + 512 = 1,049,088
_FLAT = (_RIGHT - 512) // 512  # 2,048 numbers out of Flatten
_CONV_PARAMS = sum(f * (3 * 3 * c + 1) for c, f in ((3, 16), (16, 32), (32, 64), (64, 128)))


def _check_dense_parameters(answer: Any) -> Feedback:
    count = as_int(answer, _("the number of parameters"))
    if count == _RIGHT:
        return correct(_("96 -> 94 -> 47 -> 45 -> 22 -> 20 -> 10 -> 8 -> 4: Flatten gives 4 x 4 x 128 = {flat:,} numbers, and each of "
                         "the 512 units has one weight per number plus a bias: {flat:,} x 512 + 512 = {right:,}. The dense layer "
                         "grows with the square of the image size; the convolutions do not grow at all.").format(flat=_FLAT, right=_RIGHT))
    if count == _RIGHT - 512:
        return wrong(_("{count:,} counts the weights only: each of the 512 units also has a bias.").format(count=count))
    if count == _FLAT:
        return wrong(_("{count:,} is how many numbers Flatten gives, the layer's inputs; each of its 512 units has a weight "
                       "for every input, plus a bias.").format(count=count))
    if count in (_dense_after_blocks(_SIZE, padding="same"), _dense_after_blocks(_SIZE, padding="same", bias=False)):
        return wrong(_("you halved 96 four times (96 -> 48 -> 24 -> 12 -> 6), but each 3x3 convolution without padding "
                       "(\"valid\", Conv2D's default) first trims 2 pixels: 96 -> 94, then the pooling halves it."))
    if count in (_dense_after_blocks(64), _dense_after_blocks(150)):
        size = 64 if count == _dense_after_blocks(64) else 150
        return wrong(_("{count:,} is the dense layer of the {size}x{size} network; trace the size for 96x96 photos instead.")
                     .format(count=count, size=size))
    if count == _RIGHT + _CONV_PARAMS + 513:
        return wrong(_("{count:,} is the whole network at 96x96 pixels; the question asks for the Dense(512) layer alone.")
                     .format(count=count))
    return wrong(_("{count:,} is not it. Trace the image size through the four blocks (each 3x3 convolution trims 2 pixels, "
                   "each pooling halves, rounding down), multiply the last size by itself and by 128 filters, then count "
                   "512 weights per number plus 512 biases.").format(count=count))


ex1 = Exercise(
    "ex1",
    N_("the number of parameters of the Dense(512) layer for 96x96 photos"),
    _check_dense_parameters,
    hint=N_("As in the 64x64 example: 96 -> 94 after the first convolution, -> 47 after the first pooling, and so on through the "
            "four blocks. Flatten then gives size x size x 128 numbers, and Dense(512) has a weight per number per unit, plus 512 biases."),
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
        raise ValueError(_("pass plain_history, the History that the plain run's fit returned"))
    val_loss = [float(v) for v in logs["val_loss"]]
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return wrong(_("give two numbers, (epochs run, epoch kept): for example (12, 9)."))
    run, kept = as_int(answer[0], _("the number of epochs run")), as_int(answer[1], _("the epoch kept"))
    right_run, right_kept = early_stop(val_loss, PATIENCE)
    lowest = int(min(range(len(val_loss)), key=val_loss.__getitem__)) + 1
    if (run, kept) == (right_run, right_kept):
        if right_kept == lowest:
            sooner = len(val_loss) - right_run
            if not sooner:
                after = _("the same epoch as the notebook's longer patience kept")
            elif sooner == 1:
                after = _("the same epoch as the notebook's longer patience kept, {sooner} epoch sooner: on this curve the "
                          "longer wait bought nothing").format(sooner=sooner)
            else:
                after = _("the same epoch as the notebook's longer patience kept, {sooner} epochs sooner: on this curve the "
                          "longer wait bought nothing").format(sooner=sooner)
        else:
            after = _("but the lowest validation loss of the whole run came later, at epoch {lowest} "
                      "({loss:.4f}): a short patience stops at the first bump of a noisy curve").format(
                lowest=lowest, loss=val_loss[lowest - 1])
        # {after} is one of the clauses above: the same kept epoch as the long patience, or a later lowest loss
        return correct(_("epoch {kept} had the lowest validation loss so far ({loss:.4f}); epochs "
                         "{next} to {run} did not beat it, so fit stopped after epoch {run} and "
                         "restore_best_weights put back epoch {kept}'s weights, {after}.").format(
            kept=right_kept, loss=val_loss[right_kept - 1], next=right_kept + 1, run=right_run, after=after))
    if (run, kept) == (len(val_loss), lowest):
        return wrong(_("that is what the notebook's run did with its own, longer patience; with patience={patience}, find the "
                       "first time {patience} epochs in a row bring no new lowest validation loss.").format(patience=PATIENCE))
    if (run, kept) == (right_run - 1, right_kept - 1):
        return wrong(_("off by one: history lists start at index 0, but Keras numbers epochs from 1."))
    if run < right_kept or not 1 <= kept <= run:
        return wrong(_("the kept epoch must be one that ran: epoch {kept} of {run}. Look for the lowest validation loss "
                       "among the epochs that ran before the patience ran out.").format(kept=kept, run=run))
    if kept == lowest and kept != right_kept:
        return wrong(_("epoch {lowest} has the lowest validation loss of the whole run, but with patience={patience} fit "
                       "never got there: find the first time {patience} epochs in a row bring no new lowest loss.").format(
            lowest=lowest, patience=PATIENCE))
    if kept == right_kept and run == right_kept + PATIENCE - 1:
        return wrong(_("the kept epoch is right; fit waits {patience} whole epochs after it without a new lowest loss, "
                       "and stops at the end of the last of them.").format(patience=PATIENCE))
    if kept == right_kept and run == right_kept + PATIENCE + 1:
        return wrong(_("the kept epoch is right; fit stops at the end of the {patience} epochs without a new lowest loss: "
                       "it does not run one more.").format(patience=PATIENCE))
    if run == right_run and kept == run:
        return wrong(_("restore_best_weights=True puts back the weights of the epoch with the lowest validation loss, "
                       "not the last epoch's."))
    if run == right_run:
        return wrong(_("{run} epochs is right; the kept epoch is the one with the lowest validation loss among them.").format(run=run))
    return wrong(_("walk through val_loss from epoch 1, keeping the lowest so far: each epoch that does not beat it adds one "
                   "to a count, a new lowest resets it, and fit stops when the count reaches {patience}.").format(patience=PATIENCE))


ex2 = Exercise(
    "ex2",
    N_("(epochs run, epoch kept), both counted from 1"),
    _check_early_stop,
    # the hint and the solution are looked up in the catalogue as written, so they spell PATIENCE out (2)
    hint=N_("Only val_loss matters. Count, epoch after epoch, how many in a row have not beaten the lowest validation loss so far; "
            "fit stops at the end of the epoch where that count reaches 2, and keeps the epoch of the lowest loss up to then."),
    solution=N_('''
val_loss = plain_history.history["val_loss"]
best, wait = 0, 0  # indices count from 0, Keras's epochs from 1
for epoch in range(1, len(val_loss)):
    wait += 1
    if val_loss[epoch] < val_loss[best]:
        best, wait = epoch, 0
    elif wait == 2:
        break
answer = (epoch + 1, best + 1)'''),
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
        return wrong(_("the rotation range ({low:g}, {high:g}) is not symmetric; rotation_range={degrees:g} turned either way.")
                     .format(low=low, high=high, degrees=degrees))
    high = abs(high)
    if math.isclose(high, degrees / 360, rel_tol=1e-2):
        return correct(_("RandomRotation({degrees:g} / 360): the factor is a fraction of a full turn.").format(degrees=degrees))
    if math.isclose(high, degrees, rel_tol=1e-3):
        return wrong(_("RandomRotation({degrees:g}) would turn by up to {degrees:g} full turns: the factor is a fraction of a full turn "
                       "(360 degrees), not degrees: {degrees:g} / 360.").format(degrees=degrees))
    if math.isclose(high, math.radians(degrees), rel_tol=1e-2):
        return wrong(_("{high:.3f} is {degrees:g} degrees in radians; RandomRotation takes a fraction of a full turn: {degrees:g} / 360.")
                     .format(high=high, degrees=degrees))
    if math.isclose(high, degrees / 180, rel_tol=1e-2):
        return wrong(_("{degrees:g} / 180 counts in half turns; RandomRotation's factor is a fraction of a *full* turn: {degrees:g} / 360.")
                     .format(degrees=degrees))
    return wrong(_("a rotation factor of {high:g} turns images by up to {turned:.0f} degrees, not {degrees:g}.")
                 .format(high=high, turned=high * 360, degrees=degrees))


def _check_generator_layers(answer: Any) -> Feedback:
    steps = list(answer.layers) if hasattr(answer, "layers") else list(answer) if isinstance(answer, (list, tuple)) else None
    if steps is None:
        return wrong(_("give a keras.Sequential of preprocessing layers (or a list of them), not a {kind}.")
                     .format(kind=type(answer).__name__))
    by_type: dict[str, Any] = {}
    for layer in steps:
        kind = type(layer).__name__
        if kind in by_type:
            return wrong(_("there are two {kind} layers; each setting of the generator is one layer.").format(kind=kind))
        by_type[kind] = layer
    extra = sorted(set(by_type) - {"RandomRotation", "RandomTranslation", "RandomFlip"})
    if extra:
        if "Rescaling" in extra:
            return wrong(_("the line has no rescale (and rescaling belongs in the model, not in the augmentation): leave Rescaling out."))
        return wrong(_("{layers} is not asked for: the generator rotates, shifts sideways and mirrors, nothing else.")
                     .format(layers=", ".join(extra)))
    for kind, setting in (("RandomRotation", "rotation_range=20"), ("RandomTranslation", "width_shift_range=0.1"),
                          ("RandomFlip", "horizontal_flip=True")):
        if kind not in by_type:
            return wrong(_("{setting} has no layer yet: add a {kind}.").format(setting=setting, kind=kind))
    rotation = by_type["RandomRotation"].get_config()
    feedback = _rotation_feedback(rotation["factor"], _ROTATION_DEGREES)
    if not feedback.ok:
        return feedback
    shift = by_type["RandomTranslation"].get_config()
    height, width = max(_range(shift["height_factor"])), max(_range(shift["width_factor"]))
    if math.isclose(height, _WIDTH_SHIFT) and math.isclose(width, 0.0, abs_tol=1e-9):
        return wrong(_("the shift is up and down: RandomTranslation takes height_factor first, then width_factor: "
                       "RandomTranslation(0, 0.1) or RandomTranslation(height_factor=0, width_factor=0.1)."))
    if not math.isclose(width, _WIDTH_SHIFT):
        return wrong(_("RandomTranslation shifts sideways by up to {width:g} of the width; width_shift_range=0.1 is 0.1.")
                     .format(width=width))
    if not math.isclose(height, 0.0, abs_tol=1e-9):
        return wrong(_("RandomTranslation also shifts up and down, by up to {height:g} of the height; the line has no "
                       "height_shift_range: height_factor=0.").format(height=height))
    for kind in ("RandomRotation", "RandomTranslation"):
        fill = by_type[kind].get_config().get("fill_mode")
        if fill != "nearest":
            return wrong(_("{kind} fills the uncovered corners with fill_mode={fill!r} (the layers' default is \"reflect\"); "
                           "ImageDataGenerator's default was \"nearest\": pass fill_mode=\"nearest\".").format(kind=kind, fill=fill))
    mode = by_type["RandomFlip"].get_config().get("mode")
    if mode != "horizontal":
        return wrong(_("RandomFlip({mode!r}) also turns photos upside down; horizontal_flip=True is RandomFlip(\"horizontal\").")
                     .format(mode=mode))
    return correct(_("one layer per setting: rotation as a fraction of a turn, translation with height first, "
                     "fill_mode=\"nearest\" as the old default, and a left-right flip."))


ex3 = Exercise(
    "ex3",
    N_("a keras.Sequential of preprocessing layers for that ImageDataGenerator line"),
    _check_generator_layers,
    hint=N_("Look at old_tutorial_augmentation above: one layer per setting. RandomRotation takes a fraction of a full turn; "
            "RandomTranslation(height_factor, width_factor) takes the height first."),
    solution='''
answer = keras.Sequential([
    layers.RandomRotation(20 / 360, fill_mode="nearest"),
    layers.RandomTranslation(0, 0.1, fill_mode="nearest"),  # height_factor=0, width_factor=0.1
    layers.RandomFlip("horizontal"),
])''',
)
