"""The core of :mod:`helpers.train`: compile, fit and evaluate a classifier on prepared splits.

:func:`fit_and_evaluate` is what :func:`helpers.train.train_from_folder` and
:func:`helpers.train.train_from_csv` call once their datasets are ready; it returns a
:class:`TrainResult`. Its options come from :mod:`helpers.train.options` (optimizer, schedules,
precision, pretrained bases), :mod:`helpers.train.callbacks` (callbacks: early stopping, resuming an
interrupted run, stopping on a NaN loss) and :mod:`helpers.distribute` (several devices).

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import TrainingDivergedError, TrainSettingError
from helpers.language import _


@dataclass(repr=False)
class TrainResult:
    """What :func:`helpers.train.train_from_folder` returns.

    Attributes:
        model: the trained model, holding the weights of its best epoch (lowest validation loss;
            with fine-tuning, the best of both phases).
        history: the ``History`` of ``fit`` (``history.history`` holds the curves; with fine-tuning,
            both phases one after the other; after a resumed run, the epochs before the interruption too).
        class_names: label ``i`` is ``class_names[i]``.
        metrics: ``validation_accuracy`` and ``validation_loss`` of the returned model,
            ``training_accuracy`` at its epoch (measured during training, with augmentation and
            dropout on), and ``test_accuracy`` when a test split was held out.
        evaluation: the :class:`~helpers.evaluate.Evaluation` of the validation split.
        seconds: wall-clock time of the whole call.
        datasets: the :class:`~helpers.data.folders.FolderDatasets` it trained on.
        best_epoch: the epoch whose weights the model holds (1 = first).
        test_evaluation: the :class:`~helpers.evaluate.Evaluation` of the test split, or ``None``.
        notes: what was adjusted or looks doubtful (batch size, small classes, no ImageNet weights).
        saved_to: the ``.keras`` file written, or ``None``.
        choices: what was trained and why: ``base`` (``None`` for the course CNN), ``weights``,
            ``image_size``, ``epochs``, ``fine_tune_epochs``, ``batch_size``, ``why`` (for example
            ``"quick profile, CPU"``) and ``fallback`` (the line said when no weights could be had)
            (:class:`helpers.train.options.Choices`).
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
    choices: dict = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        """How many epochs the model has trained in all (a resumed run counts those before the interruption)."""
        return int(self.history.epoch[-1]) + 1 if self.history.epoch else 0

    def report(self) -> str:
        """The validation accuracy, the training accuracy beside it, and scikit-learn's per-class report."""
        m = self.metrics
        kept = (_("head fitted on the cached features") if self.choices.get("recipe") == "features"
                else _("epoch {best} of {epochs} kept").format(best=self.best_epoch, epochs=self.epochs))
        lines = [
            _("validation accuracy: {validation:.1%} on {images} images (training accuracy {training:.1%}; {kept})").format(
                validation=m["validation_accuracy"], images=len(self.evaluation.y_true), training=m["training_accuracy"], kept=kept),
        ]
        if self.test_evaluation is not None:
            lines.append(_("test accuracy      : {test:.1%} on {images} held-out images").format(
                test=m["test_accuracy"], images=len(self.test_evaluation.y_true)))
        return "\n".join(lines + ["", self.evaluation.report()])

    def __repr__(self) -> str:
        return (
            f"TrainResult({len(self.class_names)} classes, validation accuracy {self.metrics['validation_accuracy']:.1%}, "
            f"epoch {self.best_epoch} of {self.epochs} kept, {self.seconds:.0f} s)"
        )


def _evaluation(model, dataset, class_names: list[str]):
    """The Evaluation of ``model`` on batches of ``(images, labels)``; direct calls, so no retracing warnings from ``predict``."""
    import numpy as np

    from helpers.evaluate import Evaluation
    from helpers.predict import class_probabilities

    outputs, labels = [], []
    for x, y in dataset:
        outputs.append(np.asarray(model(x, training=False), dtype="float32"))
        labels.append(np.asarray(y).reshape(-1))
    return Evaluation(np.concatenate(labels).astype(int), class_probabilities(np.concatenate(outputs)), class_names)


