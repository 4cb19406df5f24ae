"""Datasets from a folder of class sub-folders, with Keras's ``image_dataset_from_directory``.

A folder such as ``cats_and_dogs_filtered/train`` holds one sub-folder per class (``cats/``,
``dogs/``); the sub-folder names become the class names, in alphabetical order. This module turns
such folders into ``tf.data`` pipelines that are ready for ``model.fit``::

    splits = folders.image_datasets(root / "train", (150, 150), validation_dir=root / "validation", test_split=0.5)
    model.fit(splits.train, validation_data=splits.validation, epochs=30)
    model.evaluate(splits.test)

Every split is decoded and resized once, kept in memory (``cache``), shuffled (training only),
batched and loaded ahead of the model (``prefetch(AUTOTUNE)``). A held-out **test** split can be
carved from the validation folder (or from the one folder) so that the model never sees it while
training or while choosing its best epoch.

Introduced in ``04_cats_vs_dogs_augmentation.ipynb``; ``train_from_folder`` (notebook 05) builds on it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers.data.checks.layout import as_folder, check_no_empty_class, check_not_splits, check_options, check_validation_classes
from helpers.data.checks.quarantine import quarantine as quarantine_problem_files
from helpers.data.checks.rules import check_split, check_split_settings
from helpers.data.checks.scan import remove_copies, scan_folder
from helpers.data.filelist import scan_datasets
from helpers.data.paths import pretty_path
from helpers.data.registry import KERAS_SUFFIXES, count_image_names
from helpers.errors import FolderError, TrainSettingError
from helpers.language import _
from helpers.tables import text_table

# Keras 3.15 warns that fit's own shuffle=True (its default) is ignored for a tf.data.Dataset. The
# datasets made here reshuffle themselves every epoch, so the warning only confuses.
warnings.filterwarnings("ignore", message="`shuffle=True` was passed, but will be ignored", category=UserWarning)

#: The image types ``image_dataset_from_directory`` reads (others in the folders are ignored).
READABLE_SUFFIXES = KERAS_SUFFIXES


@dataclass
class FolderDatasets:
    """The splits made from image folders, ready for ``fit``/``evaluate``.

    Attributes:
        train: batches of ``(images, labels)``, shuffled each epoch; augment these only.
        validation: batches for ``validation_data=``: watched every epoch (curves, early stopping).
        test: batches the model never sees while training, or ``None`` when no test split was asked for.
        class_names: the class sub-folder names; label ``i`` is ``class_names[i]``.
        image_size: ``(height, width)`` every image was resized to.
        counts: number of images in each split, for example ``{"train": 2000, "validation": 500, "test": 500}``.
        test_files: the files of the test split, in the order the test dataset yields them.
    """

    train: object
    validation: object
    test: object | None
    class_names: list[str]
    image_size: tuple[int, int]
    counts: dict[str, int] = field(default_factory=dict)
    test_files: list[str] = field(default_factory=list)


def _check_class_folder(directory: Path, role: str) -> None:
    as_folder(directory, f"{role} ")
    if not any(child.is_dir() for child in directory.iterdir()):
        raise FolderError(
            _("The {role} folder {folder} has no sub-folders; put the images of each class "
              "in a sub-folder named after the class (for example train/cats/, train/dogs/).").format(
                role=_(role), folder=pretty_path(directory))
        )


def count_images(directory: os.PathLike | str) -> dict[str, int]:
    """Count the image files under ``directory``, per folder that holds them.

    Only the types ``image_dataset_from_directory`` reads are counted (see ``READABLE_SUFFIXES``).

    Returns:
        ``{relative folder: number of images}``, sorted by folder, for example
        ``{"train/cats": 1000, "train/dogs": 1000, "validation/cats": 500, ...}``.
    """
    root = as_folder(directory)
    counts: dict[str, int] = {}
    for folder, _subfolders, files in sorted(os.walk(root)):
        images = count_image_names(files, READABLE_SUFFIXES)
        if images:
            counts[Path(folder).relative_to(root).as_posix()] = images
    return counts


def describe_folder(directory: os.PathLike | str) -> str:
    """A short text table of :func:`count_images`: one line per folder, with a total."""
    counts = count_images(directory)
    rows = [(name, f"{count:,}", _("images")) for name, count in counts.items()]
    rows.append((_("total"), f"{sum(counts.values()):,}", _("images")))
    return text_table(rows, align="lrl", min_widths=(0, 6), gap=("  ", " "))


def prepare(
    dataset,
    batch_size: int = 32,
    *,
    training: bool = False,
    augmentation: Callable | None = None,
    max_images: int | None = None,
    cache: bool | str = True,
    seed: int = 42,
):
    """Make an unbatched ``(image, label)`` dataset fast to train on.

    The steps, in order: keep the first ``max_images`` (a smaller run), ``cache()`` the decoded
    images, ``shuffle`` them afresh each epoch (``training=True`` only), ``batch``, apply
    ``augmentation`` to each batch (training only: a new random variant every epoch, after the
    cache), and ``prefetch(AUTOTUNE)`` so the next batch is ready while the model works on this one.

    Args:
        dataset: a ``tf.data.Dataset`` of single images and labels.
        training: shuffle every epoch, and allow augmentation.
        augmentation: a Keras layer or model applied with ``training=True`` to each training batch.
        max_images: keep only this many images (``None``: all).
        cache: ``True`` keeps the decoded images in memory; a file name caches them on disk instead
            (for datasets larger than memory); ``False`` decodes every JPEG again each epoch.
    """
    import tensorflow as tf

    if augmentation is not None and not training:
        raise TrainSettingError(_("augmentation is for training data only: pass training=True, or drop augmentation=."))
    if max_images is not None:
        dataset = dataset.take(max_images)
    if cache:
        dataset = dataset.cache(cache if isinstance(cache, str) else "")
    if training:
        dataset = dataset.shuffle(1024, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if augmentation is not None:
        from helpers.augment import augment_dataset

        return augment_dataset(dataset, augmentation)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _load(directory: Path, image_size: tuple[int, int], classes: Sequence[str] | None = None, scan=None, **options):
    """``image_dataset_from_directory`` without batching, and without its "Using N files for ..." lines.

    With a ``scan`` that found files Keras would trip over (see :mod:`helpers.data.checks.scan`), the same
    datasets are built from the scan's usable files instead (:func:`helpers.data.filelist.scan_datasets`).
    """
    import keras

    if scan is not None and not scan.keras_ready:
        return scan_datasets(scan, image_size, **options)
    if scan is not None:
        classes = scan.class_names

    loud = keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()  # its split messages would call the test split "validation"
    try:
        return keras.utils.image_dataset_from_directory(
            directory, image_size=image_size, batch_size=None, class_names=list(classes) if classes else None,
            verbose=False, **options,
        )
    finally:
        if loud:
            keras.config.enable_interactive_logging()


def image_datasets(
    directory: os.PathLike | str,
    image_size: tuple[int, int] = (150, 150),
    batch_size: int = 32,
    *,
    validation_split: float | None = None,
    validation_dir: os.PathLike | str | None = None,
    test_split: float | None = None,
    seed: int = 42,
    classes: Sequence[str] | None = None,
    label_mode: str = "int",
    augmentation: Callable | None = None,
    max_train: int | None = None,
    max_eval: int | None = None,
    cache: bool = True,
    verbose: bool = True,
    quarantine: bool = False,
) -> FolderDatasets:
    """Training, validation and (optionally) test datasets from folders of class sub-folders.

    Give exactly one of ``validation_split`` (hold out that fraction of ``directory``) or
    ``validation_dir`` (a second folder laid out like the first). ``test_split`` then carves a
    test split out of the held-out images: half of them with ``test_split=0.5`` from a validation
    folder, or that fraction of all the images with ``validation_split``.

    Args:
        directory: the training folder: one sub-folder per class.
        image_size: ``(height, width)`` every image is resized to.
        batch_size: images per batch.
        seed: fixes the shuffles and the splits, so every run uses the same images in each split.
        classes: use only these class sub-folders, in this order (default: all, alphabetical).
        label_mode: ``"int"`` (class index, for ``sparse_categorical_crossentropy``), ``"binary"``
            (0.0/1.0 for a single sigmoid output and ``binary_crossentropy``; two classes only) or
            ``"categorical"`` (one-hot).
        augmentation: layers applied to training batches only (see :mod:`helpers.augment`).
        max_train, max_eval: keep only this many training images, and this many in each of the
            validation and test splits (the quick profile's smaller runs; ``None``: all).
        cache: keep the decoded images in memory (``False`` for datasets larger than memory:
            every JPEG is then decoded again each epoch, and ``max_train``/``max_eval`` then draw
            a new random subset each epoch).
        verbose: print the scan's summary and how many images each split holds.
        quarantine: move the problem files the scan finds to ``<folder>_quarantine`` (with a log)
            instead of only skipping them (see :func:`helpers.data.checks.quarantine`).

    Each folder is first scanned (:func:`helpers.data.checks.scan.scan_folder`; cached, so fast when nothing
    changed): unreadable and non-image files are skipped and named, hidden and system entries
    (``.ipynb_checkpoints``, ``Thumbs.db``...) ignored, and images TensorFlow reads wrongly
    (EXIF-rotated, palette BMP, TIFF...) read through Pillow. The folders themselves are never changed.

    Returns:
        A :class:`FolderDatasets` with ``train``, ``validation``, ``test``, ``class_names``, ``counts``.
    """
    train_dir = as_folder(directory, "training ")
    _check_class_folder(train_dir, "training")
    held_out = check_split_settings(validation_split, test_split, validation_dir)
    image_size = check_options(image_size, batch_size, label_mode, max_train=max_train, max_eval=max_eval)
    scan = _scanned(train_dir, classes, batch_size, verbose=verbose, quarantine=quarantine)  # train_from_folder notes small splits
    classes = scan.class_names
    if label_mode == "binary" and len(classes) != 2:
        raise TrainSettingError(_("label_mode='binary' needs exactly two classes, not {count}; use label_mode='int' or 'categorical'.").format(
            count=len(classes)))
    if validation_dir is None:
        check_split(sum(scan.counts.values()), validation_split, test_split, pretty_path(train_dir))
    options = dict(seed=seed, classes=classes, label_mode=label_mode)
    test = None
    if validation_dir is not None:
        train = _load(train_dir, image_size, scan=scan, shuffle=True, **options)
        validation_dir = as_folder(validation_dir, "validation ")
        _check_class_folder(validation_dir, "validation")
        check_validation_classes(scan, validation_dir)
        scan_validation = _scanned(validation_dir, classes, verbose=verbose, quarantine=quarantine)
        _remove_training_copies(scan_validation, scan, verbose)
        if test_split:
            check_split(sum(scan_validation.counts.values()), None, test_split, pretty_path(validation_dir))
        if test_split:
            validation, test = _load(validation_dir, image_size, scan=scan_validation, validation_split=test_split,
                                     subset="both", **options)
        else:
            validation = _load(validation_dir, image_size, scan=scan_validation, shuffle=True, **options)
    else:
        train, validation = _load(train_dir, image_size, scan=scan, validation_split=held_out, subset="both", **options)
        if test_split:
            files = list(validation.file_paths)
            size = round(len(files) * validation_split / held_out)
            validation, test = validation.take(size), validation.skip(size)
            validation.file_paths, test.file_paths = files[:size], files[size:]
    class_names = list(train.class_names)
    available = {"train": len(train.file_paths), "validation": len(validation.file_paths)}
    if test is not None:
        available["test"] = len(test.file_paths)
    caps = {"train": max_train, "validation": max_eval, "test": max_eval}
    counts = {split: min(total, caps[split] or total) for split, total in available.items()}
    test_files = list(test.file_paths)[: counts["test"]] if test is not None else []
    if verbose:
        print(_("classes: {names}").format(names=", ".join(class_names)))
        for split, count in counts.items():
            if count < available[split]:
                print(_("{split:<10} {count:>6,} images (of {available:,})").format(split=split, count=count, available=available[split]))
            else:
                print(_("{split:<10} {count:>6,} images").format(split=split, count=count))
    return FolderDatasets(
        train=prepare(
            train, batch_size, training=True, augmentation=augmentation, max_images=max_train, cache=cache, seed=seed
        ),
        validation=prepare(validation, batch_size, max_images=max_eval, cache=cache),
        test=prepare(test, batch_size, max_images=max_eval, cache=cache) if test is not None else None,
        class_names=class_names,
        image_size=image_size,
        counts=counts,
        test_files=test_files,
    )


def _scanned(folder: Path, classes: Sequence[str] | None, batch_size: int | None = None, validation_split: float | None = None,
             verbose: bool = True, quarantine: bool = False):
    """Scan ``folder`` (see :mod:`helpers.data.checks.scan`), print its summary, and stop where no dataset can be made."""
    scan = scan_folder(folder, classes, batch_size=batch_size, validation_split=validation_split)
    if quarantine and scan.problems:
        quarantine_problem_files(scan, verbose=verbose)
        scan = scan_folder(folder, classes, batch_size=batch_size, validation_split=validation_split)
    if classes is None:
        check_not_splits(scan)
    if verbose:
        print(scan.summary())
    check_no_empty_class(scan)
    return scan


def _remove_training_copies(validation_scan, training_scan, verbose: bool) -> dict:
    """Leave out of the validation folder the photos that are also in the training folder, saying so."""
    removed = remove_copies(validation_scan, training_scan)
    if removed and verbose:
        copy, original = next(iter(removed.items()))
        print(_("note: {count} validation image(s) are copies of training images, e.g. {copy} = {original}: "
                "left out of validation, so that its accuracy is not inflated; remove them from one of the folders.").format(
            count=len(removed), copy=copy.name, original=original.name))
    check_no_empty_class(validation_scan)
    return removed


def dataset_arrays(dataset) -> tuple[np.ndarray, np.ndarray]:
    """All ``(images, labels)`` of a batched dataset as two NumPy arrays (for plots and evaluation).

    Labels come back as integer class indices whatever the ``label_mode``. Use it on the
    validation or test split (a few hundred images), not on a large augmented training set.
    """
    images, labels = [], []
    for x, y in dataset:
        images.append(np.asarray(x))
        y = np.asarray(y)
        labels.append(y.argmax(axis=-1) if y.ndim == 2 and y.shape[-1] > 1 else y.reshape(-1))
    if not images:
        raise FolderError(_("The dataset is empty: no images to collect."))
    return np.concatenate(images), np.concatenate(labels).astype(int)
