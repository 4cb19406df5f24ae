"""Exercises of ``04_cats_vs_dogs_augmentation.ipynb``: where a CNN's parameters come from, and Keras 2 code in Keras 3 (a folder, a generator)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from helpers.exercises.base import ____, Exercise, Feedback, as_int, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3"]


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


# ---------------------------------------------------------------- ex2: flow_from_directory in Keras 3


def _check_dataset(answer: Any) -> Feedback:
    if isinstance(answer, (tuple, list)):
        return wrong("you gave several datasets (subset=\"both\" returns two); the old line built one, from the train folder.")
    spec = getattr(answer, "element_spec", None)
    if spec is None:
        return wrong(f"give the dataset returned by keras.utils.image_dataset_from_directory(...), not a {type(answer).__name__}.")
    if not isinstance(spec, tuple) or len(spec) != 2:
        return wrong("the dataset should give (images, labels) pairs; did you pass labels=None?")
    images, labels = spec
    if len(images.shape) != 4:
        return wrong("this dataset gives single images, not batches: pass batch_size=20 (batch_size=None unbatches).")
    size = tuple(images.shape[1:3])
    if size != (150, 150):
        default = " (256x256 is the default when image_size is not given)" if size == (256, 256) else ""
        return wrong(f"the images are {size[0]}x{size[1]}{default}; target_size=(150, 150) becomes image_size=(150, 150).")
    if tuple(labels.shape[1:]) != (1,) or labels.dtype.name != "float32":
        given = "integers of shape (batch,): label_mode=\"int\", the default" if len(labels.shape) == 1 else f"shape {tuple(labels.shape)}"
        return wrong(f"the labels are {given}. class_mode=\"binary\" becomes label_mode=\"binary\": float 0/1 labels of shape "
                     "(batch, 1), for the model's single sigmoid output.")
    names = getattr(answer, "class_names", None)
    if names is not None and list(names) != ["cats", "dogs"]:
        return wrong(f"the classes are {list(names)}: point it at the folder whose sub-folders are the classes, root / \"train\".")
    files = getattr(answer, "file_paths", None)
    if files and Path(files[0]).parent.parent.name != "train":
        return wrong(f"these images come from {Path(files[0]).parent.parent.name}/; the old line read train_dir, root / \"train\".")
    batch = next(iter(answer.take(1)))[0].shape[0]
    if batch != 20:
        default = " (32 is the default)" if batch == 32 else ""
        return wrong(f"the first batch holds {batch} images{default}; the old line used batch_size=20.")
    return correct("image_size for target_size, label_mode for class_mode, the same batch_size; the dataset is then passed "
                   "straight to fit, with no steps_per_epoch.")


ex2 = Exercise(
    "ex2",
    "the dataset returned by keras.utils.image_dataset_from_directory(...)",
    _check_dataset,
    hint="keras.utils.image_dataset_from_directory(directory, image_size=..., batch_size=..., label_mode=...): "
    "target_size becomes image_size and class_mode becomes label_mode.",
    solution='''
answer = keras.utils.image_dataset_from_directory(
    root / "train", image_size=(150, 150), batch_size=20, label_mode="binary", seed=42
)''',
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
