"""Train an image classifier from a folder of class sub-folders in one call, from Python or a terminal.

::

    result = train_from_folder("flower_photos", save_to="flowers.keras")       # a pretrained base, settings chosen
    print(result.report())                                                     # validation accuracy, per class

    python -m helpers.train flower_photos --output flowers.keras               # the same, in a terminal
    python -m helpers.predict flowers.keras -d new_photos                      # then predict new images

    train_from_folder("flower_photos", base=None, image_size=180, epochs=40)   # the course CNN from scratch
    python -m helpers.train flower_photos --scratch --epochs 40                # (notebook 05's recipe)

By default (``base="auto"``) the model is a pretrained ImageNet base under a new head. On a CPU
(quick profile) it is MobileNetV2 with alpha 0.5 at 224 px (2-3 MB weight files the course mirror
serves), whose features are computed once per photo and mirror image, with a head fitted on them
and cross-validated on the training and validation photos (:mod:`helpers.train.features`: no epochs); ``epochs=`` or
``fine_tune_epochs=`` train epoch by epoch instead (MobileNetV2-0.35, 160 px). On a GPU in the full
profile a stronger base (EfficientNetB0, else MobileNetV2) trains epoch by epoch. The first line
printed says what was chosen and why (:func:`helpers.train.options.choose_defaults`; also in
``TrainResult.choices``). When no weights can be had, one line says so and the course CNN is trained.

Inside, :func:`train_from_folder` does what notebooks 04 and 06 did step by step:

1. count the images of each class; clamp a batch larger than the data and note classes too
   small for the validation split (:func:`helpers.data.checks.rules.class_counts`, :func:`helpers.data.checks.rules.check_sizes`);
2. build cached, shuffled, prefetched datasets with :func:`helpers.data.folders.image_datasets`
   (augmentation on the training batches only);
3. build the model: the base frozen under a new head (:func:`helpers.transfer.build_transfer_classifier`,
   its ``preprocess_input`` inside the model), or :func:`helpers.models.folder_cnn` with ``base=None``;
4. train it with early stopping on the validation loss; with a base, train the head, then unfreeze
   the top of the base (batch norm stays frozen) and fine-tune it at a small learning rate; keep the
   epoch with the lowest validation loss of both phases, then measure it on the validation split
   (:func:`fit_and_evaluate`);
5. optionally save it with its class names (:func:`helpers.model_files.save_classifier`).

:func:`train_from_csv` does the same from a CSV file of ``path,label`` rows.

Every run keeps its state in a run folder, ``runs/<data's name>-<digest>`` (the digest is of the
data's file list and the settings; ``COURSE_RUNS_DIR`` moves ``runs``; ``run_dir=`` /
``--run-dir`` chooses the folder). After every epoch the weights, the optimizer, the epochs' logs
and early stopping's best epoch are written there, so a run stopped in any way (Ctrl-C, SIGKILL,
a closed laptop, a recycled Colab runtime) loses at most the epoch in progress: the same call or
command again finds the folder, prints one line saying from which epoch it goes on, and keeps
the best epoch across the interruption. A run that ends deletes its state, so the same call
again trains afresh; ``fresh=True`` / ``--fresh`` starts afresh even after an interruption.
One run at a time per folder: a second one is refused, before training, in one sentence
(:class:`helpers.errors.RunFolderBusyError`). The features recipe keeps no state: run again, it
computes the features again (seconds).

The module is split by what each part is: this one holds the two one-call utilities;
:mod:`helpers.train.fit` the shared core (:class:`TrainResult`, :func:`fit_and_evaluate`);
:mod:`helpers.train.options` what the options turn into (optimizer, schedules, precision, bases);
:mod:`helpers.train.callbacks` the callbacks and run folders (resuming, stopping on a NaN loss);
:mod:`helpers.train.command` the command line (``python -m helpers.train`` runs it; it imports
this module, never the other way round).

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable, Sequence

from helpers.data.checks.rules import check_sizes, check_split_settings, class_counts
from helpers.errors import TrainSettingError
from helpers.language import _
from helpers.train.fit import TrainResult, fit_and_evaluate

__all__ = ["COMMON_OPTIONS", "STEP_OPTIONS", "build_classifier", "train_from_csv", "train_from_folder"]


def _check_settings(epochs: int | None, validation_split: float | None, validation_dir, test_split: float | None,
                    needs: str = "validation") -> None:
    """Epochs here; the split settings by the data layer's one check (:func:`helpers.data.checks.rules.check_split_settings`)."""
    if epochs is not None and epochs < 1:
        raise TrainSettingError(_("epochs must be 1 or more, not {epochs}.").format(epochs=epochs))
    check_split_settings(validation_split, test_split, validation_dir, needs=needs)


