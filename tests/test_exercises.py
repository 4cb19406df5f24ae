"""The exercises' checks: every right answer passes, typical wrong answers get feedback that names the mistake."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers.evaluate import Evaluation
from helpers.exercises import ____, Exercise, correct, unanswered, wrong
from helpers.exercises import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07

MODULES = [nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07]


def ok(exercise: Exercise, answer, *context) -> str:
    found = exercise.feedback(answer, *context)
    assert found is not None and found.ok, found
    return found.message


def bad(exercise: Exercise, answer, *context) -> str:
    found = exercise.feedback(answer, *context)
    assert found is not None and not found.ok, found
    return found.message


# ---------------------------------------------------------------- the machinery


def test_every_notebook_has_three_exercises_with_hint_and_solution(capsys):
    for module in MODULES:
        exercises = [getattr(module, f"ex{i}") for i in (1, 2, 3)]
        assert module.____ is ____
        for exercise in exercises:
            exercise.hint()
            exercise.solution()
            printed = capsys.readouterr().out
            assert f"{exercise.name} hint:" in printed and f"# {exercise.name}, a solution:" in printed


def test_solutions_use_only_names_their_notebook_defines():
    import ast
    import builtins
    import re
    from pathlib import Path

    import nbformat

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    for module in MODULES:
        path = next(notebooks.glob(f"{module.__name__[-2:]}_*.ipynb"))
        cells = nbformat.read(path, as_version=4).cells
        body = "\n".join(c.source for c in cells if c.cell_type == "code" and "helpers.exercises" not in c.source)
        for exercise in (module.ex1, module.ex2, module.ex3):
            tree = ast.parse(exercise._solution)
            assigned = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
            used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
            free = used - assigned - set(dir(builtins)) - {exercise.name}
            missing = [name for name in free if not re.search(rf"\b{name}\b", body)]
            assert not missing, f"{path.name} {exercise.name}: the solution uses {missing}, which the notebook never defines"


def test_placeholder_prints_not_answered_yet(capsys):
    nb00.ex3.check(____)
    assert capsys.readouterr().out == "ex3: not answered yet: replace ____ with the number of training images (y_train) showing the digit 5.\n"
    nb00.ex1.check({"shape": (60_000, 28, 28), "dtype": ____, "lowest pixel": 0, "highest pixel": ____})
    assert "still ____: 'dtype', 'highest pixel'" in capsys.readouterr().out
    nb00.ex1.check({"shape": ____, "dtype": ____, "lowest pixel": ____, "highest pixel": ____})
    assert "replace each ____ with the shape" in capsys.readouterr().out
    assert unanswered([1, ____]) == ["item 2"] and unanswered(3) == [] and not ____


def test_check_prints_feedback_and_survives_odd_answers(capsys):
    exercise = Exercise("exA", "a number", lambda answer: correct("yes") if answer == 1 else wrong("no"), "h", "s")
    exercise.check(1)
    exercise.check(2)
    assert capsys.readouterr().out == "exA ✓ Correct: yes\nexA ✗ Not yet: no\n"
    message = bad(nb02.ex2, "twelve")
    assert "expects the number of parameters" in message and "a str ('twelve')" in message


# ---------------------------------------------------------------- 00


def test_nb00():
    right = {"shape": (60_000, 28, 28), "dtype": np.dtype("uint8"), "lowest pixel": np.uint8(0), "highest pixel": np.uint8(255)}
    ok(nb00.ex1, right)
    assert "channel axis" in bad(nb00.ex1, {**right, "shape": (60_000, 28, 28, 1)})
    assert "uint8" in bad(nb00.ex1, {**right, "dtype": "float32"})
    assert "Rescaling" in bad(nb00.ex1, {**right, "dtype": "float32"})
    assert "already scaled" in bad(nb00.ex1, {**right, "highest pixel": 1.0})
    assert "test set" in bad(nb00.ex1, {**right, "shape": (10_000, 28, 28)})
    ok(nb00.ex2, "flower_photos")
    assert "cifar10 has 10 classes" in bad(nb00.ex2, "cifar10")
    assert "'flower_photos'" in bad(nb00.ex2, "flowers")
    ok(nb00.ex3, 5421)
    assert "test" in bad(nb00.ex3, 892)
    assert "0s" in bad(nb00.ex3, 5923)
    assert "balanced" in bad(nb00.ex3, 6000)


# ---------------------------------------------------------------- 01


def mlp(hidden: int, activation: str = "relu", rescale: bool = True) -> keras.Model:
    steps = [keras.Input(shape=(28, 28))] + ([layers.Rescaling(1 / 255)] if rescale else [])
    return keras.Sequential(steps + [layers.Flatten(), layers.Dense(hidden, activation=activation), layers.Dense(10, activation="softmax")])


def test_nb01_parameter_budget():
    ok(nb01.ex1, mlp(64))
    message = bad(nb01.ex1, mlp(128))
    assert "101,770 parameters; the target is 50,890" in message and "too wide" in message
    assert "too narrow" in bad(nb01.ex1, mlp(16))
    assert "relu" in bad(nb01.ex1, mlp(64, activation="sigmoid"))
    assert "Rescaling" in bad(nb01.ex1, mlp(64, rescale=False))
    unbuilt = keras.Sequential([layers.Flatten(), layers.Dense(64), layers.Dense(10, activation="softmax")])
    assert "keras.Input(shape=(28, 28))" in bad(nb01.ex1, unbuilt)


def test_nb01_functional():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(layers.Rescaling(1 / 255)(inputs))
    hidden = layers.Dense(32, activation="relu")(x)
    ok(nb01.ex2, keras.Model(inputs, layers.Dense(10, activation="softmax")(hidden)))
    assert "still a keras.Sequential" in bad(nb01.ex2, mlp(32))
    wide = layers.Dense(64, activation="relu")(x)
    assert "Dense(64)" in bad(nb01.ex2, keras.Model(inputs, layers.Dense(10, activation="softmax")(wide)))


def test_nb01_overfitting_epoch():
    history = {"loss": [0.9, 0.5, 0.3, 0.2, 0.1], "val_loss": [0.8, 0.6, 0.55, 0.6, 0.7],
               "accuracy": [0.7, 0.8, 0.9, 0.95, 0.97], "val_accuracy": [0.70, 0.75, 0.78, 0.80, 0.79]}
    ok(nb01.ex3, 3, history)
    assert "off by one" in bad(nb01.ex3, 2, history)
    assert "validation *accuracy*" in bad(nb01.ex3, 4, history)
    assert "*training* loss" in bad(nb01.ex3, 5, history)
    assert "still falling" in ok(nb01.ex3, 3, {"val_loss": [0.9, 0.8, 0.7]})
    assert "History" in bad(nb01.ex3, 3, {"loss": [1.0]})


# ---------------------------------------------------------------- 02


def test_nb02():
    ok(nb02.ex1, (12, 12, 16))
    assert "after the convolution" in bad(nb02.ex1, (24, 24, 16))
    assert "one channel per filter" in bad(nb02.ex1, (12, 12, 1))
    ok(nb02.ex2, 1216)
    assert "bias" in bad(nb02.ex2, 1200)
    assert "3 channels" in bad(nb02.ex2, 416)
    assert "image size" in bad(nb02.ex2, 16 * 5 * 5 * 3 * 32 * 32)
    ok(nb02.ex3, "sparse_categorical_crossentropy")
    ok(nb02.ex3, keras.losses.SparseCategoricalCrossentropy())
    assert "one-hot" in bad(nb02.ex3, "categorical_crossentropy")
    assert "twice" in bad(nb02.ex3, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert "sigmoid" in bad(nb02.ex3, "binary_crossentropy")


# ---------------------------------------------------------------- 03


CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def evaluation_from(pairs: list[tuple[int, int, int]], names: list[str]) -> Evaluation:
    """An Evaluation whose confusion matrix holds ``count`` images of (true, predicted) for each triple."""
    y_true = np.concatenate([[t] * n for t, _, n in pairs])
    y_pred = np.concatenate([[p] * n for _, p, n in pairs])
    return Evaluation(y_true, np.eye(len(names))[y_pred], names)


def test_nb03():
    ok(nb03.ex1, keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1)]))
    ok(nb03.ex1, [layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1), layers.RandomZoom(0.1)])
    assert "upside down" in bad(nb03.ex1, [layers.RandomFlip("horizontal_and_vertical"), layers.RandomTranslation(0.1, 0.1)])
    assert "180 degrees" in bad(nb03.ex1, [layers.RandomFlip("horizontal"), layers.RandomTranslation(0.1, 0.1), layers.RandomRotation(0.5)])
    assert "RandomTranslation" in bad(nb03.ex1, [layers.RandomFlip("horizontal")])
    assert "rescales" in bad(nb03.ex1, [layers.Rescaling(1 / 255), layers.RandomFlip("horizontal")])

    evaluation = evaluation_from([(3, 3, 50), (5, 5, 40), (3, 5, 12), (5, 3, 7), (1, 9, 4)], CIFAR)
    ok(nb03.ex2, ("cat", "dog"), evaluation)
    ok(nb03.ex2, (3, 5), evaluation)
    assert "other way round" in bad(nb03.ex2, ("dog", "cat"), evaluation)
    assert "is on the diagonal" in bad(nb03.ex2, ("cat", "cat"), evaluation)  # "diagonal" alone: every wrong pair's message has it
    assert "4 times" in bad(nb03.ex2, ("automobile", "truck"), evaluation)

    ok(nb03.ex3, 0.91)
    assert "spread over all 10 classes" in bad(nb03.ex3, 0.9)
    assert "*wrong* class" in bad(nb03.ex3, 0.01)


# ---------------------------------------------------------------- 04


def folder_like_dataset(size=(150, 150), batch=20, labels="binary", names=("cats", "dogs"), folder="train"):
    """A batched dataset with the element spec and attributes of image_dataset_from_directory's (checker test only)."""
    y = np.zeros((40, 1), "float32") if labels == "binary" else np.zeros((40,), "int32")
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros((40, *size, 3), "float32"), y)).batch(batch)
    dataset.class_names = list(names)
    dataset.file_paths = [f"data/{folder}/cats/cat.{i}.jpg" for i in range(40)]
    return dataset


