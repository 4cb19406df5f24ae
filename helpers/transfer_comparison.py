"""Notebook 06's side-by-side runs of pretrained bases and transfer recipes (``06_transfer_learning.ipynb``).

- :func:`train_transfer`: feature extraction then fine-tuning in one call (``weights=None``: the same network from scratch);
  :func:`compare_bases` and :func:`comparison_table` train and tabulate several bases ("weights unavailable": no file).
- :func:`time_bases` and :func:`timing_table` measure what needs no weights (parameters, input size, preprocessing, ms per
  image here); :func:`plot_phases` draws both training phases on one plot; :func:`show_predictions` a grid of photos with
  their predicted class, mistakes marked; :class:`StopAfterSeconds` gives a run a wall-clock budget.
"""

from __future__ import annotations

import functools
import os
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from helpers import transfer
from helpers.data.paths import MIRROR_ENV
from helpers.data.weights import fetch_weights, weight_file
from helpers.errors import WeightsUnavailableError
from helpers.language import N_, _
from helpers.tables import text_table
from helpers.train.fit import best_epoch_index, head_then_fine_tune

NOT_TRAINED = N_("not trained in this profile")
SCRATCH_LEARNING_RATE = 1e-3  # Adam's default, for a whole network trained from random weights
UNAVAILABLE = N_("weights unavailable")


def available_weights(bases: Iterable[str]) -> dict[str, bool]:
    """Fetch each base's ImageNet weight file (quietly) and say, one line per base, whether it is there."""
    found = {}
    for base in bases:
        try:
            fetch_weights(base)
            found[base] = True
        except WeightsUnavailableError:
            found[base] = False
        status = _("ready") if found[base] else _("UNAVAILABLE")
        print(f"{base:<15} {weight_file(base).filename:<68} {status}")
    if not any(found.values()):
        print(_("No ImageNet weights could be fetched (no internet, and {mirror_setting} holds none): nothing is trained "
                "with them here; the table below still lists every base's size.").format(mirror_setting=MIRROR_ENV))
    return found


@dataclass
class TransferResult:
    """One base trained on one dataset (or not, and why).

    Each accuracy is the validation accuracy of the phase's epoch with the lowest validation loss
    (:func:`best_accuracy`; never a NaN epoch): one noisy last epoch then decides less. The model
    :func:`train_transfer` returns keeps the best epoch of both phases.

    Attributes:
        frozen_accuracy: validation accuracy after feature extraction, or after training from scratch.
        fine_tuned_accuracy: validation accuracy after fine-tuning.
        seconds_per_epoch: the median epoch time (the first epoch, which also builds the graph, excluded).
        note: why there is no accuracy, for example ``"weights unavailable"``.
        history: the epochs' metrics, both phases one after the other.
    """

    base: str
    dataset: str
    image_size: tuple[int, int]
    parameters: int
    frozen_accuracy: float | None = None
    fine_tuned_accuracy: float | None = None
    seconds_per_epoch: float | None = None
    fine_tune_from_epoch: int | None = None
    note: str = ""
    history: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_fits(cls, model: keras.Model, dataset: str, head: keras.callbacks.History, fine: keras.callbacks.History) -> TransferResult:
        """The result of a model trained step by step: ``head = model.fit(...)``, :func:`fine_tune`, ``fine = model.fit(...)``."""
        base = transfer.base_of(model)
        return cls(
            base.name, dataset, tuple(model.input_shape[1:3]), base.count_params(),
            frozen_accuracy=best_accuracy(head.history), fine_tuned_accuracy=best_accuracy(fine.history),
            fine_tune_from_epoch=len(head.epoch),
            history={key: list(head.history[key]) + list(fine.history.get(key, [])) for key in head.history},
        )

    @property
    def accuracy(self) -> float | None:
        """The final validation accuracy: after fine-tuning when there was fine-tuning."""
        return self.fine_tuned_accuracy if self.fine_tuned_accuracy is not None else self.frozen_accuracy


def best_accuracy(history: dict) -> float | None:
    """The validation accuracy of the epoch with the lowest validation loss (a NaN epoch never counts; ``None`` if all are NaN).

    The epoch is :func:`helpers.train.fit.best_epoch_index`, the rule ``train_from_folder`` keeps too.
    """
    index = best_epoch_index(history)
    return None if index is None else float(history["val_accuracy"][index])


def keep_best(epochs: int) -> keras.callbacks.EarlyStopping:
    """A callback that keeps the weights of the epoch with the lowest validation loss (and never stops early)."""
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs, restore_best_weights=True)


@functools.cache
def base_parameters(base: str) -> int:
    """Number of parameters of ``base`` without its classifier (built once, with ``weights=None``)."""
    return transfer.get_base(base).build((*transfer.get_base(base).input_size, 3)).count_params()


