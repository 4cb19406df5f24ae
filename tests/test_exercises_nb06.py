"""Notebook 06's exercises: each right answer passes, each typical mistake is named (no training, random weights)."""

from __future__ import annotations

import keras
import pytest
from keras import layers

from helpers.exercises import nb06
from exercise_checks import bad, ok

SIZE = nb06.SIZE


@pytest.fixture
def small_base():
    return keras.applications.MobileNetV2(input_shape=(SIZE, SIZE, 3), alpha=0.35, include_top=False, weights=None)


def _classifier(base, *, frozen=True, training=False, preprocess=True, pooling="avg", dropout=True, units=1, activation="sigmoid"):
    base.trainable = not frozen
    inputs = keras.Input(shape=(SIZE, SIZE, 3))
    x = layers.RandomFlip("horizontal")(inputs)
    if preprocess == "rescale":
        x = layers.Rescaling(1 / 255)(x)
    elif preprocess:
        x = keras.applications.mobilenet_v2.preprocess_input(x)
    x = base(x, training=False) if training is False else base(x)
    x = layers.GlobalAveragePooling2D()(x) if pooling == "avg" else layers.Flatten()(x)
    if dropout:
        x = layers.Dropout(0.2)(x)
    return keras.Model(inputs, layers.Dense(units, activation=activation)(x))


def test_ex1_a_frozen_base_under_a_new_head(small_base):
    assert "under a new head" in ok(nb06.ex1, _classifier(small_base))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"frozen": False}, "base.trainable = False"),
        ({"training": None}, "training=False"),
        ({"preprocess": False}, "raw 0-255 pixels"),
        ({"preprocess": "rescale"}, "expects -1, 0, 1"),
        ({"pooling": "flatten"}, "GlobalAveragePooling2D"),
        ({"dropout": False}, "Dropout(0.2)"),
        ({"units": 2, "activation": "softmax"}, "one unit with a sigmoid"),
    ],
)
def test_ex1_names_each_mistake(small_base, change, message):
    assert message in bad(nb06.ex1, _classifier(small_base, **change))


def test_ex1_rejects_what_is_not_a_classifier_with_its_base_inside(small_base):
    assert "whole classifier" in bad(nb06.ex1, "model")
    flat = keras.Sequential([keras.Input((SIZE, SIZE, 3)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D(), layers.Dense(1)])
    assert "no pretrained base inside" in bad(nb06.ex1, flat)


def _unfreeze(base, top):
    base.trainable = True
    for layer in base.layers[:-top]:
        layer.trainable = False
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    return base


def test_ex2_only_the_top_layers_learn_batch_norm_excepted(small_base):
    model = _classifier(small_base)
    base = _unfreeze(small_base, nb06.TOP_LAYERS)
    message = ok(nb06.ex2, base)
    assert message.startswith("7 layers will learn, from block_15_expand up to Conv_1;")
    assert ok(nb06.ex2, model) == message, "given a whole classifier, its base is checked"

    base.get_layer("Conv_1_bn").trainable = True
    assert "Conv_1_bn is a batch-norm layer" in bad(nb06.ex2, base)
    base.get_layer("Conv_1_bn").trainable = False
    base.get_layer("Conv1").trainable = True
    assert f"Conv1 is trainable, but it is not among the top {nb06.TOP_LAYERS}" in bad(nb06.ex2, base)
    base.trainable = False
    assert "base.trainable is False" in bad(nb06.ex2, base)


def test_ex2_too_few_layers_unfrozen(small_base):
    assert "but frozen: make it trainable" in bad(nb06.ex2, _unfreeze(small_base, 5))


def test_ex3_preprocess_input_for_resnet50():
    ok(nb06.ex3, keras.applications.resnet50.preprocess_input)
    ok(nb06.ex3, keras.applications.vgg16.preprocess_input)
    assert "[-1, 1]" in bad(nb06.ex3, keras.applications.mobilenet_v2.preprocess_input)
    assert "[0, 1]" in bad(nb06.ex3, lambda x: x / 255)
    assert "unchanged" in bad(nb06.ex3, keras.applications.efficientnet.preprocess_input)
    assert "function itself" in bad(nb06.ex3, "resnet50")


@pytest.mark.parametrize("name", ["ex1", "ex2", "ex3"])
def test_each_printed_solution_passes_its_own_check(name, capsys):
    exercise = getattr(nb06, name)
    namespace = {"keras": keras}
    exec(exercise._solution, namespace)  # the code ex.solution() prints, as a learner would paste it
    assert ok(exercise, namespace["answer"])
