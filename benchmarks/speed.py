"""Speed figures of the course, in one run: input pipeline, training throughput, the whole series.

Run from the repository root, in the course's environment::

    python -m benchmarks.speed                       # every part, --quick (a few minutes on 2 CPU cores)
    python -m benchmarks.speed --only pipeline       # pipeline, training, series (comma-separated)
    python -m benchmarks.speed --only train-cli,train-folder,train-flowers   # the one call (and the tutorial's recipe beside it)
    python -m benchmarks.speed --series              # also execute the quick-profile series now (minutes)
    python benchmarks/speed.py --thorough            # longer measurements, steadier figures

What is measured (images per second, higher is better):

1. **Input pipeline**, on cats_and_dogs and flower_photos (whichever variant the profile and the
   cache give; the image counts are printed): one full pass over every image through the course's
   folder pipeline (``helpers.data.folders.image_datasets``: read, decode, resize, cache, shuffle, batch)
   in its first epoch and in a cached epoch, against

   a. a plain Python loop with Pillow, one image at a time: open, convert to RGB, resize
      (bilinear), ``np.asarray``: what a hand-written loader does;
   b. the **decode limit**: the very same decode and resize as the pipeline
      (``tf.io.decode_image`` + ``tf.image.resize``, bilinear) on the same files' bytes already in
      memory, in a parallel ``tf.data`` map on every core: no file reading, no labels, no cache;
      the most the CPU can do for this step.

   Every file is read once before timing, so all three read from the operating system's cache.
2. **Training**: steady-state images per second of ``train_on_batch`` on real batches of each
   notebook's model (after 2 warm-up steps, which include tracing), at the quick profile's image
   and batch size, and at the full profile's when a GPU is visible (or with ``--full-sizes``).
3. **Series**: wall time of the quick-profile series, from ``results/summary.json`` (written by
   ``make run``), or measured now with ``--series``.
4. **One call** (``train-cli``, ``train-folder``, ``train-flowers``): ``python -m helpers.train``
   and ``train_from_folder`` with their defaults, in a fresh process, against their time and accuracy
   targets (:data:`benchmarks.one_call.TARGETS`): seconds (CPU seconds / 2 for two quiet cores) and accuracy on
   images the model never saw; ``train-cli`` also runs the TensorFlow tutorial's recipe on the
   same photos (:mod:`benchmarks.tutorial_recipe`) and prints the time ratio and both accuracies.

Everything is printed as compact tables and saved to ``results/benchmarks.json`` with the hardware,
versions, date and the machine's load average (figures from a busy, shared machine are slower).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python benchmarks/speed.py): make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import helpers
from benchmarks import report

REPO = Path(__file__).resolve().parents[1]
PARTS = ("pipeline", "training", "series", "train-cli", "train-folder", "train-flowers")
SETTINGS = {"quick": {"min_seconds": 3.0, "max_steps": 40, "passes": 1}, "thorough": {"min_seconds": 10.0, "max_steps": 300, "passes": 3}}

#: Folder datasets and their notebook's image size per profile (04 and 05).
PIPELINES = {"cats_and_dogs": {"quick": (64, 64), "full": (150, 150)}, "flower_photos": {"quick": (64, 64), "full": (180, 180)}}

#: Each notebook's model: builder, data, and (input size, batch size, extra builder arguments) per profile.
MODELS = {
    "mnist_cnn": ("02", "mnist", {"quick": ((28, 28), 128, {}), "full": ((28, 28), 128, {})}),
    "cifar_classic_cnn": ("03", "cifar10", {"quick": ((32, 32), 64, {}), "full": ((32, 32), 64, {})}),
    "cifar_modern_cnn": ("03", "cifar10", {"quick": ((32, 32), 128, {"width": 16}), "full": ((32, 32), 512, {"width": 64})}),
    "cats_dogs_cnn": ("04", "cats_and_dogs", {"quick": ((64, 64), 32, {"filters": (16, 32, 64, 128)}), "full": ((150, 150), 32, {})}),
    "folder_cnn": ("05", "flower_photos", {
        "quick": ((64, 64), 32, {"widths": (16, 32, 64, 128), "convs_per_block": 1}),
        "full": ((180, 180), 32, {"widths": (32, 64, 128, 256, 512), "convs_per_block": 2}),
    }),
    "mnist_strong_cnn": ("07", "mnist", {"quick": ((28, 28), 128, {}), "full": ((28, 28), 128, {})}),
    "MobileNetV2 (frozen, weights=None)": ("06", "cats_and_dogs", {"quick": ((192, 192), 32, {}), "full": ((224, 224), 32, {})}),
}


# --------------------------------------------------------------------------- 1. input pipeline
def _image_files(root: Path) -> list[Path]:
    from helpers.data.folders import READABLE_SUFFIXES

    return sorted(p for p in root.rglob("*") if p.suffix.lower() in READABLE_SUFFIXES and p.is_file())


def _pillow_rate(files: list[Path], size: tuple[int, int]) -> float:
    import numpy as np
    from PIL import Image

    start = time.perf_counter()
    for path in files:
        with Image.open(path) as image:
            np.asarray(image.convert("RGB").resize((size[1], size[0]), Image.BILINEAR))
    return len(files) / (time.perf_counter() - start)


def _decode_limit_rate(blobs: list[bytes], size: tuple[int, int], batch_size: int) -> float:
    import tensorflow as tf

    def decode(blob):
        image = tf.io.decode_image(blob, channels=3, expand_animations=False)
        return tf.image.resize(image, size, method="bilinear")

    dataset = tf.data.Dataset.from_tensor_slices(blobs).map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    start, count = time.perf_counter(), 0
    for batch in dataset:
        count += int(batch.shape[0])
    return count / (time.perf_counter() - start)


def _epoch_rate(splits) -> tuple[float, int]:
    start, count = time.perf_counter(), 0
    for split in (splits.train, splits.validation):
        for images, _ in split:
            count += int(images.shape[0])
    return count / (time.perf_counter() - start), count


def pipeline_figures(name: str, profile: str, passes: int) -> dict:
    """Images per second of the course's folder pipeline, a Pillow loop and the decode limit, on one dataset."""
    from helpers.data import download, folders

    size, batch_size = PIPELINES[name][profile], 32
    variant = download.choose_variant(name)
    root = download.fetch(name, variant, verbose=False)
    files = _image_files(root)
    start = time.perf_counter()
    blobs = [path.read_bytes() for path in files]
    read_rate = len(files) / (time.perf_counter() - start)
    pillow = max(_pillow_rate(files, size) for _ in range(passes))
    first, cached, images = [], [], 0
    for _ in range(passes):
        if name == "cats_and_dogs":
            splits = folders.image_datasets(root / "train", size, batch_size, validation_dir=root / "validation", verbose=False)
        else:
            splits = folders.image_datasets(root, size, batch_size, validation_split=0.2, verbose=False)
        rate, images = _epoch_rate(splits)
        first.append(rate)
        cached.append(_epoch_rate(splits)[0])
    limit = max(_decode_limit_rate(blobs, size, batch_size) for _ in range(passes))
    row = {
        "dataset": name, "variant": variant, "images": len(files), "pipeline_images": images, "image_size": list(size),
        "batch_size": batch_size, "file_read": read_rate, "pillow_loop": pillow, "pipeline_first_epoch": max(first),
        "pipeline_cached_epoch": max(cached), "decode_limit": limit,
    }
    row["first_vs_pillow"] = report.ratio(row["pipeline_first_epoch"], pillow)
    row["first_vs_limit"] = report.ratio(row["pipeline_first_epoch"], limit)
    row["cached_vs_first"] = report.ratio(row["pipeline_cached_epoch"], row["pipeline_first_epoch"])
    return row