def train_transfer(
    base: str,
    splits,
    weights: str | os.PathLike | None = "imagenet",
    *,
    dataset: str = "",
    epochs: int = 5,
    fine_tune_epochs: int = 5,
    fine_tune_layers: int | None = None,
    learning_rate: float | None = None,
    fine_tune_learning_rate: float | None = None,
    augmentation: keras.Layer | None = None,
    dropout: float = 0.2,
    verbose: int = 2,
) -> tuple[keras.Model, TransferResult]:
    """Feature extraction for ``epochs``, then fine-tuning for ``fine_tune_epochs``, in one call.

    With ``weights=None`` every layer learns from random weights for ``epochs + fine_tune_epochs`` epochs
    at ``learning_rate`` (default Adam's ``1e-3``): same architecture, images and epochs. Otherwise learning
    rates and layers to unfreeze default to the base's recipe (:class:`helpers.transfer.BaseSpec`). Both
    phases run in :func:`helpers.train.fit.head_then_fine_tune`, as in ``train_from_folder``: the model keeps
    the epoch with the lowest validation loss of both phases; the result reports each phase's best accuracy.

    Args:
        splits: a :class:`helpers.data.folders.FolderDatasets` (``train``, ``validation``, ``class_names``, ``image_size``).
    """
    spec = transfer.get_base(base)
    scratch = weights is None
    model = transfer.build_transfer_classifier(
        base, len(splits.class_names), splits.image_size, weights, augmentation, dropout, freeze=not scratch
    )
    transfer.compile_classifier(model, learning_rate or (SCRATCH_LEARNING_RATE if scratch else spec.learning_rate))
    starts, seconds = [], []  # each epoch's wall-clock time
    timer = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: starts.append(time.perf_counter()),
                                           on_epoch_end=lambda epoch, logs: seconds.append(time.perf_counter() - starts[-1]))

    def fit(count: int, first_epoch: int, phase: str) -> keras.callbacks.History:
        return model.fit(splits.train, validation_data=splits.validation, epochs=first_epoch + count, initial_epoch=first_epoch,
                         callbacks=[timer, keep_best(count)], verbose=verbose)

    def unfreeze() -> None:
        transfer.fine_tune(model, spec.fine_tune_layers if fine_tune_layers is None else fine_tune_layers,
                           fine_tune_learning_rate or spec.fine_tune_learning_rate)

    tuned = 0 if scratch else fine_tune_epochs
    phases = head_then_fine_tune(model, fit, epochs + (fine_tune_epochs if scratch else 0), tuned, unfreeze)
    joined, split = phases.history.history, phases.head_epochs
    head = {key: list(values[:split]) for key, values in joined.items()}
    result = TransferResult(
        base, dataset, tuple(splits.image_size), transfer.base_of(model).count_params(),
        frozen_accuracy=best_accuracy(head), history=head,
    )
    if tuned and len(phases.history.epoch) > split:
        result.fine_tuned_accuracy = best_accuracy({key: values[split:] for key, values in joined.items()})
        result.fine_tune_from_epoch = split
        result.history = {key: list(values) for key, values in joined.items()}
    result.seconds_per_epoch = statistics.median(seconds[1:] or seconds)
    if scratch:
        result.note = "from scratch"
    return model, result


def compare_bases(
    datasets: dict[str, object],
    bases: Sequence[str] = transfer.IMAGENET_BASES,
    available: dict[str, bool] | None = None,
    trained: Sequence[str] | None = None,
    **train_options,
) -> list[TransferResult]:
    """Train each base on each dataset where possible; list every base either way.

    Args:
        datasets: a name for each dataset and its :class:`helpers.data.folders.FolderDatasets`, or ``None``
            when it was not loaded (nothing is trained on it).
        bases: the bases to list.
        available: which bases' weights could be fetched (from :func:`available_weights`).
        trained: the bases to train (default: all); the others are listed as "not trained in this profile".
        train_options: passed to :func:`train_transfer` (epochs, fine_tune_epochs, augmentation...).
    """
    available = available or {}
    results = []
    for base in bases:
        parameters = base_parameters(base)
        for name, splits in datasets.items():
            size = tuple(splits.image_size) if splits is not None else transfer.get_base(base).input_size
            if not available.get(base):
                results.append(TransferResult(base, name, size, parameters, note=UNAVAILABLE))
            elif splits is None or (trained is not None and base not in trained):
                results.append(TransferResult(base, name, size, parameters, note=NOT_TRAINED))
            else:
                print(f"--- {base} on {name}")
                results.append(train_transfer(base, splits, "imagenet", dataset=name, verbose=0, **train_options)[1])
    return results


