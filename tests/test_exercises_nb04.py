"""Notebook 04's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from exercise_checks import bad, ok
from keras import layers

from helpers.exercises import nb04


def test_nb04():
    ok(nb04.ex1, 1_049_088)  # 96 -> 94 -> 47 -> 45 -> 22 -> 20 -> 10 -> 8 -> 4: (4 * 4 * 128) * 512 + 512
    ok(nb04.ex1, 1_049_088.0)
    assert "also has a bias" in bad(nb04.ex1, 1_048_576)
    assert "how many numbers Flatten gives" in bad(nb04.ex1, 2_048)
    assert "first trims 2 pixels" in bad(nb04.ex1, 6 * 6 * 128 * 512 + 512)  # "same" padding: 96 -> 48 -> 24 -> 12 -> 6
    assert "of the 64x64 network" in bad(nb04.ex1, 262_656)
    assert "of the 150x150 network" in bad(nb04.ex1, 3_211_776)
    assert "the whole network" in bad(nb04.ex1, 1_147_041)
    assert "Trace the image size" in bad(nb04.ex1, 12_345)
    assert "should be a number" in bad(nb04.ex1, "1049088 parameters")

    history = {"loss": [0.69, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05],
               "val_loss": [0.69, 0.62, 0.60, 0.61, 0.605, 0.58, 0.59, 0.62]}  # patience 2: stops after epoch 5, keeps 3
    ok(nb04.ex2, (5, 3), history)
    assert "lowest validation loss of the whole run came later, at epoch 6" in ok(nb04.ex2, [5.0, 3], history)
    assert "off by one" in bad(nb04.ex2, (4, 2), history)
    assert "its own, longer patience" in bad(nb04.ex2, (8, 6), history)  # the whole history: what the notebook's run did
    assert "never got there" in bad(nb04.ex2, (7, 6), history)
    assert "two numbers" in bad(nb04.ex2, 5, history)
    assert "waits 2 whole epochs" in bad(nb04.ex2, (4, 3), history)
    assert "does not run one more" in bad(nb04.ex2, (6, 3), history)
    assert "not the last epoch's" in bad(nb04.ex2, (5, 5), history)
    assert "must be one that ran" in bad(nb04.ex2, (5, 7), history)
    assert "walk through val_loss" in bad(nb04.ex2, (7, 3), history)
    steady = {"val_loss": [0.7, 0.6, 0.5, 0.55, 0.56, 0.57]}
    assert "the same epoch as the notebook's longer patience kept, 1 epoch sooner" in ok(nb04.ex2, (5, 3), steady)
    assert nb04.early_stop([0.7, 0.6, 0.5], 2) == (3, 3)  # the patience never ran out: every epoch ran


class _FakeValLoss(keras.callbacks.Callback):
    """Writes a given validation loss into each epoch's logs, before EarlyStopping reads them (test only)."""

    def __init__(self, losses):
        super().__init__()
        self.losses = losses

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.losses[epoch]
        self.model.layers[0].kernel.assign(np.full((1, 1), float(epoch), "float32"))  # the weights name the epoch


@pytest.mark.parametrize("losses", [[0.69, 0.62, 0.60, 0.61, 0.605, 0.58, 0.59, 0.62, 0.5, 0.49],
                                    [0.5, 0.5, 0.5, 0.4, 0.41, 0.4, 0.39, 0.45, 0.46, 0.47], [0.9, 0.8, 0.7, 0.6, 0.5]])
def test_nb04_ex2_agrees_with_keras_early_stopping(losses):
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, use_bias=False)])
    model.compile(optimizer="sgd", loss="mse")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=nb04.PATIENCE, restore_best_weights=True)
    history = model.fit(np.zeros((4, 1)), np.zeros((4, 1)), epochs=len(losses), verbose=0, callbacks=[_FakeValLoss(losses), stop])
    run, kept = nb04.early_stop(losses, nb04.PATIENCE)
    assert len(history.epoch) == run
    assert float(model.layers[0].kernel.numpy()[0, 0]) == kept - 1  # the weights put back are those of epoch `kept`


def test_nb04_ex3():
    def generator(rotation=20 / 360, shift=(0, 0.1), fill="nearest", flip="horizontal", extra=()):
        return keras.Sequential([layers.RandomRotation(rotation, fill_mode=fill), layers.RandomTranslation(*shift, fill_mode=fill),
                                 layers.RandomFlip(flip), *extra])

    ok(nb04.ex3, generator())
    ok(nb04.ex3, list(reversed(generator().layers)))
    assert "radians" in bad(nb04.ex3, generator(rotation=np.radians(20)))
    assert "half turns" in bad(nb04.ex3, generator(rotation=20 / 180))
    assert "height_factor first" in bad(nb04.ex3, generator(shift=(0.1, 0)))
    assert "also shifts up and down" in bad(nb04.ex3, generator(shift=(0.1, 0.1)))  # the swapped-factors message names height_factor=0 too
    assert "\"nearest\"" in bad(nb04.ex3, generator(fill="reflect"))
    assert "upside down" in bad(nb04.ex3, generator(flip="horizontal_and_vertical"))
    assert "not asked for" in bad(nb04.ex3, generator(extra=[layers.RandomZoom(0.1)]))
    assert "Rescaling out" in bad(nb04.ex3, generator(extra=[layers.Rescaling(1 / 255)]))
    assert "add a RandomFlip" in bad(nb04.ex3, generator().layers[:2])
    assert "keras.Sequential" in bad(nb04.ex3, 20 / 360)


def test_nb04_ex2_hint_and_solution_spell_out_the_patience(capsys):
    # both are catalogue messages, looked up as written, so they hold the number rather than format PATIENCE in
    nb04.ex2.hint()
    nb04.ex2.solution()
    shown = capsys.readouterr().out
    assert f"that count reaches {nb04.PATIENCE}, and keeps" in shown
    assert f"elif wait == {nb04.PATIENCE}:" in shown


def test_nb04_feedback_in_chinese(monkeypatch):
    monkeypatch.setenv("COURSE_LANGUAGE", "zh_CN")
    assert bad(nb04.ex1, 2_048).startswith("2,048 是 Flatten 输出的数的个数")
    assert "patience=2" in bad(nb04.ex2, (8, 6), {"val_loss": [0.69, 0.62, 0.60, 0.61, 0.605, 0.58, 0.59, 0.62]})
    assert "第 6 轮" in ok(nb04.ex2, (5, 3), {"val_loss": [0.69, 0.62, 0.60, 0.61, 0.605, 0.58, 0.59, 0.62]})
    assert bad(nb04.ex3, 42) == "请给出一个由预处理层组成的 keras.Sequential（或由这些层组成的列表），而不是 int。"
