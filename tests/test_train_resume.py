"""Runs that die and runs that collide: resuming by default, and one run per run folder.

Real processes: a training run SIGKILLed mid-training and the same call again in a new process
(a pretrained base under a new head, the default run), a second run refused while the first holds
its folder, and a lock left by a killed run that does not block the next one. Tiny generated
images keep it short.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from helpers import models, train
from helpers.errors import RunFolderBusyError
from helpers.train import command, fit, run_state

ROOT = Path(__file__).resolve().parents[1]
TINY_CNN = functools.partial(models.folder_cnn, widths=(4, 8), convs_per_block=1)


def _photos(root: Path, per_class: int = 12) -> Path:
    """Two classes of 24x24 noise photos, one reddish and one bluish (easy to tell apart)."""
    rng = np.random.default_rng(0)
    for name, channel in (("red", 0), ("blue", 2)):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = rng.integers(0, 80, (24, 24, 3)).astype("uint8")
            pixels[..., channel] += 150
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


@pytest.fixture
def runs(tmp_path, monkeypatch) -> Path:
    """The default run folders go to a folder of this test's own."""
    monkeypatch.setenv(run_state.RUNS_ENV, str(tmp_path / "runs"))
    return tmp_path / "runs"


def _start(script: str, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(process: subprocess.Popen, word: str, seconds: float = 240) -> str:
    """The output of ``process`` up to the line holding ``word`` (it must come before ``seconds``)."""
    seen, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if word in line:
            return "".join(seen)
    process.kill()
    pytest.fail(f"{word!r} never came; the process printed:\n{''.join(seen)[-3000:]}")


#: Trains the default run (a pretrained base under a new head) on sys.argv[1]; with sys.argv[2] = N it
#: prints PAUSED after epoch N and waits there (the test kills it with SIGKILL, no clean-up at all).
CHILD = """
    import sys, time, keras
    from helpers import train

    class Pause(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == int(sys.argv[2]):
                print("PAUSED", flush=True)
                time.sleep(600)

    result = train.train_from_folder(sys.argv[1], image_size=32, epochs=2, fine_tune_epochs=1, batch_size=8, augment=False,
                                     callbacks=[Pause()] if len(sys.argv) > 2 else [], verbose=1)
    print("EPOCHS", result.history.epoch, "KEPT", result.best_epoch, "OF", result.epochs, flush=True)
"""


def test_a_sigkilled_default_run_resumes_in_a_new_process_from_its_last_epoch(tmp_path, runs):
    photos = _photos(tmp_path / "my photos")  # a space in the name too
    env = {run_state.RUNS_ENV: str(runs)}
    first = _start(CHILD, str(photos), "1", env=env)
    _wait_for(first, "PAUSED")
    first.send_signal(signal.SIGKILL)  # no Python clean-up: what a killed process or a recycled runtime leaves
    first.wait(30)
    saved = list(runs.glob("*/backup/state.npz"))
    assert len(saved) == 1 and saved[0].parent.parent.name.startswith("my_photos-"), "the state waits in the default run folder"
    second = _start(CHILD, str(photos), env=env)
    out = second.communicate(timeout=300)[0]
    assert second.returncode == 0, out[-3000:]
    assert "Traceback" not in out and "could not be loaded" not in out
    resumed = [line for line in out.splitlines() if line.startswith("Resuming")]
    assert len(resumed) == 1 and "epoch 1 was the last one completed, so training goes on from epoch 2" in resumed[0], out
    assert "EPOCHS [0, 1, 2] " in out, "one history across the interruption: epoch 1 from the killed run, 2 and 3 since"
    assert not list(runs.glob("*/backup")) and not list(runs.glob("*/head*")), "a run that ended leaves nothing to resume"


class _Interrupt(keras.callbacks.Callback):
    """Ctrl-C at the end of epoch ``after``."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.after:
            raise KeyboardInterrupt


class _Spoil(keras.callbacks.Callback):
    """Zeroes the weights before every epoch: the epochs after the interruption learn only biases (a loss near ln 2)."""

    def on_epoch_begin(self, epoch, logs=None):
        self.model.set_weights([np.zeros_like(w) for w in self.model.get_weights()])


def test_the_best_epoch_is_chosen_across_the_interruption(tmp_path, runs, capsys):
    photos = _photos(tmp_path / "photos")
    options = dict(base=None, model=TINY_CNN, image_size=24, epochs=4, batch_size=8, augment=False, learning_rate=3e-3,
                   patience=10, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        train.train_from_folder(photos, callbacks=[_Interrupt(after=2)], **options)
    state = run_state.load_arrays(next(runs.glob("*/backup/state.npz")))[1]
    before = state["history"]["val_loss"]
    assert len(before) == 2
    result = train.train_from_folder(photos, callbacks=[_Spoil()], **options)  # the same call: same folder, found by itself
    assert "training goes on from epoch 3" in capsys.readouterr().out
    losses = result.history.history["val_loss"]
    assert result.history.epoch == [0, 1, 2, 3] and losses[:2] == pytest.approx(before)
    assert min(losses[2:]) > min(before), "the set-up: the epochs after the interruption are the worse ones"
    assert result.best_epoch == 1 + int(np.argmin(before)), "the best epoch before the interruption is kept"
    assert result.metrics["validation_loss"] == pytest.approx(min(before), rel=1e-3), "and its weights are the model's"
    assert not list(runs.glob("*/backup")), "a run that ended is not resumed: the same call again trains afresh"


def test_fresh_starts_over_and_a_state_that_does_not_fit_is_set_aside(tmp_path, runs, capsys):
    photos = _photos(tmp_path / "photos", per_class=6)
    options = dict(base=None, model=TINY_CNN, image_size=24, epochs=2, batch_size=8, augment=False, verbose=0)
    folder = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        train.train_from_folder(photos, run_dir=folder, callbacks=[_Interrupt(after=1)], **options)
    assert (folder / "backup" / "state.npz").is_file()
    first = run_state.load_arrays(folder / "backup" / "state.npz")[1]["history"]["loss"]
    with pytest.raises(KeyboardInterrupt):  # fresh: epoch 1 again, not epoch 2
        train.train_from_folder(photos, run_dir=folder, fresh=True, callbacks=[_Interrupt(after=1)], **options)
    state = run_state.load_arrays(folder / "backup" / "state.npz")[1]
    assert "Resuming" not in capsys.readouterr().out and state["epochs"] == [0] and state["history"]["loss"] == pytest.approx(first)
    wider = functools.partial(models.folder_cnn, widths=(8, 8), convs_per_block=1)  # another model into the same folder
    result = train.train_from_folder(photos, run_dir=folder, **{**options, "model": wider})
    out = capsys.readouterr().out
    assert "does not fit this model" in out and "starts afresh" in out and result.history.epoch == [0, 1]


HOLDER = """
    import sys, time
    from helpers.train.run_state import run_folder_lock

    with run_folder_lock(sys.argv[1]):
        print("HOLDING", flush=True)
        time.sleep(600)
"""


def test_a_second_run_into_a_busy_folder_is_refused_and_a_killed_holder_blocks_nothing(tmp_path, capsys):
    photos = _photos(tmp_path / "photos", per_class=6)
    folder = tmp_path / "busy run"
    holder = _start(HOLDER, str(folder))
    try:
        _wait_for(holder, "HOLDING", seconds=120)
        with pytest.raises(RunFolderBusyError) as refused:
            train.train_from_folder(photos, run_dir=folder, base=None, model=TINY_CNN, image_size=24, epochs=1, verbose=0)
        message = str(refused.value)
        assert "busy run" in message and f"process {holder.pid}" in message and "--run-dir" in message
        assert message.replace("...", "").count(". ") == 0 and "\n" not in message and message.endswith("."), "one sentence"
        assert sorted(p.name for p in folder.iterdir()) == [".lock"], "refused before it trained: nothing written"
        status = command.main([str(photos), "--run-dir", str(folder), "--scratch", "--widths", "4,8", "--image-size", "24",
                               "--epochs", "1", "--output", str(tmp_path / "m.keras"), "--quiet"])
        err = capsys.readouterr().err
        assert status == 2 and "Traceback" not in err and err.strip().splitlines()[-1].startswith("error: The run folder ")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    assert (folder / ".lock").is_file(), "the killed run's lock file is left behind..."
    with run_state.run_folder_lock(folder):  # ...and blocks nothing: the OS released the lock with the process
        pass
    result = train.train_from_folder(photos, run_dir=folder, base=None, model=TINY_CNN, image_size=24, epochs=1, verbose=0)
    assert result.epochs == 1


def test_the_same_call_finds_the_same_folder_and_another_call_another(tmp_path, runs):
    photos = _photos(tmp_path / "photos", per_class=3)
    key = functools.partial(run_state.run_key, run_state.data_fingerprint(photos))
    same = key({"model": TINY_CNN, "epochs": 2, "augment": keras.layers.RandomFlip(seed=1)})
    assert same == key({"model": functools.partial(models.folder_cnn, widths=(4, 8), convs_per_block=1), "epochs": 2,
                        "augment": keras.layers.RandomFlip(seed=1)}), "no memory address in the key"
    assert same != key({"model": TINY_CNN, "epochs": 3, "augment": keras.layers.RandomFlip(seed=1)})
    (photos / "red" / "0.png").write_bytes(b"not the same photo any more")
    assert run_state.run_key(run_state.data_fingerprint(photos), {"model": TINY_CNN, "epochs": 2,
                                   "augment": keras.layers.RandomFlip(seed=1)}) != same, "other data, another folder"
    assert run_state.default_run_dir("my photos", same) == runs / f"my_photos-{same}"


def test_ctrl_c_names_the_default_folder_and_printed_commands_quote_paths(tmp_path, runs, monkeypatch, capsys):
    photos = _photos(tmp_path / "my photos", per_class=6)
    output = tmp_path / "my model.keras"
    args = [str(photos), "--scratch", "--widths", "4,8", "--image-size", "24", "--epochs", "1", "--output", str(output), "--quiet"]
    assert command.main(args) == 0
    out = capsys.readouterr().out
    assert f"python -m helpers.predict '{output}' -d FOLDER" in out, "a path with a space is quoted"
    real = fit.fit_and_evaluate

    def interrupted(*args, **kwargs):  # Ctrl-C after the first epoch
        return real(*args, **{**kwargs, "epochs": 3, "callbacks": [_Interrupt(after=1)]})

    monkeypatch.setattr(train, "fit_and_evaluate", interrupted)
    assert command.main(args) == 130
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("Interrupted: the run is saved in ") and "my_photos-" in err
    assert "go on from epoch 2" in err


def test_a_plain_keras_fit_with_run_state_resumes_on_a_fresh_clone_with_its_early_stopping(tmp_path):
    """The pattern of notebooks 03 and 04: ``fit(callbacks=[early_stopping, RunState(...)])``, interrupted
    (Ctrl-C after epoch 3), then the same cell again: a fresh clone of the model goes on from epoch 4,
    early stopping keeps its best epoch and count, and ``full_history`` holds every epoch."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    template = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])

    class CtrlC(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    def cell(extra=()):
        keras.utils.set_random_seed(42)
        model = keras.models.clone_model(template)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, restore_best_weights=True)
        resume = run_state.RunState(tmp_path / "backup", watched=[stopping])
        history = resume.full_history(model.fit(x, y, validation_split=0.25, epochs=6, batch_size=16,
                                                callbacks=[stopping, resume, *extra], verbose=0))
        return model, stopping, resume, history

    with pytest.raises(KeyboardInterrupt):
        cell([CtrlC()])
    assert (tmp_path / "backup" / run_state.STATE_FILE).is_file()
    _, stopping, resume, history = cell()
    assert resume.resumed_from == 3
    assert history.epoch == [0, 1, 2, 3, 4, 5]
    assert len(history.history["val_loss"]) == 6 and not np.isnan(history.history["val_loss"]).any()
    assert stopping.best_epoch == int(np.argmin(history.history["val_loss"]))
    assert not (tmp_path / "backup").exists()  # a run that ended leaves nothing to resume