def comparison_table(results: Sequence[TransferResult]) -> str:
    """The results as a text table: one row per base, one accuracy column per dataset."""
    bases = list(dict.fromkeys(r.base for r in results))
    datasets = list(dict.fromkeys(r.dataset for r in results))
    width = max(20, *(len(d) for d in datasets))  # one width for every dataset's column
    table = []
    for base in bases:
        rows: dict[str, TransferResult] = {}
        for r in results:  # the first result of a base on a dataset wins
            if r.base == base:
                rows.setdefault(r.dataset, r)
        first = next(iter(rows.values()))
        native = "x".join(str(side) for side in transfer.get_base(base).input_size)
        cells = [(f"{rows[d].accuracy:.1%}" if rows[d].accuracy is not None else _(rows[d].note)) if d in rows else "" for d in datasets]
        seconds = [r.seconds_per_epoch for r in rows.values() if r.seconds_per_epoch is not None]
        table.append((base, native, f"{first.parameters:,}", *cells, f"{max(seconds):.1f}" if seconds else "–"))
    return text_table(table, ("base", "native input", "parameters", *datasets, "s/epoch"), align="lrr", rule="line",
                      min_widths=(15, 12, 12, *[width] * len(datasets)), gap=[" ", " "] + ["  "] * (len(datasets) + 1))


# --------------------------------------------------------------------------- what a base costs, without its weights


@dataclass(frozen=True)
class BaseTiming:
    """One base built with ``weights=None`` and run on a batch of real images.

    Attributes:
        milliseconds: wall-clock milliseconds per image (one batch, after a warm-up call).
        cpu_milliseconds: CPU time per image, all threads together (less disturbed by other work on the machine).
    """

    base: str
    parameters: int
    input_size: tuple[int, int]
    preprocessing: str
    milliseconds: float
    cpu_milliseconds: float


def time_model(model: keras.Model, images: Any) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds per image of ``model(images, training=False)`` (after one warm-up call)."""
    images = keras.ops.convert_to_tensor(images, dtype="float32")
    model(images[:1], training=False)  # the first call builds the graph: not timed
    wall, cpu = time.perf_counter(), time.process_time()
    keras.ops.convert_to_numpy(model(images, training=False))
    return 1000 * (time.perf_counter() - wall) / len(images), 1000 * (time.process_time() - cpu) / len(images)


def time_bases(bases: Sequence[str], images: Any, image_size: tuple[int, int] | None = None) -> list[BaseTiming]:
    """Build each base with ``weights=None`` (nothing to download) and time it on ``images``.

    ``images`` (a few real photos, 0-255 pixels) are resized to each base's native input size, or to
    ``image_size``. Random weights cost as much computation as trained ones: the timings hold for both.
    """
    timings = []
    for name in bases:
        spec = transfer.get_base(name)
        size = tuple(image_size or spec.input_size)
        model = spec.build((*size, 3), None)
        resized = keras.ops.image.resize(keras.ops.convert_to_tensor(images, dtype="float32"), size)
        timings.append(BaseTiming(name, model.count_params(), size, spec.preprocessing,
                                  *time_model(model, spec.preprocess_input()(resized))))
    return timings


def timing_table(timings: Sequence[BaseTiming]) -> str:
    """The timings as a text table, one row per base."""
    rows = [(t.base, "x".join(str(side) for side in t.input_size), f"{t.parameters:,}", f"{t.milliseconds:.0f}",
             f"{t.cpu_milliseconds:.0f}", t.preprocessing) for t in timings]
    header = ("base", "input", "parameters", "ms/image", "CPU ms/image", "preprocess_input")
    return text_table(rows, header, align="lrrrrl", rule="line")


def plot_base_costs(timings: Sequence[BaseTiming]):
    """CPU milliseconds per image against parameters, one labelled point per base (log scales)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for t in timings:
        ax.scatter(t.parameters / 1e6, t.cpu_milliseconds, s=30)
        ax.annotate(f" {t.base} ({t.input_size[0]} px)", (t.parameters / 1e6, t.cpu_milliseconds), fontsize=8, va="center")
    ax.set(xscale="log", yscale="log", xlabel="parameters of the base (millions)", ylabel="CPU milliseconds per image",
           title="What a base costs: size and speed, measured without its weights")
    ax.set_xlim(right=ax.get_xlim()[1] * 4)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig



def _logs(history: Any) -> dict:
    return dict(history.history if hasattr(history, "history") else history)


