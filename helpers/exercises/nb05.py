"""Exercises of ``05_flowers_train_from_folder.ipynb``: options of train_from_folder, the per-class report, the command line."""

from __future__ import annotations

import difflib
import inspect
import shlex
from pathlib import PurePath
from typing import Any

import numpy as np

from helpers.exercises.base import ____, Exercise, Feedback, correct, wrong

__all__ = ["____", "ex1", "ex2", "ex3", "TRAIN_OPTIONS"]

#: The options of ``python -m helpers.train`` (``tests/test_exercises.py`` checks them against its ``--help``).
TRAIN_OPTIONS = (
    "--image-size", "--classes", "--batch-size", "--epochs", "--validation-split", "--validation-dir", "--test-split",
    "--no-augment", "--widths", "--patience", "--seed", "--root", "--output", "--quiet", "--help", "--scratch",
)
_SHORT = {"-o": "--output", "-q": "--quiet", "-h": "--help"}


# ---------------------------------------------------------------- ex1: the options of train_from_folder


def _folder_options() -> list[str]:
    from helpers.train import STEP_OPTIONS, train_from_folder

    parameters = inspect.signature(train_from_folder).parameters
    named = [name for name, p in parameters.items() if p.kind is not p.VAR_KEYWORD][1:]  # drop `directory`
    return named + [name for names in STEP_OPTIONS.values() for name in names]  # the options passed on to a step


_WANTED = {"base": None, "classes": ["crab", "lobster"], "image_size": (96, 96), "epochs": 12, "augment": False,
           "validation_split": 0.25, "test_split": 0.1}


def _check_options(answer: Any) -> Feedback:
    if not isinstance(answer, dict):
        return wrong(f"give a dict of keyword arguments, such as {{\"epochs\": 5}}, not a {type(answer).__name__}.")
    known = _folder_options()
    for key in answer:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            tip = f" Did you mean {close[0]!r}?" if close else f" Its options: {', '.join(known)}."
            return wrong(f"train_from_folder has no option {key!r}.{tip}")
    if answer.get("base", "auto") is not None:
        given = "left out, it is \"auto\": a pretrained base" if "base" not in answer else f"base={answer['base']!r} is a pretrained base"
        return wrong(f"from scratch means no pretrained base ({given}): base=None trains the course CNN from random weights.")
    classes = answer.get("classes")
    if isinstance(classes, str):
        return wrong("classes takes a list of folder names, such as [\"crab\", \"lobster\"], not one string.")
    if classes is None:
        return wrong("without classes, all six Caltech folders are used; the task asks for crab and lobster only.")
    if sorted(str(c) for c in classes) != sorted(_WANTED["classes"]):
        lower = " Folder names are lower case." if sorted(str(c).lower() for c in classes) == sorted(_WANTED["classes"]) else ""
        return wrong(f"classes={list(classes)} is not crab and lobster.{lower}")
    size = answer.get("image_size")
    if size is None:
        return wrong("without image_size the course chooses the size (180x180 from scratch); the task asks for 96x96: image_size=96 or (96, 96).")
    size = (size, size) if isinstance(size, int) else tuple(size)
    if size != _WANTED["image_size"]:
        return wrong(f"image_size gives {size[0]}x{size[1]} pixels; the task asks for 96x96: image_size=96 or (96, 96).")
    if answer.get("epochs") != 12:
        given = "left out, the course chooses: 40 from scratch" if answer.get("epochs") is None else f"epochs={answer['epochs']}"
        return wrong(f"{given}; the task asks for at most 12: epochs=12.")
    if answer.get("augment", True) is not False:
        return wrong("augment is True by default (random flips, rotations, shifts and zooms); the task asks for none: augment=False.")
    split = answer.get("validation_split", 0.2)
    if split is not None and split >= 1:
        return wrong(f"validation_split={split} is read as a fraction of the images, between 0 and 1: 25% is 0.25.")
    if split != 0.25:
        return wrong(f"validation_split={split} (0.2 when left out); the task asks to hold out 25%: 0.25.")
    test = answer.get("test_split")
    if test != 0.1:
        left_out = " Without it there is no test split." if test is None else ""
        return wrong(f"test_split={test} is not 10%: test_split=0.1.{left_out}")
    return correct("train.train_from_folder(caltech, **options) trains exactly that; "
                   "python -m helpers.train FOLDER --scratch --classes crab lobster --image-size 96 --epochs 12 --no-augment "
                   "--validation-split 0.25 --test-split 0.1 does the same from a terminal.")


ex1 = Exercise(
    "ex1",
    "a dict of keyword arguments for train.train_from_folder(caltech, **options)",
    _check_options,
    hint="The table under 'The same in one call' lists the options; help(train.train_from_folder) lists them all. "
    "Options you leave out keep their defaults, and the default base is a pretrained one.",
    solution='''
options = {"base": None, "classes": ["crab", "lobster"], "image_size": (96, 96), "epochs": 12, "augment": False,
           "validation_split": 0.25, "test_split": 0.1}
# result = train.train_from_folder(caltech, **options, widths=settings.widths, convs_per_block=settings.convs_per_block)''',
    answer=dict(_WANTED),
)


# ---------------------------------------------------------------- ex2: the class the model finds worst


