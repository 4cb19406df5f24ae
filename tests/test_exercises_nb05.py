"""Notebook 05's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers.evaluate import Evaluation
from helpers.exercises import ____, nb05
from exercise_checks import bad, evaluation_from, ok


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