def test_nb04():
    ok(nb04.ex1, ["train"])
    ok(nb04.ex1, "training")
    assert "validation split" in bad(nb04.ex1, ["train", "validation"])
    assert "honest" in bad(nb04.ex1, {"train", "test"})

    ok(nb04.ex2, folder_like_dataset())
    assert "label_mode=\"binary\"" in bad(nb04.ex2, folder_like_dataset(labels="int"))
    assert "256x256 is the default" in bad(nb04.ex2, folder_like_dataset(size=(256, 256)))
    assert "32 is the default" in bad(nb04.ex2, folder_like_dataset(batch=32))
    assert "the classes are ['train', 'validation']" in bad(nb04.ex2, folder_like_dataset(names=("train", "validation")))
    assert "validation/" in bad(nb04.ex2, folder_like_dataset(folder="validation"))

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


# ---------------------------------------------------------------- 05


def test_nb05_options():
    right = nb05.ex1.solution()
    ok(nb05.ex1, right)
    ok(nb05.ex1, {**right, "image_size": 96, "classes": ["lobster", "crab"], "seed": 1})
    assert "Did you mean 'epochs'" in bad(nb05.ex1, {**{k: v for k, v in right.items() if k != "epochs"}, "epoch": 12})
    assert "not one string" in bad(nb05.ex1, {**right, "classes": "crab, lobster"})
    assert "augment is True by default" in bad(nb05.ex1, {k: v for k, v in right.items() if k != "augment"})
    assert "0.25" in bad(nb05.ex1, {**right, "validation_split": 25})
    assert "lower case" in bad(nb05.ex1, {**right, "classes": ["Crab", "Lobster"]})
    assert "base=None" in bad(nb05.ex1, {k: v for k, v in right.items() if k != "base"})
    assert "base=None" in bad(nb05.ex1, {**right, "base": "MobileNetV2-0.35"})
    assert "course chooses" in bad(nb05.ex1, {k: v for k, v in right.items() if k != "image_size"})


