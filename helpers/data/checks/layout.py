"""Check where a dataset is and how it is laid out, before anything is loaded: one clear message each.

A path with ``~``, an archive not yet extracted, a misspelt folder or class name (the closest ones
are suggested), ``classes="cats,dogs"`` given as one string, a dataset root whose sub-folders are
``train/`` and ``validation/`` (splits, not classes), a validation folder with a class the training
folder lacks, and impossible sizes or label modes. Used by :mod:`helpers.data.folders`,
:mod:`helpers.data.checks.scan`, :mod:`helpers.data.checks.rules` and :mod:`helpers.data.labels_csv`.

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

from helpers.data.checks.image_check import is_ignored
from helpers.data.paths import pretty_path
from helpers.errors import FolderError, TrainSettingError, did_you_mean

#: File names that are archives, not folders (a download not yet extracted).
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".gz", ".tar.bz2", ".tar.xz", ".7z", ".rar")


def as_folder(directory: os.PathLike | str, what: str = "") -> Path:
    """``directory`` as a :class:`~pathlib.Path` (``~`` expanded); raise :class:`FolderError` if it is no folder.

    The message says what it is instead (an archive to extract, a file) or suggests the closest
    folder name beside it. ``what`` names the role, for example ``"training "``.
    """
    path = Path(directory).expanduser()
    if path.is_dir():
        return path
    name = f"The {what}folder {pretty_path(path)}" if what else pretty_path(path)
    if path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES):
        raise FolderError(f"{name} is an archive, not a folder: extract it first (shutil.unpack_archive(...), or "
                          "helpers.data.download.fetch for a course dataset) and give the extracted folder.")
    if path.is_file():
        raise FolderError(f"{name} is a file, not a folder; give the folder that holds the class sub-folders.")
    try:
        siblings = [p.name for p in path.parent.iterdir() if p.is_dir()] if path.parent.is_dir() else []
    except OSError:
        siblings = []
    hint = did_you_mean(path.name, siblings)
    if what:
        raise FolderError(f"{name} does not exist{hint}; check the path.")
    raise FolderError(f"{name} is not a folder{hint}; check the path.")


#: Sub-folder names that are splits of a dataset, not classes (compared in lower case).
SPLIT_NAMES = ("train", "training", "validation", "valid", "val", "test", "testing", "dev", "eval")


def check_class_list(classes) -> None:
    """Raise :class:`FolderError` when ``classes=`` is not a list of distinct names (a string, a repeated name)."""
    if classes is None:
        return
    if isinstance(classes, (str, bytes)):
        raise FolderError(f"classes= takes a list of class names, such as classes=['cats', 'dogs'], not the string {classes!r}.")
    repeated = sorted({name for name in classes if list(classes).count(name) > 1})
    if repeated:
        raise FolderError(f"classes= names {repeated[0]!r} more than once; list each class once (its place in the list is its label).")


#: The label modes the course's datasets make.
LABEL_MODES = ("int", "categorical", "binary")


def check_options(image_size, batch_size: int, label_mode: str, **caps: int | None) -> tuple[int, int]:
    """``image_size`` as ``(height, width)``; raise :class:`TrainSettingError` for sizes, caps
    (``max_train=0``) or a label mode that cannot work."""
    for name, cap in caps.items():
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, numbers.Integral) or cap < 1):
            raise TrainSettingError(f"{name} must be a whole number of images, 1 or more, or None for all; not {cap!r}.")
    try:
        size = (int(image_size), int(image_size)) if isinstance(image_size, (int, float)) else (int(image_size[0]), int(image_size[1]))
    except (TypeError, ValueError, IndexError):
        raise TrainSettingError(f"image_size must be (height, width) in pixels, such as (180, 180), not {image_size!r}.") from None
    if min(size) < 1:
        raise TrainSettingError(f"image_size must be 1 pixel or more each way, such as (180, 180), not {image_size!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise TrainSettingError(f"The batch size must be a whole number, 1 or more (32 is usual), not {batch_size!r}.")
    if label_mode not in LABEL_MODES:
        raise TrainSettingError(f"label_mode must be one of {', '.join(repr(m) for m in LABEL_MODES)}, not {label_mode!r}"
                                f"{did_you_mean(str(label_mode), LABEL_MODES)}.")
    return size


def check_validation_classes(scan, validation_dir: Path) -> None:
    """Raise :class:`FolderError` naming the class folders of ``validation_dir`` that the training folder lacks.

    Their images would otherwise be left out without a word (the model cannot predict a class it never saw).
    """
    if os.path.realpath(validation_dir) == os.path.realpath(scan.root):
        raise FolderError(f"The validation folder {pretty_path(validation_dir)} is the training folder itself: the model would be "
                          "validated on the images it trains on; give a second folder, or validation_split=0.2 instead.")
    trained = {path.name for path in scan.root.iterdir() if path.is_dir()}
    extra = sorted(p.name for p in validation_dir.iterdir() if p.is_dir() and not is_ignored(p.name) and p.name not in trained)
    if extra:
        raise FolderError(
            f"The validation folder {pretty_path(validation_dir)} has class folder(s) the training folder "
            f"{pretty_path(scan.root)} lacks: {', '.join(extra)}; the model cannot learn a class it never sees: "
            f"add {extra[0]}/ to the training folder, or move it out of the validation folder."
        )


def check_not_splits(scan) -> None:
    """Raise :class:`FolderError` when the "classes" of a scan are the splits of a dataset (``train/``, ``validation/``...)."""
    names = scan.class_names
    if not names or not all(name.lower() in SPLIT_NAMES for name in names):
        return
    train = next((name for name in names if name.lower() in ("train", "training")), None)
    validation = next((name for name in names if name.lower() in ("validation", "valid", "val", "dev")), None)
    root = pretty_path(scan.root)
    if train is None:
        raise FolderError(f"The sub-folders of {root} ({', '.join(names)}) are the splits of a dataset, not classes: "
                          "pass one of them, the folder whose sub-folders are the classes.")
    advice = f"pass {root}/{train} as the folder"
    if validation:
        from helpers.data.paths import shell_path

        advice += (f" and validation_dir={f'{root}/{validation}'!r} (in a terminal: python -m helpers.train "
                   f"{shell_path(scan.root / train)} --validation-dir {shell_path(scan.root / validation)})")
    raise FolderError(f"The sub-folders of {root} ({', '.join(names)}) look like the splits of a dataset, not its classes: {advice}.")


def check_no_empty_class(scan) -> None:
    """Raise :class:`FolderError` for the first class of a :class:`~helpers.data.checks.scan.FolderScan` without usable images."""
    for row in scan.classes:
        if row.images == 0:
            bad = [p for p in scan.problems if row.folder in p.path.parents]
            why = f" (its {len(bad)} file(s) cannot be used, e.g. {bad[0]})" if bad else ""
            raise FolderError(
                f"The class folder {pretty_path(row.folder)} holds no images{why}; add images, or leave it out with classes=[...]."
            )