def _augmentation(augment):
    """``True``: flips, rotations, shifts and zooms; ``False``/``None``: none; a Keras layer: that layer."""
    if augment is True:
        from helpers.augment import folder_augmentation

        return folder_augmentation()
    return augment or None


def _choose(options: dict, verbose: int, augment=True, fit_options: dict | None = None):
    """Fill in the defaults left to the course (:func:`helpers.train.options.choose_defaults`) and say what they are."""
    from helpers.train import features
    from helpers.train import options as train_options

    choices = train_options.choose_defaults(
        options.pop("base"), options.pop("weights"), options.pop("image_size"), options.pop("epochs"),
        options.pop("fine_tune_epochs"), options.pop("batch_size"), model=options.get("model"),
        features=features.possible(augment, fit_options or {}), mirror=augment is True,
    )
    if verbose >= 1:
        if choices.fallback:
            print(choices.fallback)
        print(choices.line())
    return choices


def build_classifier(
    input_shape: tuple[int, int, int],
    num_classes: int,
    *,
    base=None,
    weights: str | os.PathLike | None = "imagenet",
    widths: Sequence[int] = (32, 64, 128, 256, 512),
    convs_per_block: int = 2,
):
    """The model step of :func:`train_from_folder`: a pretrained base under a new head, or the course CNN.

    Introduced in ``05_flowers_train_from_folder.ipynb``. ``base`` is a name from
    :data:`helpers.transfer.BASES` (for example ``"MobileNetV2-0.35"``), frozen under a new head with
    its own ``preprocess_input`` inside the model and ``weights`` loaded (``"imagenet"``, ``None`` or
    a weights file); or a Keras model taking raw 0-255 pixels and giving feature maps. With
    ``base=None`` it is :func:`helpers.models.folder_cnn` from scratch, ``widths`` filters per block
    and ``convs_per_block`` convolutions in each (``(16, 32, 64, 128)`` and 1: several times faster,
    rougher). Returns an uncompiled ``keras.Model`` with a softmax output (one sigmoid unit for two
    classes with a base); ``model.summary()`` shows it.

    Raises:
        CourseError: an unknown base, or ImageNet weights that cannot be had (before anything is built).
    """
    from helpers import models
    from helpers.train import options as train_options

    if base is None:
        return models.folder_cnn(tuple(input_shape), num_classes, widths=tuple(widths), convs_per_block=convs_per_block)
    train_options.check_base(base, weights)
    return train_options.transfer_builder(base, weights)(tuple(input_shape), num_classes)


#: The options :func:`train_from_folder` and :func:`train_from_csv` pass on to one step, by step.
#: Each step's own docstring explains them; an unknown name is a ``TypeError``.
STEP_OPTIONS = {
    "data": ("quarantine",),  # helpers.data.folders.image_datasets
    "model": ("widths", "convs_per_block"),  # build_classifier
    "fit": ("patience", "learning_rate", "schedule", "clipnorm", "fine_tune_layers", "fine_tune_learning_rate",
            "run_dir", "fresh", "strategy", "mixed_precision", "callbacks"),  # fit_and_evaluate
}