def test_nb05_report_and_command(capsys):
    names = ["crab", "cup", "ewer"]
    # recall: crab 8/10, cup 5/10, ewer 9/10; precision lowest for ewer (9 / 14)
    evaluation = evaluation_from([(0, 0, 8), (0, 2, 2), (1, 1, 5), (1, 0, 2), (1, 2, 3), (2, 2, 9), (2, 0, 1)], names)
    ok(nb05.ex2, "cup", evaluation)
    assert "*best*" in bad(nb05.ex2, "ewer", evaluation)
    assert "*precision*" in bad(nb05.ex2, "crab", evaluation_from([(0, 0, 8), (0, 1, 2), (1, 1, 5), (1, 0, 5), (2, 2, 10)], names))
    assert "one class name" in bad(nb05.ex2, "dalmatian", evaluation)

    ok(nb05.ex3, "python -m helpers.train flower_photos --scratch --epochs 20 --no-augment -o flowers20.keras")
    ok(nb05.ex3, "!python3 -m helpers.train data/flower_photos --no-augment --epochs=20 --scratch --output flowers20.keras")
    assert "--no-augment turns it off" in bad(nb05.ex3, "python -m helpers.train flower_photos --scratch --epochs 20 --augment False -o flowers20.keras")
    assert "flowers20.keras" in bad(nb05.ex3, "python -m helpers.train flower_photos --scratch --epochs 20 --no-augment")
    assert "add --scratch" in bad(nb05.ex3, "python -m helpers.train flower_photos --epochs 20 --no-augment -o flowers20.keras")
    assert "predicts" in bad(nb05.ex3, "python -m helpers.predict flowers20.keras -d flower_photos")

    from helpers.train.command import main

    with pytest.raises(SystemExit):
        main(["--help"])
    usage = capsys.readouterr().out
    assert all(option in usage for option in nb05.TRAIN_OPTIONS), "TRAIN_OPTIONS follows python -m helpers.train --help"


