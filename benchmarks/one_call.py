"""The one-call trainers as a user runs them: ``python -m helpers.train FOLDER`` and ``train_from_folder(FOLDER)``.

Two parts of :mod:`benchmarks.speed`, each run in a fresh Python process with the defaults, the
way a learner would (quick profile, 2 CPU cores), against :data:`TARGETS`:

- ``train-cli``: ``python -m helpers.train`` on 300 + 300 cats/dogs photos (the first 300 of each
  class of ``cats_and_dogs_filtered/train``, copied into a temporary folder): wall and CPU time of
  the command (training and saving), then the saved model's accuracy on the 1,000 photos of
  ``validation/`` that it never saw. Target: trained and saved in 30 s or less, 97% or more. In the
  same run the TensorFlow tutorial's recipe (:mod:`benchmarks.tutorial_recipe`) trains on the same
  folder, and the time ratio and both unseen accuracies are printed.
- ``train-folder``: ``train_from_folder`` on four Caltech-101 mini categories, grayscale photos
  among colour ones (crab, cup, dalmatian, ewer), with a test split that neither training nor
  the choice of the head sees. Target: 30 s or less, 97% or more held out.
- ``train-flowers``: ``train_from_folder`` on every flower photo in the Keras cache (the full 3,670
  or the 1,000-photo mini, whichever is there; 20% held out for validation). Target: 90 s or less,
  90% or more held out.

The quiet-machine time is estimated as the CPU seconds of the process divided by 2 (the cores of
the machine the targets are set for): on a shared machine the wall time is longer than that.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: What each run must reach: at most ``seconds`` (CPU seconds / 2) and at least ``accuracy`` (quick profile, 2 quiet CPU cores).
TARGETS = {"train-cli": {"seconds": 30, "accuracy": 0.97}, "train-folder": {"seconds": 30, "accuracy": 0.97},
           "train-flowers": {"seconds": 90, "accuracy": 0.90}}
CALTECH_CLASSES = ("crab", "cup", "dalmatian", "ewer")
QUIET_CORES = 2


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(command: list[str], cwd: Path) -> dict:
    """Run ``command`` and return its exit status, output, wall seconds, CPU seconds and the quiet-machine estimate."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "COURSE_PROFILE": "quick"})
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    return {"returncode": done.returncode, "output": done.stdout + done.stderr, "wall_seconds": round(wall, 1),
            "cpu_seconds": round(cpu, 1), "quiet_seconds_estimate": round(cpu / QUIET_CORES, 1)}


def cats_dogs_subset(target: Path, per_class: int = 300) -> tuple[Path, Path]:
    """Copy the first ``per_class`` training photos of each class into ``target``; return it and the validation folder."""
    from helpers.data.download import fetch

    root = fetch("cats_and_dogs", verbose=False)
    for name in ("cats", "dogs"):
        (target / name).mkdir(parents=True, exist_ok=True)
        for path in sorted((root / "train" / name).iterdir())[:per_class]:
            shutil.copyfile(path, target / name / path.name)
    return target, root / "validation"


def unseen_accuracy(model_file: Path, folder: Path) -> tuple[float, int]:
    """Accuracy of a saved classifier on every image of ``folder`` (one sub-folder per class, the model's class names)."""
    import keras
    import numpy as np

    from helpers.model_files import load_classifier
    from helpers.predict import class_probabilities

    model, names = load_classifier(model_file)
    data = keras.utils.image_dataset_from_directory(folder, image_size=tuple(model.input_shape[1:3]), class_names=names,
                                                    batch_size=64, shuffle=False, verbose=False)
    right = total = 0
    for images, labels in data:
        predicted = class_probabilities(np.asarray(model(images, training=False))).argmax(axis=1)
        right, total = right + int((predicted == labels.numpy()).sum()), total + len(labels)
    return right / total, total


def _first_lines(output: str, count: int = 2) -> list[str]:
    lines = [line for line in output.splitlines() if line.startswith(("Base:", "Model:", "No ImageNet", "Speed-ups:"))]
    return lines[:count]


def tutorial_figure(folder: Path, unseen: Path) -> dict:
    """The TensorFlow tutorial's recipe (:mod:`benchmarks.tutorial_recipe`) on the same folder, in a fresh process.

    Its seconds run from the process's start to the end of training (the unseen photos' evaluation
    is left out), CPU seconds likewise.
    """
    start = time.time()
    run = timed_run([sys.executable, "-m", "benchmarks.tutorial_recipe", str(folder), str(unseen)], REPO)
    lines = [line for line in run["output"].splitlines() if line.startswith("RESULT ")]
    if not lines:
        return {"error": run["output"][-2000:], "unseen_accuracy": None}
    result = json.loads(lines[-1][len("RESULT "):])
    return {"recipe": "TensorFlow tutorial: MobileNetV2-0.35 at 160 px, 10 frozen + 10 fine-tuning epochs", "wall_seconds":
            round(result["trained_at"] - start, 1), "cpu_seconds": result["cpu_seconds"],
            "quiet_seconds_estimate": round(result["cpu_seconds"] / QUIET_CORES, 1), "unseen_accuracy": result["unseen_accuracy"]}


