"""Check a dataset before training: images per class, a batch size that fits, classes too small to split.

Older tools failed outright on small data: ``flow_from_directory`` with a batch larger than the
folder, a class with two images and a 20% validation split. :func:`check_sizes` instead adjusts what
it can and says so in one line, and :func:`class_counts` stops only where training cannot work (a
class folder without images, a class name that is not a folder).

Introduced in ``05_flowers_train_from_folder.ipynb``; used by :mod:`helpers.train`.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence

from helpers.data.checks.layout import as_folder, check_no_empty_class, check_not_splits
from helpers.data.checks.scan import scan_folder
from helpers.data.paths import pretty_path
from helpers.errors import FolderError, TrainSettingError
from helpers.language import _


def class_counts(directory: os.PathLike | str, classes: Sequence[str] | None = None) -> dict[str, int]:
    """Usable images in each class sub-folder of ``directory`` (sub-sub-folders included), in label order.

    The folder is scanned first (:func:`helpers.data.checks.scan.scan_folder`, cached): unreadable and
    non-image files are not counted, and hidden or system folders (``.ipynb_checkpoints``,
    ``__MACOSX``) are never classes.

    Raises:
        FolderError: no class sub-folders, a name in ``classes`` that is not one, only one class
            (when ``classes`` is not given), or a class without usable images.
    """
    root = as_folder(directory)
    scan = scan_folder(root, classes)
    if classes is None:
        check_not_splits(scan)
    if classes is None and len(scan.classes) == 1:
        raise FolderError(
            _("{root} has only one class sub-folder, {name!r}; a classifier needs at least two: "
              "put the images of each class in its own sub-folder.").format(root=pretty_path(root), name=scan.class_names[0])
        )
    check_no_empty_class(scan)
    return scan.counts


#: What :func:`check_split_settings` requires, by caller.
SPLIT_NEEDS = ("validation", "validation_split", "nothing")


def _fraction(name: str, value, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise TrainSettingError(_("{name} must be between 0 and 1 (for example {example}), not {value!r}.").format(
            name=name, example=example, value=value))
    return float(value)


def check_split_settings(
    validation_split: float | None = None,
    test_split: float | None = None,
    validation_dir: os.PathLike | str | None = None,
    *,
    needs: str = "validation",
) -> float:
    """Check the split settings before any folder is read; return the held-out fraction of one folder.

    The one check of ``validation_split``, ``validation_dir`` and ``test_split`` (folders, CSV files,
    ``train_from_folder``). Each fraction given must be between 0 and 1, and so must their sum;
    ``test_split`` of ``None`` or ``0`` means no test split.

    Args:
        needs: what the caller cannot do without: ``"validation"`` exactly one of ``validation_split``
            and ``validation_dir`` (:func:`helpers.data.folders.image_datasets`); ``"validation_split"`` (a CSV
            file: no second folder); ``"nothing"``.

    Returns:
        The fractions given, added: ``validation_split + test_split`` (0 where neither is given).

    Raises:
        TrainSettingError: a setting that cannot work (always this one type, a ``ValueError``).
    """
    if needs not in SPLIT_NEEDS:
        raise TrainSettingError(_("needs must be one of {needs_values}, not {needs!r}.").format(
            needs_values=", ".join(repr(n) for n in SPLIT_NEEDS), needs=needs))
    if needs == "validation" and (validation_split is None) == (validation_dir is None):
        raise TrainSettingError(_("Give exactly one of validation_split (a fraction of the folder, such as 0.2) or validation_dir "
                                  "(a second folder), not both or neither."))
    if needs == "validation_split" and validation_dir is not None:
        raise TrainSettingError(_("validation_dir is for folders of class sub-folders; here give validation_split (such as 0.2)."))
    held_out = 0.0
    if validation_split is not None or needs == "validation_split":
        held_out += _fraction("validation_split", validation_split, "0.2")
    if test_split is not None and test_split != 0:
        held_out += _fraction("test_split", test_split, "0.5" if validation_split is None else "0.1")
    if validation_split is not None and held_out >= 1:
        raise TrainSettingError(_("validation_split + test_split must be between 0 and 1 (for example 0.2 and 0.1), not {held_out:g}.").format(
            held_out=held_out))
    return held_out


def split_sizes(total: int, validation_split: float | None, test_split: float | None = None) -> dict[str, int]:
    """How many of ``total`` images each split gets, cut as ``image_dataset_from_directory`` cuts (rounding down)."""
    held = int(((validation_split or 0.0) + (test_split or 0.0)) * total)
    sizes = {"training": total - held}
    if test_split and validation_split:
        sizes["validation"] = round(held * validation_split / (validation_split + test_split))
        sizes["test"] = held - sizes["validation"]
    elif validation_split:
        sizes["validation"] = held
    elif test_split:
        sizes = {"validation": total - held, "test": held}  # a validation folder cut into validation and test
    return sizes


def check_split(total: int, validation_split: float | None, test_split: float | None = None, where: str | None = None) -> dict[str, int]:
    """The split sizes of :func:`split_sizes`; raise :class:`TrainSettingError` when one of them would be empty.

    (Keras's own loader then fails with "No training images found", even when the empty split is the validation one.)
    """
    sizes = split_sizes(total, validation_split, test_split)
    empty = [name for name, size in sizes.items() if size < 1]
    if empty:
        needed = next((n for n in range(total + 1, 100_000) if min(split_sizes(n, validation_split, test_split).values()) >= 1), None)
        fractions = ", ".join(f"{name} {value:g}" for name, value in (("validation_split", validation_split), ("test_split", test_split)) if value)
        where = _("the folder") if where is None else where
        if needed:
            message = _("Splitting the {total} images of {where} ({fractions}) leaves the {split} split empty: "
                        "add images (at least {needed} in all), or change validation_split/test_split.")
        else:
            message = _("Splitting the {total} images of {where} ({fractions}) leaves the {split} split empty: "
                        "change validation_split/test_split.")
        raise TrainSettingError(message.format(total=total, where=where, fractions=fractions, split=_(empty[0]), needed=needed))
    return sizes


def check_training_numbers(**values: float | int | None) -> None:
    """Raise :class:`TrainSettingError` for a training number that cannot work; ``None`` means "not given".

    Keras accepts a negative learning rate (it then climbs the loss instead of descending it), a
    clip norm of 0 and a negative patience without a word. Checked before any data is loaded
    (``train_from_folder``): ``learning_rate``, ``fine_tune_learning_rate`` and ``clipnorm`` must be
    positive numbers, ``patience``, ``fine_tune_epochs`` and ``fine_tune_layers`` whole numbers of 0 or more.
    """
    usual = {"learning_rate": "1e-3", "fine_tune_learning_rate": "1e-5", "clipnorm": "1.0", "patience": "10",
             "fine_tune_epochs": "5", "fine_tune_layers": "20"}
    for name, value in values.items():
        if value is None:
            continue
        whole = name in ("patience", "fine_tune_epochs", "fine_tune_layers")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and int(value) != value):
            message = (_("{name} must be a whole number, such as {example}, not {value!r}.") if whole
                       else _("{name} must be a number, such as {example}, not {value!r}."))
            raise TrainSettingError(message.format(name=name, example=usual.get(name, 1), value=value))
        if not math.isfinite(value) or (value < 0 if whole else value <= 0):
            message = (_("{name} must be 0 or more (for example {example}), not {value!r}.") if whole
                       else _("{name} must be more than 0 (for example {example}), not {value!r}."))
            raise TrainSettingError(message.format(name=name, example=usual.get(name, 1), value=value))


def check_sizes(
    per_class: dict[str, int], batch_size: int, validation_split: float | None = None, test_split: float | None = None
) -> tuple[int, list[str]]:
    """The batch size to use, and notes on what is too small (where older tools simply failed).

    - A batch larger than the training images is clamped to their number.
    - A class with fewer images than a validation split needs to hold out even one of them
      (5 for a 20% split) is kept, with a note: the split is random, so it may get none.

    Returns:
        ``(batch_size, notes)``.
    """
    if len(per_class) < 2:
        raise FolderError(_("A classifier needs at least two classes, not {count}; add class sub-folders (or labels), "
                            "or list more in classes=[...].").format(count=len(per_class)))
    if batch_size < 1:
        raise TrainSettingError(_("The batch size must be 1 or more, not {batch_size}.").format(batch_size=batch_size))
    check_split_settings(validation_split, test_split, needs="nothing")
    total = sum(per_class.values())
    if validation_split:
        check_split(total, validation_split, test_split)
    train_images = total - int(((validation_split or 0.0) + (test_split or 0.0)) * total)  # image_dataset_from_directory's cut
    notes = []
    if batch_size > train_images:
        notes.append(_("batch size {batch_size} is larger than the {train_images} training images: using {train_images}.").format(
            batch_size=batch_size, train_images=train_images))
        batch_size = train_images
    if validation_split:
        needed = math.ceil(1 / validation_split)
        one = _("class {name!r} has only {count} image, fewer than the {needed} a {split:.0%} "
                "validation split needs to hold out one: training anyway, but it may have no validation image.")
        several = _("class {name!r} has only {count} images, fewer than the {needed} a {split:.0%} "
                    "validation split needs to hold out one: training anyway, but it may have no validation image.")
        notes += [
            (one if count == 1 else several).format(name=name, count=count, needed=needed, split=validation_split)
            for name, count in per_class.items() if count < needed
        ]
    return batch_size, notes
