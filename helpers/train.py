"""Train an image classifier from a folder of class sub-folders in one call, from Python or a terminal.

::

    result = train_from_folder("flower_photos", image_size=(180, 180), epochs=40, save_to="flowers.keras")
    print(result.report())                                                     # validation accuracy, per class

    python -m helpers.train flower_photos --epochs 40 --output flowers.keras   # the same, in a terminal
    python -m helpers.predict flowers.keras -d new_photos                      # then predict new images

Inside, :func:`train_from_folder` does what notebook 04 did step by step:

1. count the images of each class; clamp a batch larger than the data and note classes too
   small for the validation split (:func:`helpers.data.class_counts`, :func:`helpers.data.check_sizes`);
2. build cached, shuffled, prefetched datasets with :func:`helpers.data.image_datasets`
   (augmentation on the training batches only);
3. build :func:`helpers.models.folder_cnn`, train it with early stopping on the validation loss
   (the best epoch's weights are restored), then measure it on the validation split
   (:func:`fit_and_evaluate`);
4. optionally save it with its class names (:func:`helpers.model_files.save_classifier`).

:func:`train_from_csv` does the same from a CSV file of ``path,label`` rows.

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from helpers.data.checks import TrainSettingError, check_sizes, class_counts
from helpers.errors import CourseError

__all__ = ["TrainResult", "TrainSettingError", "fit_and_evaluate", "main", "train_from_csv", "train_from_folder"]


@dataclass(repr=False)
class TrainResult:
    """What :func:`train_from_folder` returns.

    Attributes:
        model: the trained model, holding the weights of its best epoch (lowest validation loss).
        history: the ``History`` of ``fit`` (``history.history`` holds the curves).
        class_names: label ``i`` is ``class_names[i]``.
        metrics: ``validation_accuracy`` and ``validation_loss`` of the returned model,
            ``training_accuracy`` at its epoch (measured during training, with augmentation and
            dropout on), and ``test_accuracy`` when a test split was held out.
        evaluation: the :class:`~helpers.evaluate.Evaluation` of the validation split.
        seconds: wall-clock time of the whole call.
        datasets: the :class:`~helpers.data.FolderDatasets` it trained on.
        best_epoch: the epoch whose weights the model holds (1 = first).
        test_evaluation: the :class:`~helpers.evaluate.Evaluation` of the test split, or ``None``.
        notes: what was adjusted or looks doubtful (batch size, small classes).
        saved_to: the ``.keras`` file written, or ``None``.
    """

    model: object
    history: object
    class_names: list[str]
    metrics: dict[str, float]
    evaluation: object
    seconds: float
    datasets: object
    best_epoch: int
    test_evaluation: object | None = None
    notes: list[str] = field(default_factory=list)
    saved_to: Path | None = None

    def report(self) -> str:
        """The validation accuracy, the training accuracy beside it, and scikit-learn's per-class report."""
        m = self.metrics
        lines = [
            f"validation accuracy: {m['validation_accuracy']:.1%} on {len(self.evaluation.y_true)} images "
            f"(training accuracy {m['training_accuracy']:.1%}; epoch {self.best_epoch} of {len(self.history.epoch)} kept)",
        ]
        if self.test_evaluation is not None:
            lines.append(f"test accuracy      : {m['test_accuracy']:.1%} on {len(self.test_evaluation.y_true)} held-out images")
        return "\n".join(lines + ["", self.evaluation.report()])

    def __repr__(self) -> str:
        return (
            f"TrainResult({len(self.class_names)} classes, validation accuracy {self.metrics['validation_accuracy']:.1%}, "
            f"epoch {self.best_epoch} of {len(self.history.epoch)} kept, {self.seconds:.0f} s)"
        )


def _check_settings(epochs: int, validation_split: float | None, validation_dir, test_split: float | None) -> None:
    if epochs < 1:
        raise TrainSettingError(f"epochs must be 1 or more, not {epochs}.")
    if (validation_split is None) == (validation_dir is None):
        raise TrainSettingError("Give either validation_split (a fraction of the folder) or validation_dir (a second folder), not both or neither.")
    held_out = (validation_split or 0.0) + (test_split or 0.0)
    if (validation_split is not None and not 0 < held_out < 1) or (test_split is not None and not 0 < test_split < 1):
        raise TrainSettingError(f"validation_split, test_split and their sum must be between 0 and 1, not {held_out:g}.")


def _augmentation(augment):
    """``True``: flips, rotations, shifts and zooms; ``False``/``None``: none; a Keras layer: that layer."""
    if augment is True:
        from helpers.augment import augmentation_layers

        return augmentation_layers(rotation=30, shift=0.1, shear=0, zoom=0.2, horizontal_flip=True)
    return augment or None


