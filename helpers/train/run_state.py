"""Train: run folders that resume by themselves, one run at a time.

Introduced in ``05_flowers_train_from_folder.ipynb`` (through :func:`helpers.train.train_from_folder`).
A run keeps its state in a run folder (:func:`default_run_dir`, named after its data and settings by
:func:`run_key`); :class:`RunState` saves that state after every epoch and restores it when the same run
starts again, and :func:`run_folder_lock` lets one run at a time use a folder. The callbacks that use
them are in :mod:`helpers.train.callbacks`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import keras
import numpy as np

from helpers.errors import RunFolderBusyError
from helpers.files import write_atomically
from helpers.language import _

#: Where run folders go, relative to the working directory (a notebook's: ``notebooks/runs``).
RUNS_DIR = Path("runs")
#: Set this environment variable to put the default run folders somewhere else than ``./runs``.
RUNS_ENV = "COURSE_RUNS_DIR"

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
    from helpers.data.paths import pretty_path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / ".lock", "a+")  # noqa: SIM115 - held open while the run lasts: the lock lives as long as the handle
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
            by = _(" (process {pid})").format(pid=holder) if holder.isdigit() else ""
            raise RunFolderBusyError(
                _("The run folder {folder} is in use by another training run{by}: wait for that run to end, "
                  "or give this one another folder (--run-dir FOLDER, or run_dir=... in Python).").format(folder=pretty_path(folder), by=by)
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


def save_arrays(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """``arrays`` and ``meta`` (as JSON) in one ``.npz`` file, written atomically (:func:`helpers.files.write_atomically`)."""
    buffer = io.BytesIO()
    np.savez(buffer, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    write_atomically(path, buffer.getvalue())


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

    def on_train_begin(self, logs=None):
        self.resumed_from, self.history, self.epochs, self._best_file, self._best_epoch = 0, {}, [], None, -1
        if not self.path.is_file():
            return
        from helpers.data.paths import pretty_path

        try:
            arrays, meta = load_arrays(self.path)
            self._restore(arrays, meta)
        except (OSError, ValueError, KeyError, TypeError, EOFError) as error:
            self.resumed_from, self.history, self.epochs = 0, {}, []
            shutil.rmtree(self.backup_dir, ignore_errors=True)
            print(_("The saved state in {folder} does not fit this model or cannot be read "
                    "({error}), so this run starts afresh.").format(folder=pretty_path(self.backup_dir), error=str(error)[:80]))
            return
        if self.announce:
            print(_("Resuming an interrupted run: epoch {done} was the last one completed, so training goes on "
                    "from epoch {next} (state in {folder}; to start afresh: --fresh, or fresh=True).").format(
                done=self.resumed_from, next=self.resumed_from + 1, folder=pretty_path(self.backup_dir.parent)))

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

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, [None] * len(self.epochs)).append(_plain(value))
        self.epochs.append(int(epoch))
        for values in self.history.values():  # a key missing this epoch: keep the lists aligned
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
        write_atomically(self.backup_dir / "training_metadata.json", json.dumps({"epoch": int(epoch) + 1}))

    def on_train_end(self, logs=None):
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


def assign_run_folder(sources: Sequence, settings: dict, fit_options: dict) -> None:
    """Give the run the folder the same call finds again (unless one was given): ``runs/<data's name>-<digest>``.

    The digest (:func:`helpers.train.run_state.run_key`) is of the data (each file's path and size)
    and the settings, so the same call after an interruption resumes it, and any other call trains
    in another folder. ``run_dir=False`` trains with no folder at all.
    """
    if fit_options.get("run_dir") is not None:
        return
    ignored = ("run_dir", "fresh", "callbacks", "strategy")
    key = run_key(data_fingerprint(*sources), {**settings, **{k: v for k, v in fit_options.items() if k not in ignored}})
    source = Path(sources[0])
    fit_options["run_dir"] = default_run_dir(source.stem if source.is_file() else source.resolve().name, key)
    fit_options.setdefault("keep_best", False)  # the state only: best.keras is written where the user asked for a folder
