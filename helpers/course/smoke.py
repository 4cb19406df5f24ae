"""Smoke run: every notebook's full-profile code path, end to end, on a CPU, in minutes.

``make smoke`` runs the series with ``COURSE_PROFILE=full``, ``COURSE_SMOKE=1`` and ``COURSE_SPEEDUPS=on``
(mixed precision and XLA forced on, as on a recent GPU: :func:`helpers.profile.forced_speedups`). The full
profile then takes every branch it takes on a GPU (full image sizes, the large ``keras.applications``
bases, fine-tuning, the ensembles' full recipe), but with tiny caps, so a line that only the full
profile runs is executed, and fails the run if it raises, long before anyone has a GPU at hand.

When ``COURSE_SMOKE`` is set, the series runner (:mod:`helpers.course.runner`) calls :func:`install`
in each notebook's kernel before the notebook's first cell, which:

- caps :meth:`keras.Model.fit` at :data:`EPOCHS` epochs after ``initial_epoch`` and
  :data:`STEPS` batches per epoch (validation too), and :meth:`keras.Model.evaluate` at
  :data:`STEPS` batches (``predict`` is left alone: its rows must match the labels);
- keeps at most :data:`TRAIN_IMAGES` training and :data:`EVAL_IMAGES` validation and test images
  in the folder datasets of :func:`helpers.data.folders.image_datasets`, and batches of at most
  :data:`BATCH` images there and in ``fit`` and ``evaluate`` on arrays (a batch size is always set
  for arrays: with ``steps`` and none, Keras would make the whole array one batch), and the first
  :data:`EVAL_IMAGES` images of :func:`helpers.data.folders.dataset_arrays` (so a plain-Keras split
  pairs with a capped one);
- caps a notebook's full-profile image counts (``*_images``, ``*_digits`` settings of ``show_profile``)
  at :data:`SETTING_IMAGES` (held-out ones at a quarter of it);
- points a notebook's own ``keras.utils.image_dataset_from_directory`` calls, and the folder datasets
  above, at the same folder of links to about :data:`LINKED_IMAGES` of its images, the first of each
  class (so a plain-Keras split pairs with the one call's), with batches of at most :data:`BATCH`;
- uses a dataset's mini archive where its full archive is not on this machine (in the Keras cache
  or a mirror folder) but the mini one can be had (a course mirror); without a mirror, the full
  archive is downloaded as usual;
- builds a ``keras.applications`` base with ``weights=None`` where its ImageNet file is not on
  this machine (weight files are never downloaded), trains one of notebook 06's larger bases
  (EfficientNetB0: head, then fine-tuning) and times every base at 96 px (:mod:`helpers.course.smoke_bases`).

Each substitution prints one line starting with ``smoke:``. The caps can be changed with
``COURSE_SMOKE_STEPS``, ``COURSE_SMOKE_EPOCHS``, ``COURSE_SMOKE_TRAIN_IMAGES``,
``COURSE_SMOKE_EVAL_IMAGES``, ``COURSE_SMOKE_BATCH`` and ``COURSE_SMOKE_SETTING_IMAGES``. Smoke outputs
teach nothing: never save them into the notebooks.

Course machinery (not taught in a notebook); tested in ``tests/test_smoke.py``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.course.smoke_bases import on_this_machine, say

SMOKE_ENV = "COURSE_SMOKE"


def _setting(name: str, default: int) -> int:
    value = os.environ.get(f"{SMOKE_ENV}_{name}", "").strip()
    return int(value) if value else default


#: Batches per epoch (training and validation) and per ``evaluate`` call.
STEPS = _setting("STEPS", 1)
#: Epochs per ``fit`` call, counted from ``initial_epoch``.
EPOCHS = _setting("EPOCHS", 1)
#: Images kept in a folder dataset's training split, and in each of its validation and test splits.
TRAIN_IMAGES = _setting("TRAIN_IMAGES", 48)
EVAL_IMAGES = _setting("EVAL_IMAGES", 24)
#: The largest batch: of the folder datasets, and of ``fit`` on arrays (large bases at full size stay light).
BATCH = _setting("BATCH", 8)
#: The images of a folder the capped datasets read (links to the first of each class): the two caps above together.
#: (Twice as many made 05's plain-Keras model train on more photos than the one call's, and its verdict divide by zero.)
LINKED_IMAGES = TRAIN_IMAGES + EVAL_IMAGES
#: The most images a notebook's own ``*_images`` / ``*_digits`` setting may ask for (training; held-out ones: a quarter).
SETTING_IMAGES = _setting("SETTING_IMAGES", 512)

#: XLA's LLVM optimisation level for a smoke run's kernels. On a CPU, compiling is most of a capped run's cost, and
#: level 0 halves it (MobileNetV2 fine-tuned at 96 px, compile and one step: 115 s, then 59 s) without changing what
#: is computed; the few capped steps run a little slower.
XLA_FLAG = "--xla_backend_optimization_level=0"


def enabled() -> bool:
    """True when ``COURSE_SMOKE`` is set to anything but ``""``, ``0``, ``false`` or ``no``."""
    return os.environ.get(SMOKE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def xla_flags(current: str) -> str:
    """The ``XLA_FLAGS`` a smoke run's kernels start with: ``current`` plus :data:`XLA_FLAG`, unless it sets the level."""
    if "--xla_backend_optimization_level" in current:
        return current
    return f"{current} {XLA_FLAG}".strip()