def _train(per_class: dict[str, int], make_splits: Callable, choices, *, validation_split, test_split, augment, model,
           seed: int, save_to, verbose: int, model_options: dict, fit_options: dict, sources: Sequence = (),
           data_options: dict | None = None) -> TrainResult:
    """Check, then the three steps (data, model, fit) and saving: shared by :func:`train_from_folder` and :func:`train_from_csv`."""
    import time

    import keras

    from helpers import distribute
    from helpers.train import options as train_options
    from helpers.train.run_state import assign_run_folder

    start = time.perf_counter()
    base, weights, batch_size = choices.base, choices.weights, choices.batch_size
    learning_rate = fit_options.pop("learning_rate", 1e-3)
    fit_options.update(epochs=choices.epochs, fine_tune_epochs=choices.fine_tune_epochs)
    from helpers.data.checks.rules import check_training_numbers
    from helpers.model_files import check_writable

    check_training_numbers(learning_rate=learning_rate, **{name: fit_options.get(name) for name in (
        "patience", "clipnorm", "fine_tune_epochs", "fine_tune_layers", "fine_tune_learning_rate")})
    if save_to is not None:
        check_writable(save_to)  # now, not after the whole run: a folder that cannot be written loses no work
    if base is not None:
        if model is not None:
            raise TrainSettingError(_("Give base= (a pretrained base under a new head) or model=, not both."))
        train_options.check_base(base, weights)  # before any data is loaded: an unknown name, or weights out of reach
    elif fit_options.get("fine_tune_epochs"):
        raise TrainSettingError(_("fine_tune_epochs needs a pretrained base: leave base='auto' or pass base='MobileNetV2-0.35' "
                                  "(or another base)."))
    strategy = fit_options.get("strategy")
    replicas = distribute.replicas(strategy)
    batch_size, notes = check_sizes(per_class, batch_size * replicas, validation_split, test_split)
    if base is not None and model_options:
        notes.append(_("{options} size the course CNN, not used under the {base} base: pass base=None to train the CNN.").format(
            options=_(" and ").join(model_options), base=base))
    if replicas > 1:
        learning_rate *= replicas
        notes.insert(0, _("{replicas} replicas: global batch {batch_size}, learning rate {learning_rate:g} (linear scaling rule).").format(
            replicas=replicas, batch_size=batch_size, learning_rate=learning_rate))
    if choices.recipe == "features":  # features too large for memory: the epoch-by-epoch recipe, said in a note
        from helpers.train import features

        choices = features.check_memory(choices, per_class, validation_split, test_split, notes)
        fit_options.update(epochs=choices.epochs, fine_tune_epochs=choices.fine_tune_epochs)
    for note in notes if verbose >= 1 else []:
        print(_("note: {note}").format(note=note))
    if sources and choices.recipe != "features":  # the features recipe keeps no state: an interrupted run recomputes them
        assign_run_folder(sources, dict(choices=choices.as_dict(), per_class=per_class, validation_split=validation_split,
                                  test_split=test_split, augment=augment, model=model, seed=seed, batch_size=batch_size,
                                  learning_rate=learning_rate, model_options=model_options, data=data_options or {},
                                        replicas=replicas), fit_options)
    keras.utils.set_random_seed(seed)
    if choices.recipe == "features":  # each photo read once, no augmentation layer: the mirror images are computed inside
        splits = make_splits(image_size=choices.image_size, batch_size=batch_size, seed=seed, verbose=verbose >= 1, cache=False)
        result = features.train_on_features(splits, choices, mirror=choices.mirror, verbose=verbose)
    else:
        result = _fit(make_splits, choices, batch_size, augment, seed, model, model_options, learning_rate, fit_options, verbose)
    for note in result.notes if verbose >= 1 else []:  # what happened during training (a fine-tuning that diverged)
        print(_("note: {note}").format(note=note))
    result.notes, result.seconds, result.choices = notes + result.notes, time.perf_counter() - start, choices.as_dict()
    if choices.fallback:
        result.notes.insert(0, choices.fallback)
    if save_to is not None:
        from helpers.model_files import save_classifier

        result.saved_to = save_classifier(result.model, save_to, result.class_names)
    if verbose >= 1:
        test = (_(", test accuracy {test:.1%}").format(test=result.metrics["test_accuracy"])
                if "test_accuracy" in result.metrics else "")
        kept = (_("head fitted on the cached features") if choices.recipe == "features"
                else _("epoch {best} of {epochs} kept").format(best=result.best_epoch, epochs=result.epochs))
        print(_("validation accuracy {validation:.1%}{test} ({kept}) in {seconds:.0f} s").format(
            validation=result.metrics["validation_accuracy"], test=test, kept=kept, seconds=result.seconds))
    return result


