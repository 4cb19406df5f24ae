"""Predict the class of image files with a saved classifier, from Python or the command line.

The command mirrors the ``-f``/``-d`` prediction script of older tutorials::

    python -m helpers.predict MODEL.keras -f IMAGE [IMAGE ...]   # one or more files
    python -m helpers.predict MODEL.keras -d FOLDER              # every file in a folder
    python -m helpers.predict MODEL.keras -d FOLDER --top-k 2    # the two most likely classes

It prints one line per image: the file, the predicted class name and its probability (the ``k``
most likely classes with ``--top-k``). The class names come from the model file itself (see
:mod:`helpers.model_files`). Each image is converted to RGB (grayscale or RGBA too) and resized to
the model's input size, exactly as ``image_dataset_from_directory`` did during training. A file
that is not a readable image (a damaged JPEG, an HTML page saved as ``.jpg``, an empty file) is
reported by name and skipped, with the same reasons as the folder scan (:mod:`helpers.data.checks.scan`);
system files (``Thumbs.db``, ``.DS_Store``) are ignored. The exit status is 0 when at least one
image was predicted, 1 when none was, and 2 (with a one-line message) when the model or the path
cannot be used.

Introduced in ``04_cats_vs_dogs_augmentation.ipynb``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers.errors import CourseError, FolderError, UnreadableImageError, UnsuitableModelError
from helpers.language import _, current_language


@dataclass
class Prediction:
    """What the model said about one file.

    Attributes:
        path: the file.
        top: ``(class name, probability)`` pairs, the most likely first; empty when unreadable.
        error: why the file could not be read, or ``None``.
    """

    path: Path
    top: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    @property
    def label(self) -> str | None:
        """The predicted class name (``None`` for an unreadable file)."""
        return self.top[0][0] if self.top else None

    @property
    def probability(self) -> float | None:
        """The probability of the predicted class (``None`` for an unreadable file)."""
        return self.top[0][1] if self.top else None

    def __str__(self) -> str:
        from helpers.data.paths import pretty_path

        name = pretty_path(self.path)
        if self.error:
            return _("{name}: unreadable ({error}), skipped").format(name=name, error=self.error)
        return f"{name}: " + ", ".join(f"{label} {probability:.1%}" for label, probability in self.top)


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """One probability per class and image, shape ``(N, classes)``.

    A single sigmoid output ``p`` (two classes) becomes ``[1 - p, p]``; softmax outputs are
    returned unchanged. Use it to feed :class:`helpers.evaluate.Evaluation` from either kind of model.
    """
    from helpers.models import is_sigmoid_output  # the output rule (imported here: the command line loads TensorFlow later)

    outputs = np.asarray(outputs, dtype=float)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    if is_sigmoid_output(outputs.shape[-1]):
        return np.concatenate([1.0 - outputs, outputs], axis=-1)
    return outputs


def load_image(path: os.PathLike | str, image_size: tuple[int, int], channels: int = 3) -> np.ndarray:
    """Read one image file as a float32 array ``(height, width, channels)`` of 0-255 pixels.

    The image is turned upright (EXIF rotation), converted to RGB (or to grayscale when
    ``channels`` is 1; 16-bit images scaled to 8 bits) and resized with bilinear interpolation, as
    the course's datasets do for training.

    Raises:
        UnreadableImageError: the file is missing, empty, damaged or not an image.
    """
    import io

    import keras

    from helpers.data.checks.image_check import inspect_image, reason_text
    from helpers.data.filelist import open_rgb

    path = Path(path).expanduser()
    if path.is_dir():
        raise UnreadableImageError(_("a folder, not an image file; give it with -d to predict the files in it"))
    if path.is_symlink() and not path.exists():
        raise UnreadableImageError(_("a link to {target}, which does not exist").format(target=os.readlink(path)))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableImageError(_("no such file")) from None
    except OSError as error:
        raise UnreadableImageError(_("cannot be read ({error})").format(error=error.strerror or error)) from None
    found = inspect_image(data)  # the same reasons as the folder scan: empty, not an image, damaged, too large
    if not found["ok"]:
        raise UnreadableImageError(reason_text(found["reason"]))
    pixels = np.asarray(open_rgb(io.BytesIO(data), "L" if channels == 1 else "RGB"), dtype=np.float32)
    if channels == 1:
        pixels = pixels[..., None]
    resized = keras.ops.image.resize(pixels, image_size, interpolation="bilinear", data_format="channels_last")
    return np.asarray(keras.ops.convert_to_numpy(resized), dtype=np.float32)


def files_in(directory: os.PathLike | str) -> list[Path]:
    """The files directly inside ``directory``, sorted by name; hidden and system files
    (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``; see :func:`helpers.data.checks.image_check.is_ignored`) are left out.
    Links that point nowhere are kept, so that :func:`predict_images` reports them."""
    from helpers.data.checks.image_check import is_ignored
    from helpers.data.paths import pretty_path

    folder = Path(directory).expanduser()
    if not folder.is_dir():
        raise FolderError(_("{folder} is not a folder; check the path given to -d.").format(folder=pretty_path(folder)))
    return sorted(path for path in folder.iterdir()
                  if (path.is_file() or (path.is_symlink() and not path.exists())) and not is_ignored(path.name))  # a broken link is reported


def _left_out(directory: Path) -> str:
    """What ``-d`` did not read: system files, and sub-folders (a folder of class folders, for example)."""
    from helpers.data.checks.image_check import is_ignored

    entries = sorted(directory.iterdir(), key=lambda p: p.name)
    parts = []
    ignored = [p.name for p in entries if is_ignored(p.name)]
    if ignored:
        message = _("ignored {count} system file ({names})") if len(ignored) == 1 else _("ignored {count} system files ({names})")
        parts.append(message.format(count=len(ignored), names=", ".join(ignored)))
    folders = [p.name for p in entries if p.is_dir() and not is_ignored(p.name)]
    if folders:
        parts.append(_("sub-folders are not read ({names}): give one with -d").format(
            names=", ".join(folders[:5]) + (", ..." if len(folders) > 5 else "")))
    return "; ".join(parts)


def predict_images(
    model,
    class_names: Sequence[str],
    paths: Iterable[os.PathLike | str],
    top_k: int = 1,
    batch_size: int = 32,
) -> list[Prediction]:
    """Predict the class of each image file; unreadable files get a :class:`Prediction` with ``error`` set.

    Args:
        model: a classifier taking images of a fixed size (softmax outputs, or one sigmoid output).
        class_names: one name per class, in label order.
        paths: image files.
        top_k: how many of the most likely classes to keep per image.
        batch_size: images per call of the model.

    Returns:
        One :class:`Prediction` per path, in the order given.
    """
    shape = tuple(model.input_shape)
    if len(shape) != 4:
        raise UnsuitableModelError(_("This model takes inputs of shape {shape}, not images (height, width, channels); "
                                     "the prediction command needs an image classifier, such as one saved by train_from_folder.").format(
            shape=shape[1:]))
    height, width, channels = shape[1:4]
    if height is None or width is None:
        raise UnsuitableModelError(
            _("This model accepts images of any size; the prediction command needs a model with a fixed input size.")
        )
    predictions = [Prediction(Path(path)) for path in paths]
    k = max(1, min(top_k, len(class_names)))
    chunk = max(1, batch_size) * 8  # a few batches in memory at a time, however many files there are
    for start in range(0, len(predictions), chunk):
        images, readable = [], []
        for prediction in predictions[start:start + chunk]:
            try:
                images.append(load_image(prediction.path, (height, width), channels or 3))
                readable.append(prediction)
            except UnreadableImageError as error:
                prediction.error = str(error)
        if not readable:
            continue
        probabilities = class_probabilities(model.predict(np.stack(images), batch_size=batch_size, verbose=0))
        if probabilities.shape[-1] != len(class_names):
            raise UnsuitableModelError(
                _("The model predicts {classes} classes but {names} class names were given.").format(
                    classes=probabilities.shape[-1], names=len(class_names))
            )
        for prediction, row in zip(readable, probabilities):
            best = np.argsort(-row)[:k]
            prediction.top = [(str(class_names[i]), float(row[i])) for i in best]
    return predictions


@contextmanager
def native_stderr_hidden() -> Iterator[None]:
    """Hide what C++ code writes to stderr while TensorFlow loads (its start-up notices ignore every setting).

    Python's own errors are unaffected: they are raised after the stream is restored.
    """
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    try:
        current_language()
    except CourseError as error:  # an unknown COURSE_LANGUAGE: one line, as for every other setting
        print(f"error: {error}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(
        prog="python -m helpers.predict",
        description=_("Predict the class of images with a classifier saved by helpers.model_files.save_classifier."),
    )
    parser.add_argument("model", help=_("the .keras model file"))
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("-f", "--file", nargs="+", metavar="IMAGE", help=_("one or more image files"))
    source.add_argument("-d", "--directory", metavar="FOLDER", help=_("a folder: every file in it is predicted"))
    parser.add_argument("--top-k", type=int, default=1, metavar="K", help=_("show the K most likely classes (default 1)"))
    args = parser.parse_args(argv)
    if args.top_k < 1:
        parser.error(_("--top-k must be 1 or more"))

    with native_stderr_hidden():
        import tensorflow  # noqa: F401 - loaded here only to keep its start-up notices off the screen

    from helpers.model_files import load_classifier

    try:
        paths = files_in(args.directory) if args.directory else [Path(name) for name in args.file]
        if not paths:
            from helpers.data.paths import pretty_path

            message = _("{folder} holds no files to predict; give a folder of images with -d, or files with -f.").format(
                folder=pretty_path(Path(args.directory)))
            left_out = _left_out(Path(args.directory))
            raise FolderError(message + (f" ({left_out})" if left_out else ""))
        model, class_names = load_classifier(args.model)
        predictions = predict_images(model, class_names, paths, top_k=args.top_k)
    except CourseError as error:
        print(_("error: {error}").format(error=error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("Interrupted: nothing was changed; run the command again to predict."), file=sys.stderr)
        return 130
    for prediction in predictions:
        print(prediction)
    predicted = sum(prediction.error is None for prediction in predictions)
    skipped = len(predictions) - predicted
    if skipped:
        message = (_("{predicted} image predicted, {skipped} skipped") if predicted == 1
                   else _("{predicted} images predicted, {skipped} skipped"))
    else:
        message = _("{predicted} image predicted") if predicted == 1 else _("{predicted} images predicted")
    print(message.format(predicted=predicted, skipped=skipped))
    left_out = _left_out(Path(args.directory)) if args.directory else ""
    if left_out:
        print(_("note: {note}").format(note=left_out))
    return 0 if predicted else 1


if __name__ == "__main__":
    sys.exit(main())