# --------------------------------------------------------------------------- batches
def batches(x: Any, batch_size: int | None = None, validation_split: float = 0.0) -> int | None:
    """How many batches one pass over ``x`` takes (``None`` when that cannot be known in advance)."""
    import tensorflow as tf

    if isinstance(x, tf.data.Dataset):
        count = int(x.cardinality())
        return count if count >= 0 else None
    import keras

    if isinstance(x, keras.utils.PyDataset):
        return len(x)  # one item per batch

    arrays = [item for item in keras.tree.flatten(x) if hasattr(item, "shape")]
    if not arrays:
        return None
    rows = int(arrays[0].shape[0])
    rows -= int(rows * (validation_split or 0.0))
    return math.ceil(rows / (batch_size or 32))


def takes_batch_size(x: Any) -> bool:
    """True when ``x`` is arrays (NumPy, tensors, a dict of them), which ``fit`` and ``evaluate`` batch themselves."""
    import keras
    import tensorflow as tf

    if isinstance(x, (tf.data.Dataset, keras.utils.PyDataset)):
        return False
    return any(hasattr(item, "shape") for item in keras.tree.flatten(x))


def capped_steps(requested: int | None, available: int | None) -> int | None:
    """The steps to ask for: ``requested`` lowered to :data:`STEPS`, or ``None`` when one pass is short already."""
    if requested is not None:
        return min(requested, STEPS)
    if available is not None and available <= STEPS:
        return None
    return STEPS


def capped_batch_size(x: Any, batch_size: int | None) -> int | None:
    """The batch size to ask for: at most :data:`BATCH` for arrays, always set for them; ``None`` for a dataset.

    Always set: given ``steps`` and no batch size, Keras divides arrays into that many batches, so one capped
    step on 512 digits would be one batch of 512 (06's digits through MobileNetV2 at 96 px: 20 s a step).
    """
    if not takes_batch_size(x):
        return batch_size  # Keras rejects a batch size for a dataset
    return min(batch_size or BATCH, BATCH)


def _bind(method: Callable, self, args, kwargs) -> inspect.BoundArguments:
    bound = inspect.signature(method).bind(self, *args, **kwargs)
    bound.apply_defaults()
    return bound


def _call(method: Callable, bound: inspect.BoundArguments):
    extra = bound.arguments.pop("kwargs", {}) if "kwargs" in bound.arguments else {}
    return method(**bound.arguments, **extra)


def capped_fit(fit: Callable) -> Callable:
    """Wrap ``keras.Model.fit``: at most :data:`EPOCHS` epochs after ``initial_epoch``, :data:`STEPS` batches each."""

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        bound = _bind(fit, self, args, kwargs)
        options = bound.arguments
        epochs = min(int(options["epochs"]), int(options["initial_epoch"]) + EPOCHS)
        if epochs != options["epochs"]:
            say(f"fit capped at {EPOCHS} epochs and {STEPS} batches per epoch")
        options["epochs"] = epochs
        options["batch_size"] = capped_batch_size(options["x"], options["batch_size"])
        options["steps_per_epoch"] = capped_steps(
            options["steps_per_epoch"], batches(options["x"], options["batch_size"], options["validation_split"])
        )
        validation = options["validation_data"]
        if validation is not None or options["validation_split"]:
            source = options["x"] if validation is None else validation
            if isinstance(validation, tuple):
                source = validation[0]
            size = options["validation_batch_size"] or options["batch_size"]
            available = batches(source, size) if validation is not None else None
            options["validation_steps"] = capped_steps(options["validation_steps"], available)
        return _call(fit, bound)

    wrapper.__smoke__ = True
    return wrapper