def _fit(make_splits: Callable, choices, batch_size: int, augment, seed: int, model, model_options: dict, learning_rate: float,
         fit_options: dict, verbose: int) -> TrainResult:
    """The epoch-by-epoch recipe: the datasets (augmented training batches), the model, :func:`fit_and_evaluate`."""
    splits = make_splits(image_size=choices.image_size, batch_size=batch_size, augmentation=_augmentation(augment), seed=seed,
                         verbose=verbose >= 1)
    if model is None:  # built inside fit_and_evaluate: in the strategy's scope and under the precision asked for
        # (build_classifier's own check_base runs again there: quiet, as the weight file is in the cache by now)
        model = functools.partial(build_classifier, base=choices.base, weights=choices.weights, **model_options)
    return fit_and_evaluate(splits, model=model, learning_rate=learning_rate, verbose=verbose, **fit_options)


def train_from_folder(
    directory: os.PathLike | str,
    image_size: tuple[int, int] | int | None = None,
    *,
    classes: Sequence[str] | None = None,
    batch_size: int | None = None,
    epochs: int | None = None,
    validation_split: float | None = 0.2,
    validation_dir: os.PathLike | str | None = None,
    test_split: float | None = None,
    augment: bool | Callable = True,
    base="auto",
    weights: str | os.PathLike | None = "imagenet",
    model=None,
    fine_tune_epochs: int | None = None,
    seed: int = 42,
    max_train: int | None = None,
    save_to: os.PathLike | str | None = None,
    verbose: int = 2,
    **options,
) -> TrainResult:
    """Train an image classifier on a folder whose sub-folders are the classes; return it with its validation metrics.

    Introduced in ``05_flowers_train_from_folder.ipynb``. By default it does transfer learning
    (``06_transfer_learning.ipynb``): a pretrained ImageNet base chosen for the profile (on a CPU,
    MobileNetV2 alpha 0.35 at 160x160 px: 8 epochs for the new head, then 4 fine-tuning the top
    of the base), with augmentation and early stopping on the validation loss; the first line
    printed says what was chosen and why. With ``base=None`` it trains :func:`helpers.models.folder_cnn`
    from scratch instead: 180x180 px, up to 40 epochs (patience 10), the seed tutorial's recipe.
    Every setting left at ``None`` is chosen (:func:`helpers.train.options.choose_defaults`).

    It is three steps you can also take one by one, each returning something to look at:
    the data (:func:`helpers.data.folders.image_datasets` → a ``FolderDatasets``), the model
    (:func:`build_classifier` → a ``keras.Model``) and the fit (:func:`fit_and_evaluate` → a
    :class:`TrainResult`).

    Args:
        directory: one sub-folder of images per class: JPEG, PNG, BMP or GIF, colour or grayscale
            (every image is converted to RGB).
        image_size: ``(height, width)`` every image is resized to, or one number for squares
            (default: 160 with a base on a CPU, 224 on a GPU, 180 with ``base=None``).
        classes: train on these sub-folders only, in this label order (default: all, alphabetical).
        batch_size: images per batch (per replica with ``strategy``; default 32); clamped to the
            number of training images if larger.
        epochs: the most epochs to train (with a base: the head's epochs; default 8 on a CPU, 10
            on a GPU, 40 with ``base=None``); early stopping may end sooner.
        validation_split: fraction of ``directory`` held out to validate (``None`` with ``validation_dir``).
        validation_dir: a second folder, laid out like ``directory``, to validate on instead.
        test_split: also hold out this fraction (of all images, or of ``validation_dir``) as a test
            split that neither training nor early stopping sees.
        augment: ``True`` for random flips, rotations, shifts and zooms of the training images,
            ``False`` for none, or your own Keras layer.
        base: ``"auto"`` (default): a pretrained base chosen for the profile, or the course CNN from
            scratch, said in one line, when no ImageNet weights can be had; ``None``: the course CNN
            from scratch; a name from :data:`helpers.transfer.BASES` (for example ``"MobileNetV2-0.35"``
            or ``"EfficientNetB0"``) or a Keras model: see :func:`build_classifier`. ``epochs`` then trains the head.
        weights: a named base's weights: ``"imagenet"`` (fetched through the Keras cache and
            ``COURSE_DATA_MIRROR``; raises :class:`helpers.errors.WeightsUnavailableError` before
            any training when they cannot be had), ``None`` (random weights), or a weights file.
        model: a Keras model, or a function ``(input_shape, num_classes) -> model``, to train instead
            of the default (it then replaces ``base="auto"``).
        fine_tune_epochs: after the head, unfreeze the top of the base (batch norm stays frozen)
            and train this many more epochs at a small learning rate (:func:`helpers.transfer.fine_tune`;
            default 4 on a CPU, 10 on a GPU). The model keeps the best epoch of both phases.
        seed: fixes the split, the shuffles, the initial weights and the augmentation
            (it calls ``keras.utils.set_random_seed``).
        max_train: train on at most this many images (a faster, rougher run).
        save_to: save the trained model with its class names to this ``.keras`` file.
        verbose: 0 silent; 1 the split sizes, any notes and one closing line; 2 also one line per epoch.
        **options: passed to the step that takes them (:data:`STEP_OPTIONS`):

            - data: ``quarantine=True`` moves the files the folder scan cannot use (damaged, empty,
              not images) to ``<directory>_quarantine`` with a log, instead of only skipping them;
            - model (:func:`build_classifier`, ``base=None``): ``widths``, ``convs_per_block``;
            - fit (:func:`fit_and_evaluate`): ``learning_rate`` (Adam's, default 1e-3), ``patience``
              (default 10), ``schedule`` (``"cosine"``, ``"one_cycle"`` or a ``LearningRateSchedule``),
              ``clipnorm``, ``fine_tune_layers``, ``fine_tune_learning_rate``, ``run_dir`` (where the
              run keeps its state after every epoch; default ``runs/<folder name>-<digest of the
              data and settings>``, ``COURSE_RUNS_DIR`` moving ``runs``, ``False`` for none), ``fresh``
              (``True``: start afresh, throwing away an interrupted run's state),
              ``strategy`` (a ``tf.distribute`` strategy: global batch and learning rate scaled
              by the replicas), ``mixed_precision``, ``callbacks``.

    Returns:
        A :class:`TrainResult`: ``model``, ``history``, ``class_names``, ``metrics`` (validation
        accuracy and loss), ``evaluation``, ``seconds``, ``choices`` (what was trained and why), and more.

    Raises:
        CourseError: settings that cannot work, a folder that cannot be used, a base whose weights
            cannot be had, or a loss that became NaN (each with what to do).
        TypeError: an option no step takes.
    """
    from helpers.data.folders import image_datasets
    from helpers.train.options import sort_options

    steps = sort_options(options, STEP_OPTIONS, "train_from_folder")
    _check_settings(epochs, validation_split, validation_dir, test_split)
    chosen = dict(base=base, weights=weights, image_size=image_size, epochs=epochs, fine_tune_epochs=fine_tune_epochs,
                  batch_size=batch_size, model=model)
    choices = _choose(chosen, verbose, augment, steps["fit"])  # the first lines printed: the base (or the course CNN) and the settings
    per_class = class_counts(directory, classes)
    if validation_dir is not None:
        class_counts(validation_dir, list(per_class))  # the same class sub-folders, each with images
    make_splits = functools.partial(
        image_datasets, directory, validation_split=validation_split, validation_dir=validation_dir,
        test_split=test_split, classes=list(per_class), max_train=max_train, **steps["data"],
    )
    return _train(per_class, make_splits, choices, validation_split=validation_split,
                  test_split=None if validation_dir else test_split, augment=augment, model=model, seed=seed,
                  save_to=save_to, verbose=verbose, model_options=steps["model"], fit_options=steps["fit"],
                  sources=[directory] + ([validation_dir] if validation_dir is not None else []),
                  data_options=dict(classes=list(per_class), max_train=max_train, **steps["data"]))


