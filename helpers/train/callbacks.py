"""Train: run folders and the standard set of callbacks.

Introduced in ``01_keras_fundamentals.ipynb`` (where each callback is explained) and used by
every notebook that trains for more than a couple of epochs. Two optional callbacks make long runs
safer (used by :func:`helpers.train.train_from_folder` whenever it has a run folder):

- :class:`RunState` (``resume=True``): an interrupted run (Ctrl-C, a closed laptop, a killed
  process, a Colab session that timed out) goes on from its last completed epoch when it is started
  again, with the best epoch chosen across the interruption;
- :class:`StopOnNaN` (``stop_on_nan=True``): a run whose loss becomes NaN (or explodes) stops at once and says why.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import time
from pathlib import Path

import keras

from helpers.language import N_, _
from helpers.train.run_state import RUNS_DIR, RunState


def run_dir(name: str, root: Path | str = RUNS_DIR) -> Path:
    """Return (and create) the folder for one training run: ``runs/<name>``."""
    path = Path(root) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


#: A finite loss above this (and above ``EXPLODED_FACTOR`` times the first one) has diverged as surely as a NaN.
EXPLODED_LOSS = 1e4
EXPLODED_FACTOR = 1e3


def diverged_message(epoch: int, batch: int, learning_rate: float | None, loss: float | None = None, first: float | None = None) -> str:
    """What to say when the loss became NaN (or, given ``loss``, exploded from ``first``): the likely causes and what to do, in two sentences."""
    rate = f" ({learning_rate:.3g})" if learning_rate is not None else ""
    lower = _(" (for example to {rate:.3g})").format(rate=learning_rate / 10) if learning_rate else ""
    what = _("became NaN (not a number)")
    if loss is not None and math.isfinite(loss):
        what = (_("exploded to {loss:.3g} (from {first:.3g} at the start)").format(loss=loss, first=first) if first is not None
                else _("exploded to {loss:.3g}").format(loss=loss))
    elif loss is not None and math.isinf(loss):
        what = _("became infinite")
    return _(
        "The training loss {what} at batch {batch} of epoch {epoch}, so training stopped: the learning "
        "rate{rate} is probably too high for this model, or the inputs are not scaled (raw 0-255 pixels need a Rescaling(1/255) layer). "
        "Lower learning_rate{lower}, or clip the gradients with clipnorm=1.0, and train again."
    ).format(what=what, batch=batch, epoch=epoch, rate=rate, lower=lower)


class StopOnNaN(keras.callbacks.TerminateOnNaN):
    """``TerminateOnNaN`` that also says why the loss may have become NaN and what to do.

    A loss that explodes without becoming NaN (above ``EXPLODED_LOSS``, 10,000, and a thousand
    times the first batch's loss: 1e17, say) stops the run the same way, with the same advice.

    Introduced in ``05_flowers_train_from_folder.ipynb``. Training stops gracefully (the other
    callbacks finish their work, ``EarlyStopping`` puts back the best weights so far);
    :attr:`message` then holds the explanation, which is also printed (unless ``announce=False``), and
    :func:`helpers.train.fit.fit_and_evaluate` raises it as a :class:`TrainingDivergedError`.
    """

    def __init__(self, announce: bool = True) -> None:
        super().__init__()
        self.announce = announce
        self.message: str | None = None
        self.first_loss: float | None = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.first_loss = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isfinite(loss):
            if self.first_loss is None:
                self.first_loss = loss
            if loss <= max(EXPLODED_LOSS, EXPLODED_FACTOR * abs(self.first_loss)):
                return
        try:
            rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        except (AttributeError, TypeError, ValueError):
            rate = None
        exploded = math.isfinite(loss)
        self.message = diverged_message(self._epoch + 1, batch + 1, rate, loss if exploded else None, self.first_loss if exploded else None)
        if self.announce:
            print(self.message)
        self.model.stop_training = True


def interrupted_message(run_dir: Path | str | None, again: str = N_("run the same command again")) -> str:
    """The one line to print when a run is stopped with Ctrl-C: where it was saved and how to resume.

    Reads the state :class:`RunState` keeps in ``run_dir/backup`` (or ``run_dir/fine_tune/backup``, or
    the finished head phase's ``head_history.json``).
    Used by ``python -m helpers.train``.
    """
    from helpers.data.paths import pretty_path

    if run_dir is None:
        return _("Interrupted: nothing was saved, as this run had no run folder; give one (--run-dir FOLDER, or run_dir=...) "
                 "to be able to resume an interrupted run.")
    folder = Path(run_dir)
    done = None
    for backup in (folder / "fine_tune" / "backup", folder / "backup"):
        try:
            done = int(json.loads((backup / "training_metadata.json").read_text())["epoch"])
            break
        except (OSError, ValueError, KeyError, TypeError):
            continue
    if done is None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            done = len(json.loads((folder / "head_history.json").read_text())["epoch"]) or None
    if done is None:
        return _("Interrupted before the first epoch ended, so there is nothing to resume in {folder} yet; {again} to start over.").format(
            folder=pretty_path(folder), again=_(again))
    return _("Interrupted: the run is saved in {folder} up to epoch {done}, the last one completed; "
             "{again} to go on from epoch {next}.").format(folder=pretty_path(folder), done=done, again=_(again), next=done + 1)


class ReduceLROnPlateau(keras.callbacks.ReduceLROnPlateau):
    """Keras's ``ReduceLROnPlateau``, which steps aside (saying so) when the optimizer follows a schedule.

    A ``LearningRateSchedule`` owns the learning rate; Keras's own callback would fail with
    ``TypeError: ... learning rate is not settable`` the first time it tried to lower it.
    """

    def on_train_begin(self, logs=None):
        self.follows_schedule = isinstance(
            getattr(self.model.optimizer, "_learning_rate", None), keras.optimizers.schedules.LearningRateSchedule
        )
        if self.follows_schedule:
            print(_("note: the optimizer follows a learning-rate schedule, so ReduceLROnPlateau leaves the learning rate alone."))
        super().on_train_begin(logs)

    def on_epoch_end(self, epoch, logs=None):
        if not self.follows_schedule:
            super().on_epoch_end(epoch, logs)


class TimeToAccuracy(keras.callbacks.Callback):
    """Note how many seconds of training it took to first reach ``target`` (the figure speed records quote).

    Introduced in ``02_mnist_cnn.ipynb``. Add it to ``fit``'s callbacks; once the watched score
    reaches ``target`` it prints one line, and keeps ``seconds`` (since the start of ``fit``) and
    ``epoch`` (1 = first). Both stay ``None`` if the target is never reached.

    Args:
        target: the score to reach, for example ``0.99``.
        monitor: the logged score to watch (validation accuracy by default: never the test set).
    """

    def __init__(self, target: float, monitor: str = "val_accuracy") -> None:
        super().__init__()
        self.target, self.monitor = target, monitor
        self.seconds: float | None = None
        self.epoch: int | None = None
        self._start = time.perf_counter()

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        score = (logs or {}).get(self.monitor)
        if self.seconds is None and score is not None and score >= self.target:
            self.seconds, self.epoch = time.perf_counter() - self._start, epoch + 1
            print(_("{monitor} reached {target:.1%} at epoch {epoch}, {seconds:.0f} s into training").format(
                monitor=self.monitor, target=self.target, epoch=self.epoch, seconds=self.seconds))

    def summary(self) -> str:
        """One line: when the target was reached, or that it was not."""
        if self.seconds is None:
            return _("{monitor} never reached {target:.1%}").format(monitor=self.monitor, target=self.target)
        return _("{monitor} reached {target:.1%} at epoch {epoch}, after {seconds:.0f} s of training").format(
            monitor=self.monitor, target=self.target, epoch=self.epoch, seconds=self.seconds)


def standard_callbacks(
    name: str,
    monitor: str = "val_accuracy",
    patience: int = 4,
    lr_patience: int = 2,
    tensorboard: bool = True,
    root: Path | str = RUNS_DIR,
    reduce_lr: bool = True,
    resume: bool = False,
    stop_on_nan: bool = False,
    checkpoint: bool = True,
) -> list[keras.callbacks.Callback]:
    """The callbacks the course uses for a training run called ``name``.

    - ``ModelCheckpoint``: keeps the best model so far in ``runs/<name>/best.keras``;
    - ``EarlyStopping``: stops after ``patience`` epochs without progress and restores the best weights;
    - ``ReduceLROnPlateau``: divides the learning rate by 5 after ``lr_patience`` flat epochs;
    - ``TensorBoard`` (optional): logs to ``runs/<name>/logs`` (``tensorboard --logdir runs``);
    - :class:`RunState` (``resume=True``, placed last): keeps the run's state in ``runs/<name>/backup``
      after every epoch; started again after an interruption (Ctrl-C, SIGKILL, a lost session), the
      same training goes on from the last completed epoch, the best epoch chosen across the
      interruption (the backup is deleted once the run ends, so the next run starts fresh);
    - :class:`StopOnNaN` (``stop_on_nan=True``): stops as soon as the loss becomes NaN and says why.

    Args:
        monitor: the logged quantity to watch; anything starting with ``val_`` needs validation data.
        checkpoint: include the ``ModelCheckpoint`` (``False``: only the run's state, with ``resume``).
        reduce_lr: include ``ReduceLROnPlateau``. Pass ``False`` when the optimizer follows a
            learning-rate schedule (``03_cifar10_cnn.ipynb``): the schedule then owns the learning
            rate. (If you forget, the callback notices the schedule, says so and does nothing.)
    """
    mode = "min" if "loss" in monitor else "max"
    folder = run_dir(name, root)
    callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.ModelCheckpoint(folder / "best.keras", monitor=monitor, mode=mode, save_best_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, mode=mode, patience=patience, restore_best_weights=True),
        ReduceLROnPlateau(monitor=monitor, mode=mode, factor=0.2, patience=lr_patience, min_lr=1e-6),
    ]
    if not reduce_lr:
        callbacks.pop()
    if not checkpoint:
        callbacks.pop(0)
    if stop_on_nan:
        callbacks.append(StopOnNaN())
    if resume:  # last: it saves the counters the callbacks above have just updated
        callbacks.append(RunState(folder / "backup", watched=[c for c in callbacks if not isinstance(c, StopOnNaN)]))
    if tensorboard:
        if importlib.util.find_spec("tensorboard") is None:
            print(_("TensorBoard is not installed, so this run is not logged for it; `pip install tensorboard` to add it."))
        else:
            callbacks.append(keras.callbacks.TensorBoard(log_dir=str(folder / "logs")))
    return callbacks