def train_cli_figure(tutorial: bool = True) -> dict:
    """``python -m helpers.train`` with its defaults on 300 + 300 cats/dogs photos, then the unseen validation photos.

    With ``tutorial``, the TensorFlow tutorial's recipe then trains on the same folder in the same
    run (:func:`tutorial_figure`), and the figure holds it and the time ratio.
    """
    with tempfile.TemporaryDirectory(prefix="bench-train-cli-") as temporary:
        folder, validation = cats_dogs_subset(Path(temporary) / "cats_dogs_600")
        model_file = Path(temporary) / "cats_dogs.keras"
        run = timed_run([sys.executable, "-m", "helpers.train", str(folder), "--output", str(model_file)], REPO)
        accuracy, count = unseen_accuracy(model_file, validation) if run["returncode"] == 0 else (None, 0)
        side = tutorial_figure(folder, validation) if tutorial else None
    figure = {"part": "train-cli", "command": "python -m helpers.train FOLDER (600 photos, defaults)",
              **{key: value for key, value in run.items() if key != "output"},
              "chosen": _first_lines(run["output"]), "unseen_accuracy": accuracy, "unseen_images": count}
    if run["returncode"] != 0:
        figure["error"] = run["output"][-2000:]
    if side is not None:
        figure["tutorial"] = side
        if side.get("cpu_seconds") and figure["cpu_seconds"]:
            figure["tutorial_time_ratio"] = round(side["cpu_seconds"] / figure["cpu_seconds"], 2)
    return _judged(figure)


_FOLDER_SCRIPT = """
import json, sys
from helpers.data.download import fetch
from helpers.train import train_from_folder
result = train_from_folder(fetch("caltech101", verbose=False), classes=sys.argv[1].split(","), test_split=0.2)
print("RESULT " + json.dumps({**result.metrics, "choices": result.choices, "test_images": len(result.test_evaluation.y_true)}))
"""


def train_folder_figure() -> dict:
    """``train_from_folder`` with its defaults on four Caltech-101 mini categories (grayscale among colour), a test split held out."""
    run = timed_run([sys.executable, "-c", _FOLDER_SCRIPT, ",".join(CALTECH_CLASSES)], REPO)
    lines = [line for line in run["output"].splitlines() if line.startswith("RESULT ")]
    result = json.loads(lines[-1][len("RESULT "):]) if lines else {}
    figure = {"part": "train-folder", "command": f"train_from_folder(caltech101, classes={list(CALTECH_CLASSES)}, test_split=0.2)",
              **{key: value for key, value in run.items() if key != "output"}, "chosen": _first_lines(run["output"], 1),
              "unseen_accuracy": result.get("test_accuracy"), "unseen_images": result.get("test_images", 0),
              "validation_accuracy": result.get("validation_accuracy")}
    if not lines:
        figure["error"] = run["output"][-2000:]
    return _judged(figure)


_FLOWERS_SCRIPT = """
import json
from helpers.data.download import fetch
from helpers.train import train_from_folder
result = train_from_folder(fetch("flower_photos", verbose=False), validation_split=0.2)
print("RESULT " + json.dumps({**result.metrics, "choices": result.choices, "images": sum(result.datasets.counts.values()),
                              "validation_images": len(result.evaluation.y_true)}))
"""


def train_flowers_figure() -> dict:
    """``train_from_folder`` with its defaults on every flower photo of the cache, 20% held out for validation."""
    run = timed_run([sys.executable, "-c", _FLOWERS_SCRIPT], REPO)
    lines = [line for line in run["output"].splitlines() if line.startswith("RESULT ")]
    result = json.loads(lines[-1][len("RESULT "):]) if lines else {}
    figure = {"part": "train-flowers", "command": f"train_from_folder(flower_photos ({result.get('images', '?')} photos), validation_split=0.2)",
              **{key: value for key, value in run.items() if key != "output"}, "chosen": _first_lines(run["output"], 1),
              "unseen_accuracy": result.get("validation_accuracy"), "unseen_images": result.get("validation_images", 0)}
    if not lines:
        figure["error"] = run["output"][-2000:]
    return _judged(figure)


def _judged(figure: dict) -> dict:
    target = TARGETS[figure["part"]]
    accuracy = figure["unseen_accuracy"]
    figure["target"] = f"<= {target['seconds']} s on {QUIET_CORES} quiet cores, >= {target['accuracy']:.0%} unseen"
    figure["meets_target"] = bool(accuracy is not None and accuracy >= target["accuracy"]
                                  and figure["quiet_seconds_estimate"] <= target["seconds"])
    return figure


def describe(figure: dict) -> str:
    """A few lines for the benchmark's printout."""
    accuracy = "-" if figure["unseen_accuracy"] is None else f"{figure['unseen_accuracy']:.1%}"
    lines = [f"  {figure['command']}",
             *(f"    {line}" for line in figure["chosen"]),
             f"    {figure['quiet_seconds_estimate']:.0f} s estimated on {QUIET_CORES} quiet cores ({figure['cpu_seconds']:.0f} CPU s; "
             f"{figure['wall_seconds']:.0f} s wall here), {accuracy} on {figure['unseen_images']} unseen images; "
             f"target {figure['target']}: {'met' if figure['meets_target'] else 'NOT met'}"]
    if "error" in figure:
        lines.append("    failed: " + figure["error"].strip().splitlines()[-1])
    side = figure.get("tutorial")
    if side and "error" not in side:
        lines.append(f"  beside it, on the same photos, {side['recipe']}:")
        lines.append(f"    {side['quiet_seconds_estimate']:.0f} s estimated on {QUIET_CORES} quiet cores ({side['cpu_seconds']:.0f} CPU s; "
                     f"{side['wall_seconds']:.0f} s wall here), {side['unseen_accuracy']:.1%} on the same {figure['unseen_images']} unseen images")
        if figure.get("tutorial_time_ratio") and figure["unseen_accuracy"] is not None:
            lines.append(f"    the one call: {figure['tutorial_time_ratio']:.1f}x faster (CPU seconds), "
                         f"{100 * (figure['unseen_accuracy'] - side['unseen_accuracy']):+.1f} points on the unseen photos")
    elif side:
        lines.append("    the tutorial's recipe failed: " + side["error"].strip().splitlines()[-1])
    return "\n".join(lines)