def _check_worst_class(answer: Any, evaluation: Any) -> Feedback:
    names = [str(name) for name in evaluation.class_names]
    if not isinstance(answer, str) or answer not in names:
        return wrong(f"give one class name from {names}, as a string.")
    matrix = np.asarray(evaluation.confusion(), dtype=float)
    recall = np.divide(np.diag(matrix), matrix.sum(axis=1), out=np.zeros(len(names)), where=matrix.sum(axis=1) > 0)
    precision = np.divide(np.diag(matrix), matrix.sum(axis=0), out=np.zeros(len(names)), where=matrix.sum(axis=0) > 0)
    i = names.index(answer)
    if np.isclose(recall[i], recall.min()):
        return correct(f"{answer}: only {recall[i]:.0%} of the real {answer} images were found (its recall, the per-class accuracy).")
    if np.isclose(recall[i], recall.max()):
        return wrong(f"{answer} is the class found *best* ({recall[i]:.0%} recall); the question asks for the worst.")
    if np.isclose(precision[i], precision.min()):
        return wrong(f"{answer} has the lowest *precision* (of the images called {answer}, the fewest were {answer}); "
                     "the question asks about recall: of the real images of a class, how many were found.")
    return wrong(f"{recall[i]:.0%} of the real {answer} images were found; another class does worse. "
                 "Read the recall column of the report, or evaluation.per_class_accuracy().")


ex2 = Exercise(
    "ex2",
    "a class name (a string)",
    _check_worst_class,
    hint="In print(six_scratch.evaluation.report()), recall is 'of the real images of this class, the share found'. "
    "six_scratch.evaluation.per_class_accuracy() gives the same numbers as a dict.",
    solution='''
recall = six_scratch.evaluation.per_class_accuracy()   # recall = per-class accuracy
answer = min(recall, key=recall.get)
print(answer, f"{recall[answer]:.0%}")''',
)


# ---------------------------------------------------------------- ex3: the command line


def _option(token: str) -> str | None:
    """The full option a token names (argparse accepts unique prefixes), or None if it names none."""
    name = token.split("=", 1)[0]
    name = _SHORT.get(name, name)
    if name in TRAIN_OPTIONS:
        return name
    matches = [option for option in TRAIN_OPTIONS if option.startswith(name)]
    return matches[0] if len(matches) == 1 else None


def _check_command(answer: Any) -> Feedback:
    if not isinstance(answer, str):
        return wrong("give the command as one string, as you would type it in a terminal.")
    tokens = shlex.split(answer.lstrip("!"))
    if "helpers.predict" in tokens:
        return wrong("helpers.predict predicts with a saved model; training is python -m helpers.train.")
    if any(token.endswith("train.py") for token in tokens):
        return wrong("run the package's module, not its file: python -m helpers.train ...")
    if "-m" not in tokens or tokens.index("-m") + 1 >= len(tokens) or tokens[tokens.index("-m") + 1] != "helpers.train":
        return wrong("the command starts with: python -m helpers.train")
    rest = tokens[tokens.index("-m") + 2:]
    values: dict[str, str | None] = {}
    positional = []
    i = 0
    while i < len(rest):
        token = rest[i]
        if token.startswith("-"):
            option = _option(token)
            if option is None:
                close = difflib.get_close_matches(token.split("=")[0], TRAIN_OPTIONS, n=1)
                tip = f" Did you mean {close[0]}?" if close else ""
                extra = " Augmentation is on by default; --no-augment turns it off." if "augment" in token else tip
                return wrong(f"python -m helpers.train has no option {token.split('=')[0]}.{extra}")
            if option in ("--no-augment", "--quiet", "--help", "--scratch"):
                values[option] = None
            elif "=" in token:
                values[option] = token.split("=", 1)[1]
            else:
                if i + 1 >= len(rest):
                    return wrong(f"{token} needs a value after it.")
                values[option] = rest[i + 1]
                i += 1
        else:
            positional.append(token)
        i += 1
    if len(positional) != 1 or PurePath(positional[0]).name != "flower_photos":
        return wrong(f"give one folder to train on, flower_photos; the command names {positional or 'none'}.")
    if "--scratch" not in values:
        return wrong("without --scratch the command trains a pretrained base (the default); add --scratch to train the course CNN from scratch.")
    if values.get("--epochs") != "20":
        return wrong(f"--epochs is {values.get('--epochs', 'chosen by the course when left out (40 from scratch)')}; the task asks for 20.")
    if "--no-augment" not in values:
        return wrong("augmentation is on by default: add --no-augment.")
    if values.get("--output") != "flowers20.keras":
        given = values.get("--output", "not given: the default is the folder's name, flower_photos.keras")
        return wrong(f"the output file is {given}; save to flowers20.keras with -o flowers20.keras (or --output).")
    return correct("then predict new photos with: python -m helpers.predict flowers20.keras -d FOLDER")


ex3 = Exercise(
    "ex3",
    "the terminal command, as a string: \"python -m helpers.train ...\"",
    _check_command,
    hint="python -m helpers.train --help lists the options; the section 'Training from a terminal' shows four examples.",
    solution='answer = "python -m helpers.train flower_photos --scratch --epochs 20 --no-augment -o flowers20.keras"',
    answer="python -m helpers.train flower_photos --scratch --epochs 20 --no-augment -o flowers20.keras",
)