def _evaluation(model, dataset, class_names: list[str]):
    """The Evaluation of ``model`` on batches of ``(images, labels)``; direct calls, so no retracing warnings from ``predict``."""
    import numpy as np

    from helpers.evaluate import Evaluation
    from helpers.predict import class_probabilities

    outputs, labels = [], []
    for x, y in dataset:
        outputs.append(np.asarray(model(x, training=False)))
        labels.append(np.asarray(y).reshape(-1))
    return Evaluation(np.concatenate(labels).astype(int), class_probabilities(np.concatenate(outputs)), class_names)


def fit_and_evaluate(
    splits,
    *,
    model=None,
    epochs: int = 40,
    patience: int = 10,
    learning_rate: float = 1e-3,
    run_dir: os.PathLike | str | None = None,
    verbose: int = 2,
) -> TrainResult:
    """Build (unless given), compile, train and evaluate a classifier on prepared splits.

    The shared core of :func:`train_from_folder` and :func:`train_from_csv`. ``splits`` is a
    :class:`~helpers.data.FolderDatasets` with integer labels; ``model`` a Keras model with a
    softmax output, a function ``(input_shape, num_classes) -> model``, or ``None`` for
    :func:`helpers.models.folder_cnn`. With ``run_dir`` the best model is also kept in
    ``run_dir/best.keras`` (:func:`helpers.training.standard_callbacks`).
    """
    import keras
    import numpy as np

    from helpers import models, training

    start = time.perf_counter()
    names, shape = list(splits.class_names), (*splits.image_size, 3)
    if not isinstance(model, keras.Model):
        model = (model or models.folder_cnn)(shape, len(names))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if run_dir is not None:
        folder = Path(run_dir)
        callbacks = training.standard_callbacks(folder.name, "val_loss", patience, max(2, patience // 2), tensorboard=False, root=folder.parent)
    else:
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True),
            keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=max(2, patience // 2), min_lr=1e-6),
        ]
    history = model.fit(splits.train, validation_data=splits.validation, epochs=epochs, callbacks=callbacks, verbose=2 if verbose >= 2 else 0)
    best = int(np.argmin(history.history["val_loss"]))  # EarlyStopping restored this epoch's weights
    evaluation = _evaluation(model, splits.validation, names)
    loss = keras.losses.sparse_categorical_crossentropy(evaluation.y_true, evaluation.probabilities)
    metrics = {
        "validation_accuracy": evaluation.accuracy,
        "validation_loss": float(keras.ops.mean(loss)),
        "training_accuracy": float(history.history["accuracy"][best]),
    }
    test_evaluation = _evaluation(model, splits.test, names) if splits.test is not None else None
    if test_evaluation is not None:
        metrics["test_accuracy"] = test_evaluation.accuracy
    return TrainResult(model, history, names, metrics, evaluation, time.perf_counter() - start, splits, best + 1, test_evaluation)


def _train(per_class: dict[str, int], make_splits: Callable, *, batch_size: int, validation_split, test_split, augment, model,
           widths, convs_per_block: int, seed: int, save_to, verbose: int, **fit_options) -> TrainResult:
    """The steps after counting, shared by :func:`train_from_folder` and :func:`train_from_csv`."""
    import keras

    from helpers import models

    start = time.perf_counter()
    batch_size, notes = check_sizes(per_class, batch_size, validation_split, test_split)
    for note in notes if verbose >= 1 else []:
        print(f"note: {note}")
    keras.utils.set_random_seed(seed)
    splits = make_splits(batch_size=batch_size, augmentation=_augmentation(augment), seed=seed, verbose=verbose >= 1)
    if model is None:
        model = functools.partial(models.folder_cnn, widths=tuple(widths), convs_per_block=convs_per_block)
    result = fit_and_evaluate(splits, model=model, verbose=verbose, **fit_options)
    result.notes, result.seconds = notes, time.perf_counter() - start
    if save_to is not None:
        from helpers.model_files import save_classifier

        result.saved_to = save_classifier(result.model, save_to, result.class_names)
    if verbose >= 1:
        test = f", test accuracy {result.metrics['test_accuracy']:.1%}" if "test_accuracy" in result.metrics else ""
        print(f"validation accuracy {result.metrics['validation_accuracy']:.1%}{test} "
              f"(epoch {result.best_epoch} of {len(result.history.epoch)} kept) in {result.seconds:.0f} s")
    return result


def _pair(image_size: tuple[int, int] | int) -> tuple[int, int]:
    return (image_size, image_size) if isinstance(image_size, int) else (int(image_size[0]), int(image_size[1]))


def train_from_folder(
    directory: os.PathLike | str,
    image_size: tuple[int, int] | int = (180, 180),
    *,
    classes: Sequence[str] | None = None,
    batch_size: int = 32,
    epochs: int = 40,
    validation_split: float | None = 0.2,
    validation_dir: os.PathLike | str | None = None,
    test_split: float | None = None,
    augment: bool | Callable = True,
    model=None,
    widths: Sequence[int] = (32, 64, 128, 256, 512),
    convs_per_block: int = 2,
    patience: int = 10,
    learning_rate: float = 1e-3,
    seed: int = 42,
    max_train: int | None = None,
    run_dir: os.PathLike | str | None = None,
    save_to: os.PathLike | str | None = None,
    verbose: int = 2,
) -> TrainResult:
    """Train a CNN on a folder whose sub-folders are the classes; return it with its validation metrics.

    Introduced in ``05_flowers_train_from_folder.ipynb``. The defaults are a from-scratch recipe for
    photos on a GPU: 180x180 pixels, augmentation, :func:`helpers.models.folder_cnn`, up to 40
    epochs with early stopping (patience 10) on the validation loss.

    Args:
        directory: one sub-folder of images per class: JPEG, PNG, BMP or GIF, colour or grayscale
            (every image is converted to RGB).
        image_size: ``(height, width)`` every image is resized to, or one number for squares.
        classes: train on these sub-folders only, in this label order (default: all, alphabetical).
        batch_size: images per batch; clamped to the number of training images if larger.
        epochs: the most epochs to train; early stopping may end sooner.
        validation_split: fraction of ``directory`` held out to validate (``None`` with ``validation_dir``).
        validation_dir: a second folder, laid out like ``directory``, to validate on instead.
        test_split: also hold out this fraction (of all images, or of ``validation_dir``) as a test
            split that neither training nor early stopping sees.
        augment: ``True`` for random flips, rotations, shifts and zooms of the training images,
            ``False`` for none, or your own Keras layer.
        model: ``None`` (the course CNN), a Keras model, or a function ``(input_shape, num_classes) -> model``.
        widths, convs_per_block: the size of the course CNN (:func:`helpers.models.folder_cnn`);
            ``(16, 32, 64, 128)`` and 1 train several times faster, for a rougher model.
        patience: epochs without a lower validation loss before training stops.
        learning_rate: Adam's learning rate.
        seed: fixes the split, the shuffles, the initial weights and the augmentation
            (it calls ``keras.utils.set_random_seed``).
        max_train: train on at most this many images (a faster, rougher run).
        run_dir: also keep the best model in ``run_dir/best.keras``.
        save_to: save the trained model with its class names to this ``.keras`` file.
        verbose: 0 silent; 1 the split sizes, any notes and one closing line; 2 also one line per epoch.

    Returns:
        A :class:`TrainResult`: ``model``, ``history``, ``class_names``, ``metrics`` (validation
        accuracy and loss), ``evaluation``, ``seconds``, and more.
    """
    from helpers.data import image_datasets

    _check_settings(epochs, validation_split, validation_dir, test_split)
    per_class = class_counts(directory, classes)
    if validation_dir is not None:
        class_counts(validation_dir, list(per_class))  # the same class sub-folders, each with images
    make_splits = functools.partial(
        image_datasets, directory, _pair(image_size), validation_split=validation_split, validation_dir=validation_dir,
        test_split=test_split, classes=list(per_class), max_train=max_train,
    )
    return _train(
        per_class, make_splits, batch_size=batch_size, validation_split=validation_split, test_split=None if validation_dir else test_split,
        augment=augment, model=model, widths=widths, convs_per_block=convs_per_block, seed=seed, save_to=save_to, verbose=verbose,
        epochs=epochs, patience=patience, learning_rate=learning_rate, run_dir=run_dir,
    )


#: The keyword arguments :func:`train_from_csv` passes on, with :func:`train_from_folder`'s defaults.
_SHARED_OPTIONS = {
    name: parameter.default for name, parameter in inspect.signature(train_from_folder).parameters.items()
    if name in ("batch_size", "epochs", "augment", "model", "widths", "convs_per_block", "patience", "learning_rate",
                "seed", "run_dir", "save_to", "verbose")
}


def train_from_csv(
    csv_file: os.PathLike | str,
    image_size: tuple[int, int] | int = (180, 180),
    *,
    root: os.PathLike | str | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
    classes: Sequence[str] | None = None,
    validation_split: float = 0.2,
    test_split: float | None = None,
    max_train: int | None = None,
    **options,
) -> TrainResult:
    """:func:`train_from_folder` for images listed in a CSV file of ``path,label`` rows.

    Introduced in ``05_flowers_train_from_folder.ipynb``. The labels need not be folder names:
    several folders may share a label. ``root``, ``path_column`` and ``label_column`` are as for
    :func:`helpers.data.read_labels_csv` (relative paths start at the CSV's folder unless ``root``
    is given). ``options`` are :func:`train_from_folder`'s other keyword arguments (``batch_size``,
    ``epochs``, ``augment``, ``widths``, ``seed``, ``save_to``...), with the same defaults.
    """
    from helpers.data.labels_csv import csv_datasets, read_labels_csv

    unknown = sorted(set(options) - set(_SHARED_OPTIONS))
    if unknown:
        raise TypeError(f"train_from_csv() got unexpected keyword arguments: {', '.join(unknown)}")
    settings = {**_SHARED_OPTIONS, **options}
    _check_settings(settings["epochs"], validation_split, None, test_split)
    columns = dict(root=root, path_column=path_column, label_column=label_column)
    counted = Counter(read_labels_csv(csv_file, classes=classes, **columns)[1])
    per_class = {name: counted[name] for name in classes or sorted(counted)}
    make_splits = functools.partial(
        csv_datasets, csv_file, _pair(image_size), validation_split=validation_split, test_split=test_split,
        classes=list(per_class), max_train=max_train, **columns,
    )
    return _train(per_class, make_splits, validation_split=validation_split, test_split=test_split, **settings)


def _image_size(text: str) -> tuple[int, int]:
    try:
        sizes = [int(part) for part in text.lower().replace(",", "x").split("x")]
    except ValueError:
        sizes = []
    if len(sizes) not in (1, 2) or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an image size such as 180 or 180x240")
    return (sizes[0], sizes[-1])


def _widths(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of filter counts such as 16,32,64") from None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m helpers.train``); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.train",
        description="Train a CNN on a folder of class sub-folders (or a CSV file of path,label rows), save it with its "
        "class names, and print its validation report. Then predict with: python -m helpers.predict MODEL.keras -d FOLDER",
    )
    add = parser.add_argument
    add("source", metavar="FOLDER", help="a folder with one sub-folder per class, or a .csv file of path,label rows")
    add("--image-size", type=_image_size, default=(180, 180), metavar="N", help="resize images to N x N pixels, or HxW (default 180)")
    add("--classes", nargs="+", metavar="NAME", help="train on these classes only (space- or comma-separated)")
    add("--batch-size", type=int, default=32, metavar="N", help="images per batch (default 32)")
    add("--epochs", type=int, default=40, metavar="N", help="most epochs; early stopping may end sooner (default 40)")
    add("--validation-split", type=float, metavar="F", help="fraction held out to validate (default 0.2)")
    add("--validation-dir", metavar="FOLDER", help="validate on this folder instead of a split")
    add("--test-split", type=float, metavar="F", help="also hold out this fraction as a test split")
    add("--no-augment", action="store_true", help="train without data augmentation")
    add("--widths", type=_widths, default=(32, 64, 128, 256, 512), metavar="N,N,...", help="filters of each conv block (default 32,64,128,256,512)")
    add("--patience", type=int, default=10, metavar="N", help="early-stopping patience in epochs (default 10)")
    add("--seed", type=int, default=42, help="fixes the split, shuffles and initial weights (default 42)")
    add("--root", metavar="FOLDER", help="CSV only: where relative image paths start (default: the CSV's folder)")
    add("--output", "-o", metavar="MODEL.keras", help="where to save the model (default: FOLDER's name + .keras)")
    add("--quiet", "-q", action="store_true", help="no line per epoch")
    args = parser.parse_args(argv)
    if args.validation_dir and args.validation_split is not None:
        parser.error("give --validation-split or --validation-dir, not both")

    from helpers.predict import native_stderr_hidden

    with native_stderr_hidden():
        import tensorflow  # noqa: F401 - loaded here only to keep its start-up notices off the screen

    source = Path(args.source)
    is_csv = source.suffix.lower() == ".csv" and not source.is_dir()
    output = Path(args.output or f"{source.stem if is_csv else source.resolve().name}.keras")
    options = dict(
        classes=[name for item in args.classes for name in item.split(",") if name] if args.classes else None,
        batch_size=args.batch_size, epochs=args.epochs, test_split=args.test_split, augment=not args.no_augment,
        widths=args.widths, patience=args.patience, seed=args.seed, save_to=output, verbose=1 if args.quiet else 2,
    )
    split = args.validation_split if args.validation_split is not None else (None if args.validation_dir else 0.2)
    try:
        if is_csv:
            if args.validation_dir:
                raise TrainSettingError("--validation-dir works with a folder; a CSV file is split with --validation-split.")
            result = train_from_csv(source, args.image_size, root=args.root, validation_split=split, **options)
        else:
            result = train_from_folder(source, args.image_size, validation_split=split, validation_dir=args.validation_dir, **options)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"\n{result.report()}")
    print(f"saved the model and its {len(result.class_names)} class names to {output}")
    print(f"predict new images with: python -m helpers.predict {output} -d FOLDER")
    return 0


if __name__ == "__main__":
    sys.exit(main())