def capped_evaluate(evaluate: Callable) -> Callable:
    """Wrap ``keras.Model.evaluate``: at most :data:`STEPS` batches."""

    @functools.wraps(evaluate)
    def wrapper(self, *args, **kwargs):
        bound = _bind(evaluate, self, args, kwargs)
        options = bound.arguments
        options["batch_size"] = capped_batch_size(options["x"], options["batch_size"])
        options["steps"] = capped_steps(options["steps"], batches(options["x"], options["batch_size"]))
        return _call(evaluate, bound)

    wrapper.__smoke__ = True
    return wrapper


# --------------------------------------------------------------------------- data and weights
def local_variant(choose: Callable) -> Callable:
    """Wrap ``choose_variant``: the mini archive where the full one is not on this machine and the mini one can be had."""

    @functools.wraps(choose)
    def wrapper(name: str, variant: str = "auto", **options) -> str:  # options: profile=
        from helpers.data.download import mini_reachable
        from helpers.data.registry import get_dataset

        chosen = choose(name, variant, **options)
        info = get_dataset(name)
        full_absent = chosen == "full" and info.mini is not None and not on_this_machine(info, info.full)
        if full_absent and mini_reachable(info):
            say(f"the full {name} archive is not on this machine: using its mini archive ({info.mini.images:,} images)")
            return "mini"
        return chosen

    wrapper.__smoke__ = True
    return wrapper


def capped_folders(image_datasets: Callable) -> Callable:
    """Wrap ``image_datasets``: the folder of :func:`capped_directory`, at most :data:`TRAIN_IMAGES` training, :data:`EVAL_IMAGES` held-out images."""

    @functools.wraps(image_datasets)
    def wrapper(*args, **kwargs):
        say(f"folder datasets capped at {TRAIN_IMAGES} training and {EVAL_IMAGES} validation/test images, batches of {BATCH}")
        bound = inspect.signature(image_datasets).bind(*args, **kwargs)
        bound.apply_defaults()
        options = bound.arguments
        # the same folder of links a notebook's own image_dataset_from_directory reads: its splits pair with these
        for name in ("directory", "validation_dir"):
            if options.get(name) is not None and Path(options[name]).is_dir():
                options[name] = capped_directory(Path(options[name]), LINKED_IMAGES)
        options["max_train"] = TRAIN_IMAGES if options["max_train"] is None else min(options["max_train"], TRAIN_IMAGES)
        options["max_eval"] = EVAL_IMAGES if options["max_eval"] is None else min(options["max_eval"], EVAL_IMAGES)
        options["batch_size"] = min(options["batch_size"], BATCH)
        return image_datasets(*bound.args, **bound.kwargs)

    wrapper.__smoke__ = True
    return wrapper


def capped_arrays(dataset_arrays: Callable) -> Callable:
    """Wrap ``dataset_arrays``: at most :data:`EVAL_IMAGES` images, the first ones.

    A notebook's plain-Keras split (uncapped) then holds the same photos as the one call's capped
    split of the same files, so paired comparisons still pair the same photos.
    """

    @functools.wraps(dataset_arrays)
    def wrapper(*args, **kwargs):
        images, labels = dataset_arrays(*args, **kwargs)
        return images[:EVAL_IMAGES], labels[:EVAL_IMAGES]

    wrapper.__smoke__ = True
    return wrapper