def fit_and_evaluate(
    splits,
    *,
    model=None,
    epochs: int = 40,
    patience: int = 10,
    learning_rate: float = 1e-3,
    schedule=None,
    clipnorm: float | None = None,
    fine_tune_epochs: int = 0,
    fine_tune_layers: int | None = None,
    fine_tune_learning_rate: float | None = None,
    run_dir: os.PathLike | str | None = None,
    fresh: bool = False,
    keep_best: bool = True,
    strategy=None,
    mixed_precision: bool | None = None,
    jit_compile: bool | str = "auto",
    callbacks: Sequence = (),
    verbose: int = 2,
) -> TrainResult:
    """Build (unless given), compile, train and evaluate a classifier on prepared splits.

    The shared core of :func:`helpers.train.train_from_folder` and :func:`helpers.train.train_from_csv`
    (their docstrings explain every option). ``splits`` is a :class:`~helpers.data.folders.FolderDatasets`
    with integer labels; ``model`` a Keras model with a softmax output (or one sigmoid unit for two
    classes), a function ``(input_shape, num_classes) -> model``, or ``None`` for
    :func:`helpers.models.folder_cnn`. With ``fine_tune_epochs`` the model must have a pretrained
    base (:func:`helpers.train.options.transfer_builder`): after the head has trained, the top of
    the base is unfrozen (:func:`helpers.transfer.fine_tune`) and trained at a small learning rate.

    With ``run_dir`` (a folder; :func:`helpers.train.train_from_folder` gives one to every run) the
    run's state is kept there after every epoch, and an interrupted run (Ctrl-C, SIGKILL, a lost
    session) goes on from its last completed epoch when started again, saying so in one line; the
    best epoch is chosen across the interruption (:class:`helpers.train.run_state.RunState`). When the
    run ends, its state is deleted, so the same call again trains afresh; ``fresh=True`` also
    starts afresh, throwing away the state of an interrupted run. Only one run at a time may use a
    folder: a second one raises :class:`helpers.errors.RunFolderBusyError` before training
    (:func:`helpers.train.run_state.run_folder_lock`). With ``keep_best`` (default) the best model is
    also kept in ``run_dir/best.keras``.

    The head, then the fine-tuning, run in :func:`head_then_fine_tune`, which keeps the epoch with
    the lowest validation loss of both phases (:func:`best_epoch_index`: never a NaN epoch).

    Raises:
        TrainingDivergedError: the loss became NaN, or the validation loss was NaN at every epoch;
            the message says what to change.
        RunFolderBusyError: another run is using ``run_dir``.
    """
    import contextlib

    from helpers.train.run_state import run_folder_lock

    folder = Path(run_dir) if run_dir else None
    with run_folder_lock(folder) if folder is not None else contextlib.nullcontext():
        if fresh and folder is not None:
            _forget(folder)
        result = _fit_and_evaluate(splits, model, epochs, patience, learning_rate, schedule, clipnorm, fine_tune_epochs,
                                   fine_tune_layers, fine_tune_learning_rate, folder, keep_best, strategy, mixed_precision,
                                   jit_compile, callbacks, verbose)
        if folder is not None:
            _forget(folder)  # the run ended: nothing is left to resume, so the same call again trains afresh
    return result


def _forget(folder: Path) -> None:
    """Delete a run's state in ``folder`` (backups, the finished head phase), not its outputs (``best.keras``, logs)."""
    import shutil

    for backup in (folder / "backup", folder / "fine_tune" / "backup"):
        shutil.rmtree(backup, ignore_errors=True)
    for name in ("head_history.json", "head.npz"):
        (folder / name).unlink(missing_ok=True)


def _fit_and_evaluate(splits, model, epochs, patience, learning_rate, schedule, clipnorm, fine_tune_epochs, fine_tune_layers,
                      fine_tune_learning_rate, folder, keep_best, strategy, mixed_precision, jit_compile, callbacks,
                      verbose) -> TrainResult:
    """:func:`fit_and_evaluate` once the run folder is held."""
    import keras

    from helpers import distribute, models
    from helpers.train import options

    start = time.perf_counter()
    names, shape = list(splits.class_names), (*splits.image_size, 3)
    if isinstance(model, keras.Model) and strategy is not None:
        raise TrainSettingError(_("With strategy=, pass model as a function (input_shape, num_classes) -> model, "
                                  "so that it is built inside strategy.scope()."))
    with distribute.scope(strategy), options.precision(mixed_precision):
        if not isinstance(model, keras.Model):
            model = (model or models.folder_cnn)(shape, len(names))
        steps = options.steps_per_epoch(splits.train) * epochs
        optimizer = options.make_optimizer(learning_rate, schedule=schedule, total_steps=steps, clipnorm=clipnorm)
        model.compile(optimizer=optimizer, loss=models.loss_for(model), metrics=["accuracy"], jit_compile=jit_compile)

    def fit(count: int, first_epoch: int, phase: str):
        return _fit(model, splits, count, patience=patience, folder=folder, extra=callbacks, verbose=verbose,
                    first_epoch=first_epoch, phase=phase, reduce_lr=schedule is None and not phase, keep_best=keep_best)

    def unfreeze() -> None:
        from helpers import transfer

        layers, rate = options.fine_tune_settings(model, fine_tune_layers, fine_tune_learning_rate)
        with distribute.scope(strategy):
            transfer.fine_tune(model, layers, rate)  # unfreezes the base's top layers, batch norm excepted
            model.compile(optimizer=options.make_optimizer(rate, clipnorm=clipnorm), loss=models.loss_for(model),
                          metrics=["accuracy"], jit_compile=jit_compile)

    phases = head_then_fine_tune(model, fit, epochs, fine_tune_epochs, unfreeze, folder=folder)
    if phases.best is None:
        raise TrainingDivergedError(
            _("The validation loss was NaN or infinite at every epoch, so there is no epoch to keep: lower learning_rate, "
              "or clip the gradients with clipnorm=1.0, and train again.")
        )
    history, notes, best_epoch = phases.history, phases.notes, phases.best_epoch
    evaluation = _evaluation(model, splits.validation, names)
    loss = keras.losses.sparse_categorical_crossentropy(evaluation.y_true, evaluation.probabilities)
    metrics = {
        "validation_accuracy": evaluation.accuracy,
        "validation_loss": float(keras.ops.mean(loss)),
        "training_accuracy": float(history.history["accuracy"][phases.best]),
    }
    test_evaluation = _evaluation(model, splits.test, names) if splits.test is not None else None
    if test_evaluation is not None:
        metrics["test_accuracy"] = test_evaluation.accuracy
    return TrainResult(model, history, names, metrics, evaluation, time.perf_counter() - start, splits, best_epoch, test_evaluation, notes)