#: The keyword arguments of :func:`train_from_folder` that :func:`train_from_csv` takes too, with their defaults.
COMMON_OPTIONS = dict(batch_size=None, epochs=None, augment=True, base="auto", weights="imagenet", model=None,
                      fine_tune_epochs=None, seed=42, save_to=None, verbose=2)


def train_from_csv(
    csv_file: os.PathLike | str,
    image_size: tuple[int, int] | int | None = None,
    *,
    root: os.PathLike | str | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
    allow_outside_root: bool = False,
    classes: Sequence[str] | None = None,
    validation_split: float = 0.2,
    test_split: float | None = None,
    max_train: int | None = None,
    **options,
) -> TrainResult:
    """:func:`train_from_folder` for images listed in a CSV file of ``path,label`` rows.

    Introduced in ``05_flowers_train_from_folder.ipynb``. The labels need not be folder names:
    several folders may share a label. ``root``, ``path_column`` and ``label_column`` are as for
    :func:`helpers.data.labels_csv.read_labels_csv` (relative paths start at the CSV's folder unless ``root``
    is given), and so is ``allow_outside_root``: rows naming files outside the root folder are
    refused unless it is ``True`` (only for a CSV you trust; they are then named). ``options`` are :func:`train_from_folder`'s other keyword arguments
    (:data:`COMMON_OPTIONS`: ``batch_size``, ``epochs``, ``augment``, ``base``, ``seed``,
    ``save_to``...) and the model and fit steps' options (:data:`STEP_OPTIONS`), with the same
    defaults; a CSV has no ``validation_dir`` and no ``quarantine`` (unusable rows are skipped and named).
    """
    from helpers.data.labels_csv import csv_datasets, read_labels_csv

    common = {name: options.pop(name, default) for name, default in COMMON_OPTIONS.items()}
    from helpers.train.options import sort_options

    steps = sort_options(options, STEP_OPTIONS, "train_from_csv")
    if steps["data"]:
        raise TrainSettingError(_("quarantine works with a folder; with a CSV file, the unusable rows are only skipped."))
    _check_settings(common["epochs"], validation_split, None, test_split, needs="validation_split")
    chosen = {name: common[name] for name in ("base", "weights", "epochs", "fine_tune_epochs", "batch_size", "model")}
    choices = _choose({**chosen, "image_size": image_size}, common["verbose"], common["augment"], steps["fit"])
    columns = dict(root=root, path_column=path_column, label_column=label_column, allow_outside_root=allow_outside_root)
    counted = Counter(read_labels_csv(csv_file, classes=classes, **columns)[1])
    per_class = {name: counted[name] for name in classes or sorted(counted)}
    make_splits = functools.partial(
        csv_datasets, csv_file, validation_split=validation_split, test_split=test_split,
        classes=list(per_class), max_train=max_train, **columns,
    )
    run = {name: common[name] for name in ("augment", "model", "seed", "save_to", "verbose")}
    return _train(per_class, make_splits, choices, validation_split=validation_split, test_split=test_split,
                  model_options=steps["model"], fit_options=steps["fit"], sources=[csv_file],
                  data_options=dict(columns, classes=list(per_class), max_train=max_train), **run)