PIPELINE_COLUMNS = [
    ("dataset", "dataset", report.plain), ("variant", "variant", report.plain), ("images", "images", report.plain),
    ("image_size", "size", report.plain), ("pillow_loop", "Pillow loop", report.rate),
    ("pipeline_first_epoch", "pipeline 1st", report.rate), ("pipeline_cached_epoch", "cached epoch", report.rate),
    ("decode_limit", "decode limit", report.rate), ("first_vs_pillow", "1st/Pillow", report.times),
    ("first_vs_limit", "1st/limit", report.times), ("cached_vs_first", "cached/1st", report.times),
]


# --------------------------------------------------------------------------- 2. training
def _batches(dataset: str, size: tuple[int, int], batch_size: int, count: int, binary: bool) -> list[tuple]:
    """``count`` real batches of ``(images, labels)`` as NumPy arrays, from the registry's data."""
    import numpy as np

    from helpers.data import arrays, download, folders

    if dataset in ("mnist", "cifar10"):
        (x, y), _ = arrays.load_mnist(verbose=False) if dataset == "mnist" else arrays.load_cifar10(verbose=False)
        x = x[..., None] if x.ndim == 3 else x
        return [(x[i * batch_size:(i + 1) * batch_size], y[i * batch_size:(i + 1) * batch_size]) for i in range(count)]
    root = download.fetch(dataset, verbose=False)
    mode = "binary" if binary else "int"
    if dataset == "cats_and_dogs":
        splits = folders.image_datasets(root / "train", size, batch_size, validation_dir=root / "validation", label_mode=mode, verbose=False)
    else:
        splits = folders.image_datasets(root, size, batch_size, validation_split=0.2, label_mode=mode, verbose=False)
    return [(np.asarray(x), np.asarray(y)) for x, y in splits.train.take(count)]


