"""Train: run folders and the standard set of callbacks.

Introduced in ``01_keras_fundamentals.ipynb`` (where each callback is explained) and used by
every notebook that trains for more than a couple of epochs.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import keras

RUNS_DIR = Path("runs")


def run_dir(name: str, root: Path | str = RUNS_DIR) -> Path:
    """Return (and create) the folder for one training run: ``runs/<name>``."""
    path = Path(root) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def standard_callbacks(
    name: str,
    monitor: str = "val_accuracy",
    patience: int = 4,
    lr_patience: int = 2,
    tensorboard: bool = True,
    root: Path | str = RUNS_DIR,
    reduce_lr: bool = True,
) -> list[keras.callbacks.Callback]:
    """The callbacks the course uses for a training run called ``name``.

    - ``ModelCheckpoint``: keeps the best model so far in ``runs/<name>/best.keras``;
    - ``EarlyStopping``: stops after ``patience`` epochs without progress and restores the best weights;
    - ``ReduceLROnPlateau``: divides the learning rate by 5 after ``lr_patience`` flat epochs;
    - ``TensorBoard`` (optional): logs to ``runs/<name>/logs`` (``tensorboard --logdir runs``).

    Args:
        monitor: the logged quantity to watch; anything starting with ``val_`` needs validation data.
        reduce_lr: include ``ReduceLROnPlateau``. Pass ``False`` when the optimizer follows a
            learning-rate schedule (``03_cifar10_cnn.ipynb``): the schedule then owns the learning
            rate, and ``ReduceLROnPlateau`` would fail when it tries to set it.
    """
    mode = "min" if "loss" in monitor else "max"
    folder = run_dir(name, root)
    callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.ModelCheckpoint(folder / "best.keras", monitor=monitor, mode=mode, save_best_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, mode=mode, patience=patience, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode=mode, factor=0.2, patience=lr_patience, min_lr=1e-6),
    ]
    if not reduce_lr:
        callbacks.pop()
    if tensorboard:
        if importlib.util.find_spec("tensorboard") is None:
            print("TensorBoard is not installed, so this run is not logged for it; `pip install tensorboard` to add it.")
        else:
            callbacks.append(keras.callbacks.TensorBoard(log_dir=str(folder / "logs")))
    return callbacks
