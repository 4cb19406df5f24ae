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
from helpers.language import N_, _

#: The roles a folder plays in messages ("The training folder ..."), marked for the catalogues.
ROLES = (N_("training"), N_("validation"), N_("test"))

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
    name = _("The {role} folder {path}").format(role=_(what.strip()), path=pretty_path(path)) if what else pretty_path(path)
    if path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES):
        raise FolderError(_("{name} is an archive, not a folder: extract it first (shutil.unpack_archive(...), or "
                            "helpers.data.download.fetch for a course dataset) and give the extracted folder.").format(name=name))
    if path.is_file():
        raise FolderError(_("{name} is a file, not a folder; give the folder that holds the class sub-folders.").format(name=name))
    try:
        siblings = [p.name for p in path.parent.iterdir() if p.is_dir()] if path.parent.is_dir() else []
    except OSError:
        siblings = []
    hint = did_you_mean(path.name, siblings)
    if what:
        raise FolderError(_("{name} does not exist{suggestion}; check the path.").format(name=name, suggestion=hint))
    raise FolderError(_("{name} is not a folder{suggestion}; check the path.").format(name=name, suggestion=hint))


#: Sub-folder names that are splits of a dataset, not classes (compared in lower case).
SPLIT_NAMES = ("train", "training", "validation", "valid", "val", "test", "testing", "dev", "eval")


def check_class_list(classes) -> None:
    """Raise :class:`FolderError` when ``classes=`` is not a list of distinct names (a string, a repeated name)."""
    if classes is None:
        return
    if isinstance(classes, (str, bytes)):
        raise FolderError(_("classes= takes a list of class names, such as classes=['cats', 'dogs'], not the string {classes!r}.").format(
            classes=classes))
    repeated = sorted({name for name in classes if list(classes).count(name) > 1})
    if repeated:
        raise FolderError(_("classes= names {name!r} more than once; list each class once (its place in the list is its label).").format(
            name=repeated[0]))


#: The label modes the course's datasets make.
LABEL_MODES = ("int", "categorical", "binary")


def check_options(image_size, batch_size: int, label_mode: str, **caps: int | None) -> tuple[int, int]:
    """``image_size`` as ``(height, width)``; raise :class:`TrainSettingError` for sizes, caps
    (``max_train=0``) or a label mode that cannot work."""
    for name, cap in caps.items():
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, numbers.Integral) or cap < 1):
            raise TrainSettingError(_("{name} must be a whole number of images, 1 or more, or None for all; not {cap!r}.").format(
                name=name, cap=cap))
    try:
        size = (int(image_size), int(image_size)) if isinstance(image_size, (int, float)) else (int(image_size[0]), int(image_size[1]))
    except (TypeError, ValueError, IndexError):
        raise TrainSettingError(_("image_size must be (height, width) in pixels, such as (180, 180), not {image_size!r}.").format(
            image_size=image_size)) from None
    if min(size) < 1:
        raise TrainSettingError(_("image_size must be 1 pixel or more each way, such as (180, 180), not {image_size!r}.").format(
            image_size=image_size))
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise TrainSettingError(_("The batch size must be a whole number, 1 or more (32 is usual), not {batch_size!r}.").format(
            batch_size=batch_size))
    if label_mode not in LABEL_MODES:
        raise TrainSettingError(_("label_mode must be one of {modes}, not {label_mode!r}{suggestion}.").format(
            modes=", ".join(repr(m) for m in LABEL_MODES), label_mode=label_mode, suggestion=did_you_mean(str(label_mode), LABEL_MODES)))
    return size


def check_validation_classes(scan, validation_dir: Path) -> None:
    """Raise :class:`FolderError` naming the class folders of ``validation_dir`` that the training folder lacks.

    Their images would otherwise be left out without a word (the model cannot predict a class it never saw).
    """
    if os.path.realpath(validation_dir) == os.path.realpath(scan.root):
        raise FolderError(_("The validation folder {folder} is the training folder itself: the model would be "
                            "validated on the images it trains on; give a second folder, or validation_split=0.2 instead.").format(
            folder=pretty_path(validation_dir)))
    trained = {path.name for path in scan.root.iterdir() if path.is_dir()}
    extra = sorted(p.name for p in validation_dir.iterdir() if p.is_dir() and not is_ignored(p.name) and p.name not in trained)
    if extra:
        raise FolderError(
            _("The validation folder {folder} has class folder(s) the training folder "
              "{training} lacks: {extra}; the model cannot learn a class it never sees: "
              "add {first}/ to the training folder, or move it out of the validation folder.").format(
                folder=pretty_path(validation_dir), training=pretty_path(scan.root), extra=", ".join(extra), first=extra[0])
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
        raise FolderError(_("The sub-folders of {root} ({names}) are the splits of a dataset, not classes: "
                            "pass one of them, the folder whose sub-folders are the classes.").format(root=root, names=", ".join(names)))
    if validation:
        from helpers.data.paths import shell_path

        advice = _("pass {root}/{train} as the folder and validation_dir={validation_dir!r} (in a terminal: python -m helpers.train "
                   "{train_path} --validation-dir {validation_path})").format(
            root=root, train=train, validation_dir=f"{root}/{validation}", train_path=shell_path(scan.root / train),
            validation_path=shell_path(scan.root / validation))
    else:
        advice = _("pass {root}/{train} as the folder").format(root=root, train=train)
    raise FolderError(_("The sub-folders of {root} ({names}) look like the splits of a dataset, not its classes: {advice}.").format(
        root=root, names=", ".join(names), advice=advice))


def check_no_empty_class(scan) -> None:
    """Raise :class:`FolderError` for the first class of a :class:`~helpers.data.checks.scan.FolderScan` without usable images."""
    for row in scan.classes:
        if row.images == 0:
            bad = [p for p in scan.problems if row.folder in p.path.parents]
            why = _(" (its {count} file(s) cannot be used, e.g. {example})").format(count=len(bad), example=bad[0]) if bad else ""
            raise FolderError(
                _("The class folder {folder} holds no images{why}; add images, or leave it out with classes=[...].").format(
                    folder=pretty_path(row.folder), why=why)
            )
