"""Notebook 06's exercises: each right answer passes, each typical mistake is named (no training, random weights)."""

from __future__ import annotations

import keras
import pytest
from exercise_checks import bad, ok
from keras import layers

from helpers.exercises import nb06

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


def test_ex1_the_answer_is_what_fit_really_changes():
    """The exercise's model, run as the notebook shows it: the weights fit changes are exactly the graded answer."""
    import numpy as np

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(5, 1, (64, 3)).astype("float32")
    y = np.random.default_rng(1).normal(0, 1, (64, 1)).astype("float32")
    namespace = {"keras": keras, "x": x, "y": y}
    exec(nb06.EX1_CODE.replace("epochs=1)", "epochs=1, verbose=0)"), namespace)
    inner = namespace["inner"]
    before = {w.name: np.array(w) for w in inner.weights}
    namespace["model"].fit(x, y, epochs=1, verbose=0)
    changed = {w.name for w in inner.weights if not np.allclose(before[w.name], np.array(w))}
    assert sorted(before) == sorted(nb06.WEIGHT_NAMES)
    assert changed == nb06.CHANGED_BY_FIT
    assert "gamma" in ok(nb06.ex1, {"gamma", "beta", "moving_mean", "moving_variance"})
    assert ok(nb06.ex1, ["moving_variance", "moving_mean", "beta", "gamma"]), "a list is fine too"


@pytest.mark.parametrize(
    "answer, message",
    [
        ({"kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"}, "only changes trainable ones"),
        ({"moving_mean", "moving_variance"}, "gamma and beta are in inner.trainable_weights"),
        ({"gamma", "beta"}, "Only trainable = False puts batch norm in inference mode"),
        ({"gamma", "beta", "mean"}, "the inner model's weights are named"),
        ("gamma, beta", "a set of weight names"),
        (4, "a set of weight names"),
    ],
)
def test_ex1_names_each_mistake(answer, message):
    assert message in bad(nb06.ex1, answer)


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


def _rejoined(base, head, preprocess=True, pooling="avg", with_head=True):
    photos = keras.Input(shape=(SIZE, SIZE, 3))
    x = layers.RandomFlip("horizontal")(photos)  # inactive when predicting: it changes nothing
    if preprocess == "rescale":
        x = layers.Rescaling(1 / 255)(x)
    elif preprocess:
        x = keras.applications.mobilenet_v2.preprocess_input(x)
    x = base(x)
    x = layers.GlobalAveragePooling2D()(x) if pooling == "avg" else layers.GlobalMaxPooling2D()(x)
    return keras.Model(photos, head(x) if with_head else layers.Dense(1, activation="sigmoid")(x))


def test_ex3_the_head_trained_on_features_back_on_its_base(small_base):
    namespace = {"keras": keras}
    exec(nb06.EX3_CODE, namespace)  # the notebook's set-up: small_base and small_head
    base, head = namespace["small_base"], namespace["small_head"]
    assert "GlobalAveragePooling2D" in ok(nb06.ex3, _rejoined(base, head))
    assert "preprocess_input" in bad(nb06.ex3, _rejoined(base, head, preprocess=False))
    assert "[0, 1]" in bad(nb06.ex3, _rejoined(base, head, preprocess="rescale"))
    assert "GlobalMaxPooling2D" in bad(nb06.ex3, _rejoined(base, head, pooling="max"))
    assert "small_head is not inside" in bad(nb06.ex3, _rejoined(base, head, with_head=False))
    assert "raw 96x96 photos" in bad(nb06.ex3, head)
    photos = keras.Input(shape=(SIZE, SIZE, 3))
    after = keras.Model(photos, layers.Dense(1)(head(layers.GlobalAveragePooling2D()(base(keras.applications.mobilenet_v2.preprocess_input(photos))))))
    assert "nothing after it" in bad(nb06.ex3, after)
    assert "not a function" in bad(nb06.ex3, keras.applications.mobilenet_v2.preprocess_input)


@pytest.mark.parametrize("name", ["ex1", "ex2", "ex3"])
def test_each_printed_solution_passes_its_own_check(name, capsys):
    exercise = getattr(nb06, name)
    namespace = {"keras": keras}
    exec(exercise._solution, namespace)  # the code ex.solution() prints, as a learner would paste it
    assert ok(exercise, namespace["answer"])


def test_the_texts_fixed_for_translation_name_the_sizes_the_checks_use():
    """ex2's expects and hint and ex3's solution spell out TOP_LAYERS and SIZE (plain strings, so that gettext finds them)."""
    assert f"top {nb06.TOP_LAYERS} layers" in nb06.ex2.expects
    assert f"base.layers[:-{nb06.TOP_LAYERS}]" in nb06.ex2._hint
    assert f"input_shape=({SIZE}, {SIZE}, 3)" in nb06.ex3._solution and f"shape=({SIZE}, {SIZE}, 3)" in nb06.ex3._solution