# ---------------------------------------------------------------- 06: tests/test_exercises_nb06.py


# ---------------------------------------------------------------- 07


def test_nb07():
    ok(nb07.ex1, [0, 1])
    ok(nb07.ex1, nb07.ex1.data.mean(axis=0).argmax(-1))
    assert "majority vote" in bad(nb07.ex1, [1, 1])
    assert "member 1's own" in bad(nb07.ex1, [0, 2])
    assert "one class index per image" in bad(nb07.ex1, nb07.ex1.data.mean(axis=0))  # every ex1 message says "probabilities"

    from helpers import ensembles

    rng = np.random.default_rng(0)
    y_val, y_test = rng.integers(0, 10, 300), rng.integers(0, 10, 400)
    val_probs = np.stack([np.eye(10)[y_val] * 0.8 + 0.02] * 3)  # members that are right on every image
    test_probs = np.stack([np.eye(10)[y_test] * 0.8 + 0.02] * 3)
    board = ensembles.Scoreboard(y_val, y_test)
    ok(nb07.ex2, (val_probs, y_val), board)
    assert "those are the test labels" in bad(nb07.ex2, (test_probs, y_test), board)  # the catch-all says "nor the test labels"
    assert "over-confident" in bad(nb07.ex2, (val_probs, rng.integers(0, 10, 300)), board)
    assert "do not belong" in bad(nb07.ex2, (np.roll(val_probs, 1, axis=2), y_val), board)

    y = np.zeros(2_000, dtype=int)
    predicted = np.r_[np.zeros(900, dtype=int), np.ones(1_100, dtype=int)]  # 45% right
    se = np.sqrt(0.45 * 0.55 / 2_000)
    assert "about 1.1 points" in ok(nb07.ex3, se, y, predicted)
    ok(nb07.ex3, ensembles.accuracy_standard_error(y, predicted), y, np.eye(2)[predicted])
    assert "in points" in bad(nb07.ex3, 100 * se, y, predicted)
    assert "square root" in bad(nb07.ex3, se**2, y, predicted)
    assert "sqrt(n)" in bad(nb07.ex3, np.sqrt(0.45 * 0.55), y, predicted)
    assert "accuracy itself" in bad(nb07.ex3, 0.45, y, predicted)
    assert "one number" in bad(nb07.ex3, "big", y, predicted)
