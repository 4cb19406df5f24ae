"""Plot: sample grids, training curves, confusion matrices and misclassified images.

Introduced in ``02_mnist_cnn.ipynb``. Every function returns the matplotlib ``Figure`` so a
notebook can save it or adjust it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.metrics import ConfusionMatrixDisplay

from helpers.evaluate import Evaluation


def show_images(
    images: np.ndarray,
    labels: Sequence[Any] | None = None,
    class_names: Sequence[str] | None = None,
    ncols: int = 6,
    size: float = 1.6,
    title: str | None = None,
) -> plt.Figure:
    """Show images in a grid, each titled with its label (a class index or a string)."""
    count = len(images)
    nrows = max(1, math.ceil(count / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(ncols * size, nrows * size * 1.2 + (0.4 if title else 0)), squeeze=False, layout="constrained"
    )
    for ax in axes.flat:
        ax.axis("off")
    for i, ax in enumerate(axes.flat[:count]):
        image = np.asarray(images[i])
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.dtype != np.uint8:
            image = np.clip(image, 0, 255).astype(np.uint8) if image.max() > 1.0 else image
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        if labels is not None:
            label = labels[i]
            if class_names is not None and not isinstance(label, str):
                label = class_names[int(label)]
            ax.set_title(str(label), fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def plot_history(history: Any, metrics: Sequence[str] = ("accuracy", "loss")) -> plt.Figure:
    """Training and validation curves, one panel per metric, from a ``History`` or its dict."""
    logs = history.history if hasattr(history, "history") else dict(history)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", label=f"training {metric}")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s-", label=f"validation {metric}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers: no tick at 2.5
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_confusion_matrix(evaluation: Evaluation, normalize: bool = False) -> plt.Figure:
    """The confusion matrix (rows: true class, columns: predicted class) as a heat map."""
    n = len(evaluation.class_names)
    fig, ax = plt.subplots(figsize=(0.55 * n + 3, 0.55 * n + 2.5))
    ConfusionMatrixDisplay.from_predictions(
        evaluation.y_true, evaluation.y_pred, labels=range(n),
        display_labels=[str(name) for name in evaluation.class_names],
        normalize="true" if normalize else None, values_format=".2f" if normalize else "d",
        cmap="Blues", colorbar=False, ax=ax, xticks_rotation=45,
    )
    ax.set_title("Confusion matrix" + (" (each row sums to 1)" if normalize else ""))
    fig.tight_layout()
    return fig


def plot_mistakes(images: np.ndarray, evaluation: Evaluation, count: int = 12, ncols: int = 6) -> plt.Figure:
    """The most confidently wrong predictions, titled ``true → predicted (probability)``."""
    chosen = evaluation.mistakes()[:count]
    names = evaluation.class_names
    titles = [
        f"{names[evaluation.y_true[i]]} → {names[evaluation.y_pred[i]]} ({evaluation.probabilities[i].max():.0%})"
        for i in chosen
    ]
    return show_images(images[chosen], titles, ncols=ncols, size=1.9, title="Most confident mistakes (true → predicted)")


def plot_confused_pairs(
    images: np.ndarray, evaluation: Evaluation, pairs: Sequence[Sequence[Any]], per_pair: int = 5, size: float = 1.6
) -> plt.Figure:
    """Example images of the most-confused class pairs: one row per pair, the most confident mistakes first.

    Introduced in ``03_cifar10_cnn.ipynb``. Each image is titled ``true → predicted (probability)``;
    a pair with fewer mistakes than ``per_pair`` leaves the rest of its row empty.

    Args:
        images: the evaluated images, in the order of ``evaluation``.
        evaluation: the :class:`~helpers.evaluate.Evaluation` of those images.
        pairs: ``(true class, predicted class, ...)`` name tuples, as :meth:`Evaluation.most_confused` returns.
        per_pair: how many examples to show for each pair.
    """
    names = [str(name) for name in evaluation.class_names]
    fig, axes = plt.subplots(
        max(1, len(pairs)), per_pair, figsize=(per_pair * size, max(1, len(pairs)) * size * 1.15 + 0.4),
        squeeze=False, layout="constrained",
    )
    for ax in axes.flat:
        ax.axis("off")
    mistakes = evaluation.mistakes()
    for row, pair in zip(axes, pairs):
        true, predicted = names.index(str(pair[0])), names.index(str(pair[1]))
        chosen = [i for i in mistakes if evaluation.y_true[i] == true and evaluation.y_pred[i] == predicted]
        for ax, i in zip(row, chosen[:per_pair]):
            image = np.squeeze(np.asarray(images[i]))  # (H, W, 1) grayscale -> (H, W)
            ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
            ax.set_title(f"{names[true]} → {names[predicted]} ({evaluation.probabilities[i, predicted]:.0%})", fontsize=8)
    fig.suptitle("Most-confused pairs: test images (true → predicted, confidence)")
    return fig


def show_augmentations(
    image: np.ndarray, augmentation: Any, n: int = 9, ncols: int = 5, size: float = 1.9
) -> plt.Figure:
    """One image and ``n`` random variants of it made by ``augmentation`` (called with ``training=True``).

    Introduced in ``04_cats_vs_dogs_augmentation.ipynb``: the first panel is the original, titled
    ``"original"``; the others are what the model may see of it in ``n`` different epochs.
    """
    original = np.asarray(image, dtype=np.float32)
    variants = [np.asarray(augmentation(original[None], training=True))[0] for _ in range(n)]
    images = np.stack([original, *variants])
    titles = ["original"] + [f"variant {i}" for i in range(1, n + 1)]
    return show_images(images, titles, ncols=ncols, size=size, title=f"One training image, augmented {n} ways")


def plot_histories(histories: dict[str, Any], metric: str = "accuracy", title: str | None = None) -> plt.Figure:
    """Several runs' training (dashed) and validation (solid) curves of one metric on one plot, a colour per run.

    Introduced in ``03_cifar10_cnn.ipynb`` to compare the classic CNN with the modern recipe.

    Args:
        histories: a name for each run and its ``History`` (or its ``history`` dict).
        metric: the metric to draw; ``val_<metric>`` is drawn too when it is there.
    """
    fig, ax = plt.subplots(figsize=(7, 3.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (name, history), colour in zip(histories.items(), colours):
        logs = history.history if hasattr(history, "history") else dict(history)
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "--", color=colour, label=f"{name}, training")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "o-", color=colour, label=f"{name}, validation")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(metric)
    ax.set_title(title or f"{metric}: training (dashed) and validation (solid)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_per_class_accuracy(evaluations: dict[str, Evaluation], title: str = "Accuracy per class (test set)") -> plt.Figure:
    """Per-class accuracy (the recall of each class) of several models as grouped bars, with each model's overall accuracy dashed.

    Introduced in ``03_cifar10_cnn.ipynb``; the axis runs from 0 to 100%.
    """
    names = list(evaluations)
    columns = [evaluations[name].per_class_accuracy() for name in names]
    classes = list(columns[0])
    fig, ax = plt.subplots(figsize=(max(6.0, 0.75 * len(classes) + 2), 3.8))
    width = 0.8 / len(names)
    positions = np.arange(len(classes))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, column, colour) in enumerate(zip(names, columns, colours)):
        ax.bar(positions - 0.4 + width * (i + 0.5), [100 * column[c] for c in classes], width * 0.95, color=colour, label=name)
        ax.axhline(100 * evaluations[name].accuracy, color=colour, linestyle="--", linewidth=1)
    ax.set_xticks(positions, classes, rotation=30, ha="right")
    ax.set_ylim(0, 100)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title + " — dashed: overall")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
