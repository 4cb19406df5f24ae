"""Exercises of ``04_cats_vs_dogs_augmentation.ipynb``: where augmentation goes, and Keras 2 lines in Keras 3."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from helpers.exercises.base import ____, Exercise, Feedback, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3"]


# ---------------------------------------------------------------- ex1: which split may be augmented

_SPLIT_NAMES = {"train": "train", "training": "train", "validation": "validation", "val": "validation", "valid": "validation",
                "test": "test", "testing": "test"}


def _check_splits(answer: Any) -> Feedback:
    chosen = [answer] if isinstance(answer, str) else list(answer)
    unknown = [name for name in chosen if str(name).strip().lower() not in _SPLIT_NAMES]
    if unknown:
        return wrong(f"{unknown[0]!r} is not a split; the three are 'train', 'validation' and 'test'.")
    splits = {_SPLIT_NAMES[str(name).strip().lower()] for name in chosen}
    if "validation" in splits:
        return wrong("augmenting the validation split changes the score that early stopping and your choices rely on: it would "
                     "measure the model on distorted photos, a different one each epoch. Validate on the photos as they are.")
    if "test" in splits:
        return wrong("the test split is the one honest measure of how the model does on real, new photos; "
                     "augmenting it measures something else.")
    if not splits:
        return wrong("an empty choice turns augmentation off altogether; with 2,000 photos the model then memorises them quickly.")
    return correct("only the training split: augmentation shows the model new variants to learn from, while validation and test "
                   "measure it on real photos (augment.augment_dataset is applied to splits.train only).")


ex1 = Exercise(
    "ex1",
    "the names of the splits to augment, as a list such as [\"train\", \"test\"]",
    _check_splits,
    hint="Augmentation is a way to learn from more varied images. Which splits does the model learn from, and which ones "
    "only measure it?",
    solution='answer = ["train"]',
    answer=["train"],
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


# ---------------------------------------------------------------- ex3: rotation_range=40 as a layer


def _check_rotation(answer: Any) -> Feedback:
    factor = answer
    if hasattr(answer, "get_config") and type(answer).__name__ == "RandomRotation":
        factor = answer.get_config()["factor"]
    if isinstance(factor, (tuple, list)):
        low, high = (float(v) for v in factor)
        if not math.isclose(low, -high, rel_tol=1e-3):
            return wrong(f"the range ({low:g}, {high:g}) is not symmetric; rotation_range=40 turned either way, by up to 40 degrees.")
        factor = high
    factor = abs(float(factor))
    if math.isclose(factor, 40 / 360, rel_tol=1e-2):
        return correct("RandomRotation(40 / 360): the factor is a fraction of a full turn, and 0.111 of 360 degrees is 40 degrees.")
    if math.isclose(factor, 40, rel_tol=1e-3):
        return wrong("40 would be 40 full turns: RandomRotation takes a fraction of a full turn (360 degrees), not degrees.")
    if math.isclose(factor, math.radians(40), rel_tol=1e-2):
        return wrong(f"{factor:.3f} is 40 degrees in radians; RandomRotation takes a fraction of a full turn (360 degrees).")
    if math.isclose(factor, 40 / 180, rel_tol=1e-2):
        return wrong("40 / 180 counts in half turns; RandomRotation's factor is a fraction of a *full* turn, 360 degrees.")
    if math.isclose(factor, 0.4, rel_tol=1e-3):
        return wrong("0.4 of a full turn is 144 degrees; the old setting was 40 degrees.")
    return wrong(f"a factor of {factor:g} turns images by up to {factor * 360:.0f} degrees, not 40.")


ex3 = Exercise(
    "ex3",
    "RandomRotation's factor (a number) for rotation_range=40, or the layer itself",
    _check_rotation,
    hint="help(keras.layers.RandomRotation): 'factor ... represented as fraction of 2 Pi'. How much of a full turn is 40 degrees?",
    solution='''
answer = 40 / 360
rotation = keras.layers.RandomRotation(answer, fill_mode="nearest")''',
    answer=40 / 360,
)