def _build(name: str, shape: tuple[int, int, int], extra: dict):
    import keras

    from helpers import models, transfer

    if name.startswith("MobileNetV2"):
        model = transfer.build_transfer_classifier("MobileNetV2", 2, shape[:2], weights=None)
        return transfer.compile_classifier(model), True
    classes = {"cats_dogs_cnn": 2, "folder_cnn": 5}.get(name, 10)
    model = getattr(models, name)(input_shape=shape, num_classes=classes, **extra)
    binary = model.output_shape[-1] == 1
    optimizer = keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True) if name == "cifar_modern_cnn" else "adam"
    model.compile(optimizer=optimizer, loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, binary


def training_figures(name: str, profile: str, min_seconds: float, max_steps: int) -> dict:
    """Steady-state training images per second of one notebook's model on real batches."""
    import keras

    notebook, dataset, sizes = MODELS[name]
    size, batch_size, extra = sizes[profile]
    channels = 1 if dataset == "mnist" else 3
    keras.utils.set_random_seed(42)
    model, binary = _build(name, (*size, channels), extra)
    batches = _batches(dataset, size, batch_size, 12, binary)
    for x, y in batches[:2]:  # warm-up: tracing and the first steps
        model.train_on_batch(x, y)
    steps, start = 0, time.perf_counter()
    while steps < max_steps and (steps < 3 or time.perf_counter() - start < min_seconds):
        x, y = batches[steps % len(batches)]
        model.train_on_batch(x, y)
        steps += 1
    seconds = time.perf_counter() - start
    return {
        "model": name, "notebook": notebook, "data": dataset, "profile_sizes": profile, "input": [*size, channels],
        "batch_size": batch_size, "parameters": model.count_params(), "steps": steps,
        "ms_per_step": 1000 * seconds / steps, "images_per_second": steps * batch_size / seconds,
    }


TRAINING_COLUMNS = [
    ("model", "model", report.plain), ("notebook", "nb", report.plain), ("data", "data", report.plain),
    ("profile_sizes", "sizes", report.plain), ("input", "input", report.plain), ("batch_size", "batch", report.plain),
    ("parameters", "params", report.plain), ("ms_per_step", "ms/step", report.plain),
    ("images_per_second", "images/s", report.rate),
]


# --------------------------------------------------------------------------- 3. series
def expected_notebooks() -> list[str]:
    return sorted(path.stem for path in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def series_figure(run_now: bool) -> dict | None:
    """The series' wall time: run it now (``--series``), else read ``results/summary.json`` if there."""
    summary_file = REPO / "results" / "summary.json"
    if run_now:
        summary_file = REPO / "results" / "benchmark-series.json"
        env = {**os.environ, "COURSE_PROFILE": "quick"}
        print("Running the quick-profile series (python -m helpers.course.runner) ...", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "helpers.course.runner", "--summary", str(summary_file)], cwd=REPO, env=env, check=False)
        wall = time.perf_counter() - start
    if not summary_file.is_file():
        return None
    measured = datetime.datetime.fromtimestamp(summary_file.stat().st_mtime).astimezone()
    figure = report.series_figure(json.loads(summary_file.read_text()), measured, expected_notebooks())
    figure["source"] = str(summary_file.relative_to(REPO))
    if run_now:
        figure["wall_seconds_including_kernel_starts"] = round(wall, 1)
    return figure


# --------------------------------------------------------------------------- the run
def environment() -> dict:
    """Hardware, versions, date and load: what a reader needs to judge the figures."""
    import keras
    import numpy
    import PIL
    import tensorflow as tf

    from helpers.profile import current_profile, gpu_names, hardware_summary

    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "hardware": hardware_summary(), "gpus": gpu_names(), "cpu_count": os.cpu_count(),
        "profile": current_profile()[0],
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
                     "numpy": numpy.__version__, "pillow": PIL.__version__, "helpers": helpers.__version__},
        "load_average_at_start": list(os.getloadavg()),
    }


