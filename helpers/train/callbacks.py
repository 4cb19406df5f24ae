"""Train: run folders and the standard set of callbacks.

Introduced in ``01_keras_fundamentals.ipynb`` (where each callback is explained) and used by
every notebook that trains for more than a couple of epochs. Two optional callbacks make long runs
safer (used by :func:`helpers.train.train_from_folder` whenever it has a run folder):

- :class:`RunState` (``resume=True``): an interrupted run (Ctrl-C, a closed laptop, a killed
  process, a Colab session that timed out) goes on from its last completed epoch when it is started
  again, with the best epoch chosen across the interruption;
- :class:`StopOnNaN` (``stop_on_nan=True``): a run whose loss becomes NaN (or explodes) stops at once and says why.

The notebooks import it by its former name, ``from helpers import training`` (kept for one release).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import math
import os
import re
import shutil
import time
from pathlib import Path
from typing import Iterator

import keras
import numpy as np

from helpers.errors import RunFolderBusyError, TrainingDivergedError

RUNS_DIR = Path("runs")
#: Set this environment variable to put the default run folders somewhere else than ``./runs``.
RUNS_ENV = "COURSE_RUNS_DIR"


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
    lower = f" (for example to {learning_rate / 10:.3g})" if learning_rate else ""
    what = "became NaN (not a number)"
    if loss is not None and math.isfinite(loss):
        what = f"exploded to {loss:.3g}" + (f" (from {first:.3g} at the start)" if first is not None else "")
    elif loss is not None:
        what = f"became {'infinite' if math.isinf(loss) else 'NaN (not a number)'}"
    return (
        f"The training loss {what} at batch {batch} of epoch {epoch}, so training stopped: the learning "
        f"rate{rate} is probably too high for this model, or the inputs are not scaled (raw 0-255 pixels need a Rescaling(1/255) layer). "
        f"Lower learning_rate{lower}, or clip the gradients with clipnorm=1.0, and train again."
    )


class StopOnNaN(keras.callbacks.TerminateOnNaN):
    """``TerminateOnNaN`` that also says why the loss may have become NaN and what to do.

    A loss that explodes without becoming NaN (above ``EXPLODED_LOSS``, 10,000, and a thousand
    times the first batch's loss: 1e17, say) stops the run the same way, with the same advice.

    Introduced in ``05_flowers_train_from_folder.ipynb``. Training stops gracefully (the other
    callbacks finish their work, ``EarlyStopping`` puts back the best weights so far);
    :attr:`message` then holds the explanation, which is also printed (unless ``announce=False``), and
    :func:`helpers.train.fit_and_evaluate` raises it as a :class:`TrainingDivergedError`.
    """

    def __init__(self, announce: bool = True) -> None:
        super().__init__()
        self.announce = announce
        self.message: str | None = None
        self.first_loss: float | None = None
        self._epoch = 0

    def on_train_begin(self, logs=None):  # noqa: ANN001 - Keras callback signature
        self.first_loss = None

    def on_epoch_begin(self, epoch, logs=None):  # noqa: ANN001 - Keras callback signature
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):  # noqa: ANN001 - Keras callback signature
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


def interrupted_message(run_dir: Path | str | None, again: str = "run the same command again") -> str:
    """The one line to print when a run is stopped with Ctrl-C: where it was saved and how to resume.

    Reads the state :class:`RunState` keeps in ``run_dir/backup`` (or ``run_dir/fine_tune/backup``, or
    the finished head phase's ``head_history.json``).
    Used by ``python -m helpers.train``.
    """
    from helpers.data.download import pretty_path

    if run_dir is None:
        return ("Interrupted: nothing was saved, as this run had no run folder; give one (--run-dir FOLDER, or run_dir=...) "
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
        try:
            done = len(json.loads((folder / "head_history.json").read_text())["epoch"]) or None
        except (OSError, ValueError, KeyError, TypeError):
            pass
    if done is None:
        return f"Interrupted before the first epoch ended, so there is nothing to resume in {pretty_path(folder)} yet; {again} to start over."
    return (f"Interrupted: the run is saved in {pretty_path(folder)} up to epoch {done}, the last one completed; "
            f"{again} to go on from epoch {done + 1}.")


class ResumeFromBackup(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` that says, in one line, when it resumes an interrupted run.

    Kept for code written against it; the course's runs use :class:`RunState`, which also resumes
    a pretrained base under a new head in a new process, and keeps the best epoch across the interruption.

    Introduced in ``05_flowers_train_from_folder.ipynb``. At the end of every epoch the model's
    weights, the optimizer's state and the epoch number are written to ``backup_dir``. If ``fit``
    is interrupted (Ctrl-C, a crash, a lost session) and the same training is started again, it
    goes on from the epoch after the last completed one instead of from the start. When a run
    completes (or stops early), Keras deletes the backup, so the next run starts fresh.

    Only weights, optimizer and epoch are restored: ``EarlyStopping`` and ``ModelCheckpoint`` start
    counting again from the resumed epoch.
    """

    resumed_from: int = 0

    def on_train_begin(self, logs=None):  # noqa: ANN001 - Keras callback signature
        metadata = Path(self.backup_dir) / "training_metadata.json"
        self.resumed_from = int(json.loads(metadata.read_text())["epoch"]) if metadata.is_file() else 0
        super().on_train_begin(logs)
        if self.resumed_from:
            print(
                f"Resuming an interrupted run: epoch {self.resumed_from} was the last one completed, "
                f"so training goes on from epoch {self.resumed_from + 1}."
            )

    def on_train_end(self, logs=None):  # noqa: ANN001 - Keras callback signature
        super().on_train_end(logs)
        self.model._initial_epoch = None  # Keras keeps the resumed epoch; a later fit must start where it is told


class ReduceLROnPlateau(keras.callbacks.ReduceLROnPlateau):
    """Keras's ``ReduceLROnPlateau``, which steps aside (saying so) when the optimizer follows a schedule.

    A ``LearningRateSchedule`` owns the learning rate; Keras's own callback would fail with
    ``TypeError: ... learning rate is not settable`` the first time it tried to lower it.
    """

    def on_train_begin(self, logs=None):  # noqa: ANN001 - Keras callback signature
        self.follows_schedule = isinstance(
            getattr(self.model.optimizer, "_learning_rate", None), keras.optimizers.schedules.LearningRateSchedule
        )
        if self.follows_schedule:
            print("note: the optimizer follows a learning-rate schedule, so ReduceLROnPlateau leaves the learning rate alone.")
        super().on_train_begin(logs)

    def on_epoch_end(self, epoch, logs=None):  # noqa: ANN001 - Keras callback signature
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

    def on_train_begin(self, logs=None):  # noqa: ANN001 - Keras callback signature
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):  # noqa: ANN001 - Keras callback signature
        score = (logs or {}).get(self.monitor)
        if self.seconds is None and score is not None and score >= self.target:
            self.seconds, self.epoch = time.perf_counter() - self._start, epoch + 1
            print(f"{self.monitor} reached {self.target:.1%} at epoch {self.epoch}, {self.seconds:.0f} s into training")

    def summary(self) -> str:
        """One line: when the target was reached, or that it was not."""
        if self.seconds is None:
            return f"{self.monitor} never reached {self.target:.1%}"
        return f"{self.monitor} reached {self.target:.1%} at epoch {self.epoch}, after {self.seconds:.0f} s of training"


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
            print("TensorBoard is not installed, so this run is not logged for it; `pip install tensorboard` to add it.")
        else:
            callbacks.append(keras.callbacks.TensorBoard(log_dir=str(folder / "logs")))
    return callbacks


# --- run folders that resume by themselves, one run at a time ------------------------------------------------

#: The file that holds a run's state (weights, optimizer, epoch, history, the callbacks' counters) in its backup folder.
STATE_FILE = "state.npz"
#: What the last :func:`run_folder_lock` in this process took: the command line names it when Ctrl-C stops a run.
last_run_dir: Path | None = None


def _described(value) -> object:
    """``value`` as plain data that is the same in every process (no memory addresses), for :func:`run_key`."""
    import functools

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_described(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _described(item) for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, functools.partial):
        return {"partial": _described(value.func), "args": _described(value.args), "keywords": _described(value.keywords)}
    if isinstance(value, keras.Model):
        return {"model": value.name, "parameters": int(value.count_params()) if value.built else None}
    if hasattr(value, "get_config"):
        try:
            config = {k: v for k, v in value.get_config().items() if k != "name"}  # names count instances (random_flip_1)
            return {type(value).__name__: _described(config)}
        except (NotImplementedError, TypeError, ValueError):
            pass
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


def data_fingerprint(*sources: os.PathLike | str | None) -> list:
    """What identifies the data of a run: each file's path (relative to its source) and size, or a file's own bytes' digest.

    Sizes, not modification times: data downloaded again (a recycled Colab runtime) is the same data.
    """
    found: list = []
    for source in sources:
        if source is None:
            continue
        path = Path(source)
        if path.is_file():
            found.append([path.name, hashlib.sha256(path.read_bytes()).hexdigest()])
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file():
                    found.append([file.relative_to(path).as_posix(), file.stat().st_size])
    return found


def run_key(data: list, settings: dict) -> str:
    """A short digest of the data (:func:`data_fingerprint`) and the settings: the same command gives the same key."""
    text = json.dumps({"data": data, "settings": _described(settings)}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def default_run_dir(name: str, key: str) -> Path:
    """The run folder a run finds by itself: ``runs/<name>-<key>`` (``COURSE_RUNS_DIR`` moves ``runs``)."""
    root = Path(os.environ.get(RUNS_ENV) or RUNS_DIR)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "run"
    return root / f"{safe[:40]}-{key}"


@contextlib.contextmanager
def run_folder_lock(folder: os.PathLike | str) -> Iterator[Path]:
    """Hold ``folder`` for this run alone while the block runs; refuse at once, before any training, if another run holds it.

    An OS lock (``fcntl.flock``, ``msvcrt.locking`` on Windows) on ``folder/.lock``: the operating
    system releases it when the process ends, however it ends (SIGKILL included), so a lock left by
    a killed run never blocks the next one. The lock file keeps the holder's process id, for the message.

    Raises:
        RunFolderBusyError: another process (or another run in this one) holds the folder.
    """
    global last_run_dir
    from helpers.data.download import pretty_path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / ".lock", "a+")
    try:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            def lock() -> None:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

            def unlock() -> None:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            def lock() -> None:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

            def unlock() -> None:
                fcntl.flock(handle, fcntl.LOCK_UN)
        try:
            lock()
        except OSError:
            try:
                handle.seek(0)
                holder = handle.read().strip()
            except OSError:  # Windows: the holder's locked byte cannot be read
                holder = ""
            by = f" (process {holder})" if holder.isdigit() else ""
            raise RunFolderBusyError(
                f"The run folder {pretty_path(folder)} is in use by another training run{by}: wait for that run to end, "
                f"or give this one another folder (--run-dir FOLDER, or run_dir=... in Python)."
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        except OSError:  # the id is only for the message
            pass
        last_run_dir = folder
        try:
            yield folder
        finally:
            unlock()
    finally:
        handle.close()


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: a run killed meanwhile leaves the old file whole."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        with contextlib.suppress(OSError):
            os.fsync(handle.fileno())
    os.replace(temporary, path)


def save_arrays(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """``arrays`` and ``meta`` (as JSON) in one ``.npz`` file, written atomically (:func:`_atomic_write`)."""
    buffer = io.BytesIO()
    np.savez(buffer, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    _atomic_write(path, buffer.getvalue())


def load_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """What :func:`save_arrays` wrote: the arrays and the metadata."""
    with np.load(path, allow_pickle=False) as saved:
        arrays = {name: saved[name] for name in saved.files if name != "__meta__"}
        meta = json.loads(saved["__meta__"].tobytes().decode())
    return arrays, meta


def _numbered(prefix: str, arrays: dict) -> list[np.ndarray]:
    count = sum(1 for name in arrays if name.startswith(prefix))
    return [arrays[f"{prefix}{i}"] for i in range(count)]


def _plain(value):
    """A callback's counter as JSON (numpy numbers become floats; infinities stay)."""
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class RunState(keras.callbacks.Callback):
    """Keep a run's whole state in ``backup_dir`` after every epoch, and take it back when the same run starts again.

    Introduced in ``05_flowers_train_from_folder.ipynb`` (through ``train_from_folder``, which
    gives every run a folder). Place it after the callbacks it names in ``watched``
    (``EarlyStopping``, ``ReduceLROnPlateau``, ``ModelCheckpoint``): at the end of every epoch it
    writes, in one file replaced atomically (``backup_dir/state.npz``), the model's weights, the
    optimizer's variables (learning rate and step included), the epochs' logs, and the watched
    callbacks' counters; ``EarlyStopping``'s best weights, when they are not this epoch's, go to
    ``best-<epoch>.npz`` once. A run stopped in any way (Ctrl-C,
    a SIGKILL, a closed laptop, a recycled Colab runtime) loses at most the epoch in progress: the
    same ``fit`` started again prints one line and goes on from the next epoch, and the best epoch
    is chosen across the interruption (``EarlyStopping`` remembers the best before it).

    Unlike Keras's ``BackupAndRestore``, it matches weights by their order and shapes, not by the
    names of nested layers, so a pretrained base under a new head, rebuilt in a new process, takes
    its state back; a state that does not fit the model is set aside with one line, and the run
    starts afresh. When ``fit`` ends normally (early stopping and a NaN stop included) the folder
    is deleted: the next identical run trains afresh, as on a first run.

    Attributes:
        resumed_from: the epochs completed before this ``fit`` (0 for a fresh run).
        history: every epoch's logs, those before the interruption included (what ``History`` holds only since it).
        epochs: the epoch numbers of ``history`` (0 = first).
    """

    def __init__(self, backup_dir: os.PathLike | str, watched: list | tuple = (), announce: bool = True) -> None:
        super().__init__()
        self.backup_dir = Path(backup_dir)
        self.watched = list(watched)
        self.announce = announce
        self.resumed_from = 0
        self.history: dict[str, list] = {}
        self.epochs: list[int] = []
        self._best_file: str | None = None
        self._best_epoch = -1

    @property
    def path(self) -> Path:
        return self.backup_dir / STATE_FILE

    def on_train_begin(self, logs=None):  # noqa: ANN001 - Keras callback signature
        self.resumed_from, self.history, self.epochs, self._best_file, self._best_epoch = 0, {}, [], None, -1
        if not self.path.is_file():
            return
        from helpers.data.download import pretty_path

        try:
            arrays, meta = load_arrays(self.path)
            self._restore(arrays, meta)
        except (OSError, ValueError, KeyError, TypeError, EOFError) as error:
            self.resumed_from, self.history, self.epochs = 0, {}, []
            shutil.rmtree(self.backup_dir, ignore_errors=True)
            print(f"The saved state in {pretty_path(self.backup_dir)} does not fit this model or cannot be read "
                  f"({str(error)[:80]}), so this run starts afresh.")
            return
        if self.announce:
            print(f"Resuming an interrupted run: epoch {self.resumed_from} was the last one completed, so training goes on "
                  f"from epoch {self.resumed_from + 1} (state in {pretty_path(self.backup_dir.parent)}; to start afresh: "
                  f"--fresh, or fresh=True).")

    def _restore(self, arrays: dict, meta: dict) -> None:
        model = self.model
        weights = _numbered("w", arrays)
        current = model.get_weights()
        if len(weights) != len(current) or any(a.shape != b.shape for a, b in zip(weights, current)):
            raise ValueError("other weights than this model's")
        optimizer = model.optimizer
        saved_optimizer = _numbered("o", arrays)
        if saved_optimizer:
            if not optimizer.built:
                optimizer.build(model.trainable_variables)
            variables = list(optimizer.variables)
            if len(variables) != len(saved_optimizer) or any(tuple(v.shape) != a.shape for v, a in zip(variables, saved_optimizer)):
                raise ValueError("another optimizer than this run's")
        model.set_weights(weights)
        for variable, value in zip(optimizer.variables if saved_optimizer else [], saved_optimizer):
            variable.assign(value)
        best = []
        if meta.get("best_file") == STATE_FILE:  # early stopping's best weights: this state's own, or a file of their own
            best = weights
        elif meta.get("best_file"):
            best = _numbered("w", load_arrays(self.backup_dir / meta["best_file"])[0])
        for callback, state in zip(self.watched, meta.get("callbacks", [])):
            for name, value in state.items():
                setattr(callback, name, value)
            if isinstance(callback, keras.callbacks.EarlyStopping) and best:
                callback.best_weights = best
        self.resumed_from = int(meta["epoch"])
        self.history = {key: list(values) for key, values in meta["history"].items()}
        self.epochs = list(meta["epochs"])
        self._best_file = meta.get("best_file")
        self._best_epoch = next((int(c.best_epoch) for c in self.watched if isinstance(c, keras.callbacks.EarlyStopping)), -1)
        model._initial_epoch = self.resumed_from  # where Keras's fit starts (as BackupAndRestore does)

    def on_epoch_end(self, epoch, logs=None):  # noqa: ANN001 - Keras callback signature
        for key, value in (logs or {}).items():
            self.history.setdefault(key, [None] * len(self.epochs)).append(_plain(value))
        self.epochs.append(int(epoch))
        for key, values in self.history.items():  # a key missing this epoch: keep the lists aligned
            values.extend([None] * (len(self.epochs) - len(values)))
        stopping = next((c for c in self.watched if isinstance(c, keras.callbacks.EarlyStopping)), None)
        best_weights = getattr(stopping, "best_weights", None)
        best_now = best_weights is not None and int(stopping.best_epoch) == int(epoch)
        weights = best_weights if best_now else self.model.get_weights()  # this epoch is the best: its weights are at hand
        arrays = {f"w{i}": value for i, value in enumerate(weights)}
        arrays.update({f"o{i}": keras.ops.convert_to_numpy(v) for i, v in enumerate(self.model.optimizer.variables)})
        states = []
        for callback in self.watched:
            names = [name for name in ("wait", "best", "best_epoch", "cooldown_counter") if hasattr(callback, name)]
            states.append({name: _plain(getattr(callback, name)) if name != "best_epoch" else int(getattr(callback, name))
                           for name in names})
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        best_file = self._best_file
        if best_now:
            best_file = STATE_FILE  # early stopping's best weights are this state's own
        elif best_weights is not None and (best_file == STATE_FILE or int(stopping.best_epoch) != self._best_epoch):
            best_file = f"best-{int(stopping.best_epoch)}.npz"  # an earlier epoch's: in a file of their own, written once
            save_arrays(self.backup_dir / best_file, {f"w{i}": value for i, value in enumerate(best_weights)}, {})
        self._best_epoch = int(stopping.best_epoch) if best_weights is not None else -1
        meta = {"epoch": int(epoch) + 1, "history": self.history, "epochs": self.epochs, "callbacks": states,
                "best_file": best_file}
        save_arrays(self.path, arrays, meta)  # the one write that moves the run on: a kill before it leaves the last state whole
        if best_file != self._best_file:
            for old in self.backup_dir.glob("best-*.npz"):
                if old.name != best_file:
                    old.unlink(missing_ok=True)
            self._best_file = best_file
        _atomic_write(self.backup_dir / "training_metadata.json", json.dumps({"epoch": int(epoch) + 1}).encode())

    def on_train_end(self, logs=None):  # noqa: ANN001 - Keras callback signature
        shutil.rmtree(self.backup_dir, ignore_errors=True)  # a run that ended is not resumed: the next one starts afresh
        self.model._initial_epoch = None

    def full_history(self, history):
        """``history`` (a ``History`` of this ``fit``) with the epochs before the interruption put in front."""
        if not self.resumed_from:
            return history
        joined = keras.callbacks.History()
        joined.history = {key: [v if v is not None else float("nan") for v in values] for key, values in self.history.items()}
        joined.epoch = list(self.epochs)
        joined.set_model(self.model)
        return joined
