"""Plot: sample grids, training curves, confusion matrices and misclassified images.

Introduced in ``02_mnist_cnn.ipynb``. Every function returns the matplotlib ``Figure`` so a
notebook can save it or adjust it.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
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
