"""Notebook 05's exercises: each right answer passes, each typical mistake is named, and each answer is what Keras does."""

from __future__ import annotations

import keras
import numpy as np
from exercise_checks import bad, ok
from PIL import Image

from helpers.exercises import nb05


def test_nb05_three_way_split():
    right = nb05.ex1.solution()
    ok(nb05.ex1, right)
    ok(nb05.ex1, {"validation_split": 0.3, "take": np.int64(500)})
    assert "fraction held OUT" in bad(nb05.ex1, {**right, "validation_split": 0.7})
    assert "20% + 10%" in bad(nb05.ex1, {**right, "validation_split": 0.2})
    assert "between 0 and 1" in bad(nb05.ex1, {**right, "validation_split": 30})
    assert "no test photos" in bad(nb05.ex1, {**right, "take": 750})
    assert "FIRST n" in bad(nb05.ex1, {**right, "take": 250})
    assert "not a fraction" in bad(nb05.ex1, {**right, "take": 0.2})
    assert "two keys" in bad(nb05.ex1, {"validation_split": 0.3})


def test_nb05_ex1_answer_is_what_keras_splits():
    from keras.src.utils import dataset_utils

    paths, labels = [f"{i:04d}.jpg" for i in range(nb05.EX1_IMAGES)], [0] * nb05.EX1_IMAGES
    held_out, _ = dataset_utils.get_training_or_validation_split(paths, labels, 0.3, "validation")
    training, _ = dataset_utils.get_training_or_validation_split(paths, labels, 0.3, "training")
    assert (len(training), len(held_out)) == (1_750, 750)


def _folder(tmp_path, per_class=20):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(per_class):
            Image.new("RGB", (8, 8), (i, 0, 0)).save(tmp_path / name / f"{i:02d}.png")
    return tmp_path


def test_nb05_overlap_of_two_seeds(tmp_path):
    folder = _folder(tmp_path)
    right = nb05.overlap_with_two_seeds(folder)
    assert 0 < right < 12  # 12 validation files of 40; with two seeds some are training files too
    assert nb05.overlap_with_two_seeds(folder, seeds=(5, 5)) == 0  # the same seed: the same cut
    ok(nb05.ex2, right, folder)
    ok(nb05.ex2, np.int64(right), folder)
    assert "SAME seed" in bad(nb05.ex2, 0, folder)
    assert "len(...)" in bad(nb05.ex2, {"a/00.png"}, folder)
    assert "len(set(training.file_paths)" in bad(nb05.ex2, right + 1, folder)


def test_nb05_early_stopping():
    right = nb05.ex3.solution()
    assert right == nb05.early_stopping_outcome() == {"epochs run": 8, "epoch kept": 5}
    ok(nb05.ex3, right)
    assert "not the last" in bad(nb05.ex3, {"epochs run": 8, "epoch kept": 8})
    assert "a later epoch" in bad(nb05.ex3, {"epochs run": 8, "epoch kept": 3})
    assert "stops before epoch 10" in bad(nb05.ex3, {"epochs run": 10, "epoch kept": 5})
    assert "count again" in bad(nb05.ex3, {"epochs run": 9, "epoch kept": 5})
    assert "two keys" in bad(nb05.ex3, {"epochs": 8})


def test_nb05_ex3_answer_is_what_keras_early_stopping_does():
    """Keras's own EarlyStopping, fed the exercise's losses, stops and restores where the answer says."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=nb05.EX3_PATIENCE, restore_best_weights=True)
    stopping.set_model(model)
    model.stop_training = False
    stopping.on_train_begin()
    ran = 0
    for epoch, loss in enumerate(nb05.EX3_VAL_LOSS):
        model.set_weights([np.full((1, 1), float(epoch + 1)), np.zeros(1)])  # the weights remember their epoch
        stopping.on_epoch_end(epoch, {"val_loss": loss})
        ran = epoch + 1
        if model.stop_training:
            break
    stopping.on_train_end()
    assert {"epochs run": ran, "epoch kept": int(model.get_weights()[0][0, 0])} == nb05.ex3.solution()
