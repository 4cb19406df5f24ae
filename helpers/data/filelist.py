"""Datasets from a list of image files, read exactly as ``image_dataset_from_directory`` reads them.

When a scan (:mod:`helpers.data.checks.scan`) finds files that Keras's own loader would trip over (a
truncated JPEG stops training mid-epoch; a ``.ipynb_checkpoints`` copy inside a class is used twice;
a WebP photo is silently left out; an EXIF-rotated photo comes out sideways; a 16-bit PNG or a
palette BMP comes out wrong), :func:`helpers.data.folders.image_datasets` builds its datasets here from the
scan's usable files instead: same file order, same seeded shuffle and split, same decoding and
resizing as Keras. Files TensorFlow cannot read right are first converted with Pillow
(:func:`open_rgb`) into PNG copies in the Keras cache; the learner's folder is never written to.

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from helpers.data.paths import cache_dir
from helpers.files import replacing


def open_rgb(path: os.PathLike | str, mode: str = "RGB"):
    """Open an image file with Pillow as an upright ``mode`` image (``"RGB"`` or ``"L"``).

    Applies the EXIF rotation, and scales 16-bit grayscale to 8 bits (Pillow's own
    ``convert("RGB")`` would clip it to white, where TensorFlow scales it).
    """
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
        if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            pixels = np.asarray(image, dtype=np.float64)
            scale = 257.0 if image.mode.startswith("I;16") or pixels.max() > 255 else 1.0
            image = Image.fromarray(np.clip(np.round(pixels / scale), 0, 255).astype(np.uint8), "L")
        return image.convert(mode)


def readable_copy(path: Path) -> Path:
    """A PNG copy of ``path`` decoded by :func:`open_rgb`, in ``<Keras cache>/course_scan/images`` (made once)."""
    stat = path.stat()
    key = hashlib.sha1(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:20]
    copy = cache_dir() / "course_scan" / "images" / f"{key}.png"
    if not copy.is_file():
        copy.parent.mkdir(parents=True, exist_ok=True)
        with replacing(copy, suffix=".png") as partial:
            open_rgb(path).save(partial, "PNG")
    return copy


def files_dataset(
    paths: Sequence[Path],
    labels: Sequence[int],
    image_size: tuple[int, int],
    label_mode: str,
    num_classes: int,
    *,
    read_from: dict[Path, Path] | None = None,
    shuffle: bool = False,
    seed: int | None = None,
):
    """Unbatched ``(image, label)`` pairs, decoded and resized as ``image_dataset_from_directory`` does.

    ``read_from`` maps a file to the copy to read instead (see :func:`readable_copy`). The dataset
    gets a ``file_paths`` attribute (the original files, in order), as Keras's datasets have.
    """
    import tensorflow as tf

    def load(path, label):
        image = tf.image.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        image = tf.image.resize(image, image_size, method="bilinear")
        image.set_shape((*image_size, 3))
        if label_mode == "categorical":
            label = tf.one_hot(label, num_classes)
        elif label_mode == "binary":
            label = tf.cast(tf.expand_dims(label, -1), "float32")
        return image, label

    read_from = read_from or {}
    sources = [str(read_from.get(Path(path), path)) for path in paths]
    dataset = tf.data.Dataset.from_tensor_slices((sources, np.asarray(labels, dtype="int32")))
    if shuffle:
        dataset = dataset.shuffle(1024, seed=seed)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    dataset.file_paths = [str(path) for path in paths]
    return dataset


def scan_datasets(
    scan,
    image_size: tuple[int, int],
    *,
    validation_split: float | None = None,
    subset: str | None = None,
    shuffle: bool = True,
    seed: int = 42,
    label_mode: str = "int",
):
    """``image_dataset_from_directory(scan.root, ...)`` on the scan's usable files only.

    Same order (class by class, files as Keras walks them), same seeded shuffle, same cut
    (``subset="both"`` returns ``(training, validation)``), so a clean folder gives the very same
    splits either way. Files listed in ``scan.pillow`` are read from Pillow-made copies.
    """
    paths = [path for row in scan.classes for path in row.files]
    labels = [i for i, row in enumerate(scan.classes) for _ in row.files]
    if shuffle:
        np.random.RandomState(seed).shuffle(paths)
        np.random.RandomState(seed).shuffle(labels)
    read_from = {path: readable_copy(path) for path in scan.pillow}
    options = dict(label_mode=label_mode, num_classes=len(scan.classes), read_from=read_from)
    size = (int(image_size[0]), int(image_size[1]))

    def make(part_paths, part_labels, shuffled):
        dataset = files_dataset(part_paths, part_labels, size, shuffle=shuffled, seed=seed, **options)
        dataset.class_names = list(scan.class_names)
        return dataset

    if not validation_split:
        return make(paths, labels, shuffle)
    held_out = int(validation_split * len(paths))
    train = make(paths[: len(paths) - held_out], labels[: len(labels) - held_out], shuffle)
    validation = make(paths[len(paths) - held_out:], labels[len(labels) - held_out:], False)
    return (train, validation) if subset == "both" else train if subset == "training" else validation