def plot_phases(head: Any, fine: Any = None, scratch: Any = None, title: str = "Cats vs dogs", frozen: Any = None):
    """Accuracy per epoch of both phases on one plot, a line where fine-tuning starts, and a from-scratch run.

    ``head`` and ``fine`` are the histories of the two ``fit`` calls (frozen base, then fine-tuning with
    ``initial_epoch``; ``fine=None`` for the head alone); ``scratch`` a network trained from scratch (its
    epochs may be more or fewer); ``frozen`` the head trained on over the fine-tuning epochs, base still frozen.
    """
    import matplotlib.pyplot as plt

    first, second = _logs(head), _logs(fine) if fine is not None else {}
    joined = {key: list(first[key]) + list(second.get(key, [])) for key in first}
    epochs = np.arange(1, len(joined["accuracy"]) + 1)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(epochs, np.asarray(joined["accuracy"]) * 100, "o-", color="tab:blue", label="pretrained: training")
    ax.plot(epochs, np.asarray(joined["val_accuracy"]) * 100, "s-", color="tab:orange", label="pretrained: validation")
    start = len(first["accuracy"])
    last = len(epochs)
    if frozen is not None:
        logs = _logs(frozen)
        steps = np.arange(start, start + len(logs["val_accuracy"]) + 1)
        ax.plot(steps, np.r_[first["val_accuracy"][-1], logs["val_accuracy"]] * 100, "s:", color="tab:green",
                label="base kept frozen: validation")
        last = max(last, steps[-1])
    if scratch is not None:
        logs = _logs(scratch)
        steps = np.arange(1, len(logs["accuracy"]) + 1)
        ax.plot(steps, np.asarray(logs["accuracy"]) * 100, "o--", color="tab:gray", alpha=0.6, label="from scratch: training")
        ax.plot(steps, np.asarray(logs["val_accuracy"]) * 100, "s--", color="tab:red", label="from scratch: validation")
        last = max(last, len(steps))
    if fine is not None:
        ax.axvline(start + 0.5, color="gray", linestyle=":")
        ax.text(start + 0.55, 46, "fine-tuning →", fontsize=8, color="gray", va="bottom")
    ax.set(xlabel="epoch", ylabel="accuracy (%)", title=title, xticks=np.arange(1, last + 1), ylim=(45, 100))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


class StopAfterSeconds(keras.callbacks.Callback):
    """Stop ``fit`` at the end of the first epoch that ends ``seconds`` or more after training began.

    The network trained from scratch gets at least the pretrained model's wall-clock time (give ``fit`` more
    epochs than it can use). After ``fit``: ``seconds_used`` (wall clock) and ``epochs_run``.
    """

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = float(seconds)
        self.seconds_used = 0.0
        self.epochs_run = 0
        self._start = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._start = time.perf_counter()
        self.epochs_run = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs_run += 1
        self.seconds_used = time.perf_counter() - self._start
        if self.seconds_used >= self.seconds:
            self.model.stop_training = True


def show_predictions(model: keras.Model | None, dataset: Any, class_names: Sequence[str], count: int = 12, ncols: int = 6,
                     predictions: Any = None):
    """A grid of photos from ``dataset`` titled ``predicted (probability)``, mistakes in red with the true class.

    Every mistake comes first (up to half the grid), then correct predictions; the title counts the mistakes
    of the whole dataset. ``predictions``: the model's outputs for the dataset, in order, if already computed.
    """
    import matplotlib.pyplot as plt

    from helpers.predict import class_probabilities

    images, labels = (np.concatenate(parts) for parts in zip(*((x.numpy(), y.numpy()) for x, y in dataset)))
    outputs = model.predict(images, verbose=0) if predictions is None else np.asarray(predictions)
    probabilities = class_probabilities(outputs)  # one sigmoid unit p becomes [1 - p, p]
    predicted = probabilities.argmax(-1)
    true = labels.argmax(-1) if labels.ndim > 1 and labels.shape[-1] > 1 else labels.ravel().astype(int)
    wrong_ones = np.flatnonzero(predicted != true)
    chosen = list(wrong_ones[: count // 2]) + [i for i in range(len(true)) if predicted[i] == true[i]][: count - min(len(wrong_ones), count // 2)]
    nrows = -(-len(chosen) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 1.7, nrows * 2.0), squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen):
        ax.imshow(np.clip(images[i], 0, 255).astype("uint8"))
        name, sure = class_names[predicted[i]], probabilities[i].max()
        mistake = predicted[i] != true[i]
        ax.set_title(f"{name} ({sure:.0%})" + (f"\nWRONG: is {class_names[true[i]]}" if mistake else ""),
                     fontsize=8, color="red" if mistake else "black")
        if mistake:
            ax.add_patch(plt.Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="red", linewidth=3, clip_on=False))
    fig.suptitle(f"Predictions on held-out photos: {len(wrong_ones)} mistakes in {len(true)} (mistakes first, in red)", fontsize=10)
    return fig