def best_epoch_index(history: dict) -> int | None:
    """The index of the epoch to keep: the lowest validation loss, among epochs whose ``val_loss`` and ``val_accuracy`` are finite.

    A NaN (or infinite) epoch is never the best, even when it comes first (Python's ``min`` and
    ``list.index`` would pick it). Ties go to the earliest epoch, as in ``EarlyStopping``.
    Returns ``None`` when no epoch qualifies.
    """
    import numpy as np

    losses = np.asarray(history["val_loss"], dtype=float)
    finite = np.isfinite(losses)
    if "val_accuracy" in history:
        finite &= np.isfinite(np.asarray(history["val_accuracy"], dtype=float))
    if not finite.any():
        return None
    return int(np.argmin(np.where(finite, losses, np.inf)))


@dataclass
class Phases:
    """What :func:`head_then_fine_tune` did.

    Attributes:
        history: both phases' ``History`` one after the other (after a resumed fine-tuning, the
            head's epochs as saved, then every fine-tuning epoch, those before the interruption included).
        head_epochs: how many of ``history``'s epochs belong to the head phase.
        best: the index in ``history`` of the epoch whose weights the model holds
            (:func:`best_epoch_index`), or ``None`` when no epoch had a finite validation loss.
        notes: what happened on the way (a fine-tuning stopped by a NaN loss).
    """

    history: object
    head_epochs: int
    best: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def best_epoch(self) -> int:
        """The kept epoch, counted from 1 (0 when there is none)."""
        return int(self.history.epoch[self.best]) + 1 if self.best is not None else 0


def head_then_fine_tune(model, fit: Callable, epochs: int, fine_tune_epochs: int = 0, unfreeze: Callable | None = None, *,
                        folder: Path | None = None) -> Phases:
    """Train the head for ``epochs``, then unfreeze and fine-tune for ``fine_tune_epochs``; keep the best epoch of both.

    The one place the two-phase loop is written (:func:`fit_and_evaluate`,
    :func:`helpers.transfer_comparison.train_transfer`). ``fit(epochs, first_epoch, phase)`` runs one
    phase (``phase`` is ``""`` for the head, ``"fine_tune"`` after) and returns its ``History``,
    the model holding that phase's best weights (``EarlyStopping(restore_best_weights=True)``);
    ``unfreeze()`` prepares the model for fine-tuning (:func:`helpers.transfer.fine_tune`).

    The epoch kept is :func:`best_epoch_index` of both phases: when it is in the head phase, the
    head's weights are put back. A fine-tuning whose loss becomes NaN
    (:class:`helpers.errors.TrainingDivergedError`) ends with the head's best epoch and a note.
    With ``folder``, the finished head phase is remembered there, so that a fine-tuning
    interrupted and started again goes on without training the head again.
    """
    history = _head_done(folder, model) if fine_tune_epochs else None  # a resumed fine-tuning skips the finished head phase
    head_weights = None
    if history is None:
        history = fit(epochs, 0, "")
        head_weights = model.get_weights()  # the head phase's best epoch (EarlyStopping restored it)
        if fine_tune_epochs:
            _keep_head(folder, history, head_weights)
    phases = Phases(history, len(history.epoch), None)
    if fine_tune_epochs:
        unfreeze()
        try:
            phases.history = _joined(history, fit(fine_tune_epochs, history.epoch[-1] + 1, "fine_tune"))
        except TrainingDivergedError as error:  # the head's best epoch is still a good model: keep it
            phases.notes.append(_("fine-tuning stopped, the head's best epoch is kept: {error}").format(error=error))
    phases.best = best_epoch_index(phases.history.history)
    if fine_tune_epochs and phases.best is not None and phases.best < phases.head_epochs:
        _restore_head(model, head_weights, folder)  # EarlyStopping restored the best of the last phase only
    return phases


