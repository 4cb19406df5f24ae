"""The exercises' machinery and notebook 00's checks; each other notebook's exercises are tested in tests/test_exercises_nbNN.py."""

from __future__ import annotations

import hashlib

import numpy as np
from exercise_checks import bad, ok

from helpers.exercises import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07
from helpers.exercises.base import Exercise, ____, correct, unanswered, wrong

MODULES = [nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07]


# ---------------------------------------------------------------- the machinery


def test_every_notebook_has_three_exercises_with_hint_and_solution(capsys):
    for module in MODULES:
        exercises = [getattr(module, f"ex{i}") for i in (1, 2, 3)]
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
    ok(nb00.ex2, "731c5ac60275")
    ok(nb00.ex2, " 731C5AC602752760C8E48FBFFCF8C3B850D9DC2A2AEDCF2CC48468FC17B673D1 ")  # the whole digest, any case
    assert "at least the first 12" in bad(nb00.ex2, "731c")
    assert "MD5" in bad(nb00.ex2, "8a61469f7ea1")
    assert "not the text of its path" in bad(nb00.ex2, hashlib.sha256(b"/root/.keras/datasets/mnist.npz").hexdigest()[:12])
    assert "not hexadecimal" in bad(nb00.ex2, "mnist.npz")
    assert "as a string" in bad(nb00.ex2, 731)
    ok(nb00.ex3, 5421)
    assert "test" in bad(nb00.ex3, 892)
    assert "0s" in bad(nb00.ex3, 5923)
    assert "balanced" in bad(nb00.ex3, 6000)