def capped_directory(directory: Path, limit: int) -> Path:
    """A folder of links to about ``limit`` images of ``directory``: the first ones (by name) of each class sub-folder.

    Kept under the temporary folder, one per (folder, limit); the class sub-folders keep their names, so class
    names, labels and the split of ``validation_split`` work as on the real folder.
    """
    import hashlib
    import tempfile

    directory = Path(directory).resolve()
    classes = sorted(p for p in directory.iterdir() if p.is_dir())
    key = hashlib.sha1(f"{directory}|{limit}".encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / "course-smoke" / f"{directory.name}-{key}"
    if target.is_dir():
        return target
    per_class = max(2, math.ceil(limit / max(len(classes), 1)))
    partial = target.with_name(target.name + f".{os.getpid()}")
    for folder in classes:
        (partial / folder.name).mkdir(parents=True, exist_ok=True)
        for path in sorted(p for p in folder.iterdir() if p.is_file())[:per_class]:
            (partial / folder.name / path.name).symlink_to(path)
    with contextlib.suppress(OSError):  # another kernel made it first
        partial.rename(target)
    return target


def capped_directory_datasets(from_directory: Callable) -> Callable:
    """Wrap ``keras.utils.image_dataset_from_directory`` as a notebook calls it: a capped folder, batches of at most :data:`BATCH`.

    Calls from the course's own modules (which cap their datasets themselves and match file lists) are left alone.
    """

    @functools.wraps(from_directory)
    def wrapper(directory, *args, **kwargs):
        caller = inspect.currentframe().f_back.f_globals.get("__name__", "")
        if caller.startswith("helpers.") or not Path(directory).is_dir():
            return from_directory(directory, *args, **kwargs)
        limit = LINKED_IMAGES
        say(f"image_dataset_from_directory capped at about {limit} images per folder, batches of at most {BATCH}")
        if kwargs.get("batch_size", 32) is not None and kwargs.get("batch_size", 32) > BATCH:
            kwargs["batch_size"] = BATCH
        return from_directory(capped_directory(Path(directory), limit), *args, **kwargs)

    wrapper.__smoke__ = True
    return wrapper


def capped_settings(show_profile: Callable) -> Callable:
    """Wrap ``show_profile``: a full-profile image count (a setting named ``*_images`` or ``*_digits``) capped.

    At most :data:`SETTING_IMAGES` training images, a quarter of that for a held-out split (a name with
    ``test`` or ``validation``): the full profile's arrays are then sliced, augmented and predicted at their
    full image size, but not 10,000 of them (06's digits at 96 px through a full-width MobileNetV2).
    """

    @functools.wraps(show_profile)
    def wrapper(**changes):
        capped = {}
        for key, pair in changes.items():
            if (key.endswith(("_images", "_digits")) and isinstance(pair, tuple) and len(pair) == 2
                    and isinstance(pair[1], int) and not isinstance(pair[1], bool)):
                limit = SETTING_IMAGES // 4 if ("test" in key or "validation" in key) else SETTING_IMAGES
                if pair[1] > limit:
                    say(f"{key}: the full profile's {pair[1]:,} capped at {limit:,}")
                    pair = (pair[0], limit)
            capped[key] = pair
        return show_profile(**capped)

    wrapper.__smoke__ = True
    return wrapper


# --------------------------------------------------------------------------- switching on
def _patch(owner: Any, name: str, wrap: Callable) -> None:
    current = getattr(owner, name)
    if not getattr(current, "__smoke__", False):
        setattr(owner, name, wrap(current))


def install() -> None:
    """Apply every cap and substitution above (idempotent).

    The runner calls it in each notebook's kernel when ``COURSE_SMOKE`` is set (``runner.SMOKE_SETUP``);
    ``import helpers`` never does.
    """
    import keras

    from helpers import profile, transfer, transfer_comparison
    from helpers.course import smoke_bases
    from helpers.data import arrays, download, folders, weights

    _patch(keras.Model, "fit", capped_fit)
    _patch(keras.Model, "evaluate", capped_evaluate)
    for owner in (download, arrays):
        _patch(owner, "choose_variant", local_variant)
    wrapped_folders = capped_folders(folders.image_datasets)
    if not getattr(folders.image_datasets, "__smoke__", False):
        folders.image_datasets = wrapped_folders
    wrapped_weights = smoke_bases.local_weights(weights.fetch_weights)
    for owner in (weights, transfer, transfer_comparison):
        if not getattr(owner.fetch_weights, "__smoke__", False):
            owner.fetch_weights = wrapped_weights
    _patch(transfer, "_resolve_weights", smoke_bases.random_when_absent)
    _patch(transfer_comparison, "compare_bases", smoke_bases.fewer_trained)
    _patch(transfer_comparison, "time_bases", smoke_bases.smaller_timing)
    _patch(folders, "dataset_arrays", capped_arrays)
    _patch(keras.utils, "image_dataset_from_directory", capped_directory_datasets)
    _patch(profile, "show_profile", capped_settings)