def _fit(model, splits, epochs: int, *, patience: int, folder: Path | None, extra: Sequence, verbose: int,
         first_epoch: int = 0, phase: str = "", reduce_lr: bool = False, keep_best: bool = True):
    """One ``fit`` of ``epochs`` epochs from ``first_epoch``, under the course's callbacks; raises if the loss became NaN."""
    import keras

    from helpers.train.callbacks import ReduceLROnPlateau, StopOnNaN, standard_callbacks
    from helpers.train.run_state import RunState

    lr_patience = max(2, patience // 2)
    if folder is not None:
        name = f"{folder.name}/{phase}" if phase else folder.name
        callbacks = standard_callbacks(name, "val_loss", patience, lr_patience, tensorboard=False, root=folder.parent,
                                       reduce_lr=reduce_lr, resume=True, stop_on_nan=True, checkpoint=keep_best)
    else:
        callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True), StopOnNaN()]
        if reduce_lr:
            callbacks.insert(1, ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=lr_patience, min_lr=1e-6))
    stopped = next(c for c in callbacks if isinstance(c, StopOnNaN))
    stopped.announce = False  # raised below instead, as one clear error
    history = model.fit(splits.train, validation_data=splits.validation, epochs=first_epoch + epochs, initial_epoch=first_epoch,
                        callbacks=[*callbacks, *extra], verbose=2 if verbose >= 2 else 0)
    if stopped.message:
        raise TrainingDivergedError(stopped.message)
    state = next((c for c in callbacks if isinstance(c, RunState)), None)
    return state.full_history(history) if state is not None else history  # with the epochs before an interruption


def _restore_head(model, head_weights: list | None, folder: Path | None) -> None:
    """Put back the head phase's best weights (kept in memory, or in ``folder/head.npz`` after a resumed run)."""
    if head_weights is None and folder is not None and (folder / "head.npz").is_file():
        from helpers.train.run_state import _numbered, load_arrays

        head_weights = _numbered("w", load_arrays(folder / "head.npz")[0])
    if head_weights is None and folder is not None and (folder / "best.keras").is_file():
        import keras

        head_weights = keras.saving.load_model(folder / "best.keras", compile=False).get_weights()
    if head_weights is not None:
        model.set_weights(head_weights)


def _history(values: dict, epochs: list[int]):
    import keras

    history = keras.callbacks.History()
    history.history, history.epoch = {key: list(value) for key, value in values.items()}, list(epochs)
    return history


def _joined(first, second):
    """The two phases' histories one after the other (the keys both have)."""
    return _history({k: first.history[k] + second.history[k] for k in first.history if k in second.history}, first.epoch + second.epoch)


def _keep_head(folder: Path | None, history, weights: list | None = None) -> None:
    """Remember the finished head phase (its history and best weights), so an interrupted fine-tuning can resume without it."""
    if folder is not None:
        from helpers.files import write_atomically
        from helpers.train.run_state import save_arrays

        folder.mkdir(parents=True, exist_ok=True)
        if weights is not None:
            save_arrays(folder / "head.npz", {f"w{i}": value for i, value in enumerate(weights)}, {})
        values = {k: [float(v) for v in vs] for k, vs in history.history.items()}
        write_atomically(folder / "head_history.json", json.dumps({"history": values, "epoch": list(history.epoch)}))


def _head_done(folder: Path | None, model=None):
    """The head phase's history if it was completed before an interruption (``model`` then takes its best weights back), else ``None``.

    A run that ended deletes these files (:func:`_forget`), so they only ever belong to an interrupted run.
    """
    if folder is None or not (folder / "head_history.json").is_file():
        return None
    try:
        saved = json.loads((folder / "head_history.json").read_text())
        if model is not None and (folder / "head.npz").is_file():
            from helpers.train.run_state import _numbered, load_arrays

            model.set_weights(_numbered("w", load_arrays(folder / "head.npz")[0]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not this model's, or unreadable: train the head again
    print(_("The head phase of this run was completed before the interruption: going straight to fine-tuning."))
    return _history(saved["history"], saved["epoch"])
