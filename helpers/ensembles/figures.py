"""Figures of notebook 07: accuracies with their error bars, and the images the members disagree on.

Introduced in ``07_ensembles.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from helpers.ensembles.combine import _check_probs, vote_counts


def plot_gain_with_errors(
    names: Sequence[str],
    accuracies: Sequence[float],
    errors: Sequence[float],
    kinds: Sequence[str],
    baseline: str,
    gain_errors: Sequence[float] | None = None,
    title: str = "Test accuracy",
) -> plt.Figure:
    """Two panels: every model's test accuracy with ±1 standard error, and each ensemble's gain over ``baseline``.

    Left: horizontal bars on an axis that starts at 0 (no zoom that could make noise look like a
    gain), each with its error bar and its value. Right: the gain of every ``"ensemble"`` entry over
    the ``baseline`` entry, in points, with ±2 standard errors of that gain (``gain_errors``, for
    example from :func:`helpers.ensembles.noise.paired_standard_error`; by default ``errors`` of the
    ensemble): a bar whose interval stays clear of the zero line is a gain beyond noise.

    Args:
        names, accuracies, errors, kinds: one per model (accuracies and errors as fractions;
            kinds such as ``"member"`` and ``"ensemble"`` choose the colour).
        baseline: the name of the model the gains are measured against (for example the best member on test).
        gain_errors: one standard error per model for the gain panel (entries of other kinds are ignored).
    """
    values, errs = np.asarray(accuracies, float) * 100, np.asarray(errors, float) * 100
    gain_errs = errs if gain_errors is None else np.asarray(gain_errors, float) * 100
    colours = dict(zip(dict.fromkeys(kinds), plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.3 * len(values) + 1.8), layout="constrained",
                                      width_ratios=(3, 2))
    rows = np.arange(len(values))[::-1]
    left.barh(rows, values, xerr=errs, color=[colours[k] for k in kinds], height=0.7, capsize=2)
    for row, value, err, name in zip(rows, values, errs, names):
        left.text(value + err, row, f" {value:.2f}%", va="center", fontsize=8,
                  fontweight="bold" if name == baseline else None)
    left.set_yticks(rows, list(names), fontsize=9)
    left.set_xlim(0, min(100.0, float((values + errs).max()) * 1.15))
    left.set_xlabel("test accuracy (%), bars: ±1 standard error; the axis starts at 0")
    left.set_title(title)
    fig.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()], labels=list(colours),
               fontsize=8, loc="outside lower center", ncols=len(colours), frameon=False)

    base = values[list(names).index(baseline)]
    chosen = [i for i, kind in enumerate(kinds) if kind == "ensemble"]
    gains = values[chosen] - base
    positions = np.arange(len(chosen))[::-1]
    right.barh(positions, gains, xerr=2 * gain_errs[chosen], color=colours.get("ensemble"), height=0.6, capsize=3)
    right.axvline(0, color="black", linewidth=1)
    for row, gain, err in zip(positions, gains, gain_errs[chosen]):
        right.text(max(gain + 2 * err, 0), row, f" {gain:+.2f} ± {2 * err:.2f}", va="center", fontsize=8)
    right.set_yticks(positions, [names[i] for i in chosen], fontsize=9)
    right.set_xlim(min(0.0, float((gains - 2 * gain_errs[chosen]).min()) - 0.5),
                   float((gains + 2 * gain_errs[chosen]).max()) * 1.35 + 0.5)
    right.set_xlabel(f"points over {baseline}, bars: ±2 standard errors of the gain")
    right.set_title(f"Gain over {baseline}")
    return fig


def disagreement_order(probs: Any) -> np.ndarray:
    """Image indices ordered from the most to the least disputed: fewest votes for the top class first.

    Among images with the same split of votes, those whose averaged probability of the top class
    is lowest come first; images on which every member agrees come last.
    """
    probs = _check_probs(probs)
    votes = vote_counts(probs)
    top_share = votes.max(axis=-1)
    confidence = probs.mean(axis=0).max(axis=-1)
    return np.lexsort((confidence, top_share))


def plot_disagreements(
    images: np.ndarray,
    probs: Any,
    y_true: Any,
    class_names: Sequence[str],
    ensemble_pred: Any,
    count: int = 12,
    ncols: int = 6,
) -> plt.Figure:
    """The images the members disagree on most: half that the ensemble gets right, half that it gets wrong.

    Both halves are the most disputed images of their kind (:func:`disagreement_order`), the right
    ones on the first rows. Each title reads ``true: cat``, then the two most-voted classes with
    their number of votes (``dog 5 · cat 4``) and the ensemble's answer, green when right and red
    when wrong.
    """
    probs = _check_probs(probs)
    y_true = np.asarray(y_true).astype(int).ravel()
    ensemble_pred = np.asarray(ensemble_pred)
    if ensemble_pred.ndim == 2:
        ensemble_pred = ensemble_pred.argmax(-1)
    votes = vote_counts(probs)
    order = disagreement_order(probs)
    right = ensemble_pred == y_true
    wanted_right = count - count // 2
    chosen = [i for i in order if right[i]][:wanted_right]
    chosen += [i for i in order if not right[i]][: count - len(chosen)]
    nrows = int(np.ceil(len(chosen) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 1.9, nrows * 2.35), squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen):
        image = np.squeeze(np.asarray(images[i]))
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        top = np.argsort(-votes[i], kind="stable")[:2]
        split = " · ".join(f"{class_names[c]} {votes[i, c]}" for c in top if votes[i, c] > 0)
        ax.set_title(f"true: {class_names[y_true[i]]}\nvotes: {split}\nensemble: {class_names[ensemble_pred[i]]}",
                     fontsize=7.5, color="green" if right[i] else "red")
    fig.suptitle(f"Where the {len(probs)} members disagree most (test images; green: the ensemble is right, red: wrong)")
    return fig
