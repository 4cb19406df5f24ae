from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import models
from helpers.train import callbacks as train_callbacks


def test_mnist_cnn_has_the_documented_shape_and_size():
    model = models.mnist_cnn()
    assert model.count_params() == 225_034  # 320 + 18,496 + 204,928 + 1,290
    assert model.output_shape == (None, 10)
    assert isinstance(model.layers[0], keras.layers.Rescaling), "takes raw 0-255 pixels"


def test_mnist_cnn_outputs_probabilities_for_raw_pixels():
    from helpers.data.arrays import load_mnist

    (x_train, _), _ = load_mnist(verbose=False)
    probabilities = models.mnist_cnn(num_classes=10).predict(x_train[:4, ..., None], verbose=0)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_standard_callbacks(tmp_path: Path):
    callbacks = train_callbacks.standard_callbacks("demo", root=tmp_path)
    kinds = [type(c).__name__ for c in callbacks]
    assert kinds == ["ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau", "TensorBoard"]
    checkpoint, early, plateau, board = callbacks
    assert Path(checkpoint.filepath) == tmp_path / "demo" / "best.keras" and checkpoint.save_best_only
    assert early.restore_best_weights and early.monitor == "val_accuracy"
    assert Path(board.log_dir) == tmp_path / "demo" / "logs"
    assert (tmp_path / "demo").is_dir()


def _mode(callback) -> str:
    """``"min"`` or ``"max"``: Keras 3.11+ keeps the mode; Keras 3.10's ModelCheckpoint keeps only np.less or np.greater."""
    return getattr(callback, "mode", None) or {np.less: "min", np.greater: "max"}[callback.monitor_op]


def test_callbacks_watching_a_loss_minimise_it(tmp_path: Path):
    callbacks = train_callbacks.standard_callbacks("demo", monitor="val_loss", tensorboard=False, root=tmp_path)
    assert [_mode(c) for c in callbacks] == ["min", "min", "min"]
    assert [_mode(c) for c in train_callbacks.standard_callbacks("demo", root=tmp_path)[:3]] == ["max", "max", "max"]


def test_missing_tensorboard_is_one_line_not_a_crash(tmp_path: Path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name, *a))
    callbacks = train_callbacks.standard_callbacks("demo", root=tmp_path)
    assert [type(c).__name__ for c in callbacks] == ["ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau"]
    out = capsys.readouterr().out  # the one wording test of this note: what is missing, what to do
    assert "TensorBoard is not installed" in out and "`pip install tensorboard` to add it" in out and out.count("\n") == 1


def test_resume_and_stop_on_nan_are_optional_callbacks(tmp_path: Path):
    callbacks = train_callbacks.standard_callbacks("demo", tensorboard=False, root=tmp_path, resume=True, stop_on_nan=True)
    kinds = [type(c).__name__ for c in callbacks]
    assert kinds == ["ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau", "StopOnNaN", "RunState"], "the state is saved last"
    state = callbacks[-1]
    assert Path(state.backup_dir) == tmp_path / "demo" / "backup" and isinstance(callbacks[-2], keras.callbacks.TerminateOnNaN)
    assert state.watched == callbacks[:3], "it keeps the counters of the checkpoint, early stopping and the learning-rate callback"


def test_time_to_accuracy_notes_the_first_epoch_at_the_target(capsys, monkeypatch):
    from helpers.train.callbacks import TimeToAccuracy

    ticks = iter([0.0, 100.0, 112.4])  # created, fit starts, the target is reached; nothing else reads the clock
    monkeypatch.setattr(train_callbacks.time, "perf_counter", lambda: next(ticks))
    clock = TimeToAccuracy(0.99)
    clock.on_train_begin()
    clock.on_epoch_end(0, {"val_accuracy": 0.985})
    assert (clock.epoch, clock.seconds) == (None, None) and clock.summary() == "val_accuracy never reached 99.0%"
    assert capsys.readouterr().out == "", "nothing printed before the target"
    clock.on_epoch_end(1, {"val_accuracy": 0.991})
    clock.on_epoch_end(2, {"val_accuracy": 0.995})  # later epochs do not move the figure
    assert clock.epoch == 2 and clock.seconds == pytest.approx(12.4), "seconds since fit began, not since the callback was made"
    assert capsys.readouterr().out.splitlines() == ["val_accuracy reached 99.0% at epoch 2, 12 s into training"], "one line, once"
    # the one formatting test of the summary line
    assert clock.summary() == "val_accuracy reached 99.0% at epoch 2, after 12 s of training"


def test_one_sigmoid_unit_means_two_classes():
    """The output rule, written once in helpers.models, and what the other modules ask of it."""
    from helpers import model_files, predict

    assert models.output_units(2) == (1, "sigmoid") and models.output_units(5) == (5, "softmax")
    assert [models.classes_for_units(units) for units in (1, 3)] == [2, 3]
    two, five = models.cats_dogs_cnn((64, 64, 3), 2), models.cats_dogs_cnn((64, 64, 3), 5)
    assert (models.classes_of(two), models.classes_of(five)) == (2, 5) == (model_files.output_classes(two), model_files.output_classes(five))
    assert (models.loss_for(two), models.loss_for(five)) == ("binary_crossentropy", "sparse_categorical_crossentropy")
    assert models.loss_for is models.loss_for, "the old name still imports"
    assert [models.is_sigmoid_output(units) for units in (1, 2, 3)] == [True, False, False], "two softmax units are not one sigmoid"
    assert models.loss_for(models.folder_cnn((32, 32, 3), 2, widths=(8,), convs_per_block=1)) == "sparse_categorical_crossentropy"
    assert predict.class_probabilities([[0.25]]).tolist() == [[0.75, 0.25]]
    assert predict.class_probabilities([[0.25, 0.75]]).tolist() == [[0.25, 0.75]]