def load_note(load: float, cores: int) -> str:
    """The closing line's words on the load average: a warning only when it is above the core count."""
    busy = " (above the core count: other work slowed these figures)" if load > cores else ""
    return f"load average at the end {load:.1f} on {cores} cores{busy}."


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to run: {', '.join(PARTS)}")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--quick", dest="thorough", action="store_false", help="short measurements (default): a few minutes on 2 cores")
    length.add_argument("--thorough", action="store_true", help="longer measurements and best of 3 pipeline passes")
    parser.set_defaults(thorough=False)
    parser.add_argument("--full-sizes", action="store_true", help="also measure training at the full profile's sizes (default: only with a GPU)")
    parser.add_argument("--series", action="store_true", help="execute the quick-profile series now instead of reading results/summary.json")
    parser.add_argument("--output", type=Path, default=REPO / "results" / "benchmarks.json")
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
    settings = SETTINGS["thorough" if args.thorough else "quick"]
    from helpers.predict import native_stderr_hidden

    with native_stderr_hidden():  # TensorFlow's C++ start-up notices ignore every setting
        import keras  # noqa: F401
        import tensorflow  # noqa: F401

    started = time.perf_counter()
    results = {"settings": {"mode": "thorough" if args.thorough else "quick", **settings}, **environment()}
    print(f"{results['hardware']}; TensorFlow {results['versions']['tensorflow']}, Keras {results['versions']['keras']}; "
          f"load average {results['load_average_at_start'][0]:.1f} at start", flush=True)
    if "pipeline" in parts:
        print("\n1. Input pipeline (images/s; one pass over every image; files in the OS cache)", flush=True)
        profile = "full" if results["profile"] == "full" else "quick"
        results["pipeline"] = [pipeline_figures(name, profile, settings["passes"]) for name in PIPELINES]
        print(report.format_table(results["pipeline"], PIPELINE_COLUMNS))
        print("Pillow loop: open, RGB, resize, to NumPy, one image at a time. Decode limit: the pipeline's decode+resize on the\n"
              "same bytes held in memory, parallel on every core. 1st/limit near 1x: the pipeline costs what decoding costs.")
    if "training" in parts:
        print("\n2. Training throughput (train_on_batch on real batches, after 2 warm-up steps)", flush=True)
        sizes = ["quick"] + (["full"] if results["gpus"] or args.full_sizes else [])
        results["training"] = []
        for profile in sizes:
            for name in MODELS:
                results["training"].append(training_figures(name, profile, settings["min_seconds"], settings["max_steps"]))
                print(f"  {name} ({profile} sizes): {report.rate(results['training'][-1]['images_per_second'])} images/s", flush=True)
        print(report.format_table(results["training"], TRAINING_COLUMNS))
        if "full" not in sizes:
            print("Full-profile sizes: not measured (no GPU visible; add --full-sizes to measure them on this CPU).")
    if "series" in parts:
        results["series"] = series_figure(args.series)
        print("\n3. " + report.describe_series(results["series"]))
    one_call = [part for part in ("train-cli", "train-folder", "train-flowers") if part in parts]
    if one_call:
        from benchmarks import one_call as trainers

        print("\n4. One call, defaults, quick profile (a fresh process each; time estimated for 2 quiet cores)", flush=True)
        results["one_call"] = []
        for part in one_call:
            figures = {"train-cli": trainers.train_cli_figure, "train-folder": trainers.train_folder_figure,
                       "train-flowers": trainers.train_flowers_figure}
            results["one_call"].append(figures[part]())
            print(trainers.describe(results["one_call"][-1]), flush=True)
    results["load_average_at_end"] = list(os.getloadavg())
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    path = report.write_report(results, args.output)
    print(f"\nSaved to {os.path.relpath(path, REPO) if path.is_relative_to(REPO) else path} after {results['wall_seconds']:.0f} s; "
          + load_note(results["load_average_at_end"][0], results["cpu_count"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
