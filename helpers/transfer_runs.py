"""Transfer-learning runs: choose a base, train it in two phases, compare bases in a table.

- :func:`choose_base` takes an ImageNet base when its weight file can be had, and otherwise says
  so in one line and falls back to the course's own ``cifar10_cnn`` base.
- :func:`train_transfer` runs the whole recipe in one call: feature extraction, then fine-tuning
  (or, with ``weights=None``, the same network trained from scratch for as many epochs).
- :func:`compare_bases` and :func:`comparison_table` fill the table of bases: parameters, input
  size, validation accuracy per dataset and seconds per epoch, with "weights unavailable" where a
  weight file could not be fetched.

Introduced in ``06_transfer_learning.ipynb``.
"""

from __future__ import annotations

import functools
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import keras

from helpers import transfer
from helpers.data.download import MIRROR_ENV
from helpers.weights import WeightsUnavailableError, fetch_weights, weight_file

NOT_TRAINED = "not trained in this profile"
SCRATCH_LEARNING_RATE = 1e-3  # Adam's default, for a whole network trained from random weights
UNAVAILABLE = "weights unavailable"


@dataclass(frozen=True)
class BaseChoice:
    """The base a notebook trains, with the settings of its recipe (see :class:`helpers.transfer.BaseSpec`)."""

    name: str
    weights: str | os.PathLike | None
    image_size: tuple[int, int]
    fine_tune_layers: int
    learning_rate: float
    fine_tune_learning_rate: float


def choose_base(
    preferred: str, image_size: tuple[int, int], fallback: str = "cifar10_cnn", fallback_weights: str | os.PathLike | None = None
) -> BaseChoice:
    """``preferred`` with its ImageNet weights when they can be fetched; else ``fallback``, saying so plainly.

    Args:
        preferred: an ImageNet base, for example ``"Xception"``.
        image_size: the image size to train ``preferred`` at (the fallback uses its own size).
        fallback: the base to use when the weights cannot be had.
        fallback_weights: the fallback's weights file (for ``cifar10_cnn``: from :func:`transfer.save_base`).
    """
    try:
        fetch_weights(preferred)
        spec, weights = transfer.get_base(preferred), "imagenet"
        print(f"Using {preferred} with its ImageNet weights ({weight_file(preferred).filename}).")
    except WeightsUnavailableError as error:
        spec, weights, image_size = transfer.get_base(fallback), fallback_weights, transfer.get_base(fallback).input_size
        print(f"FALLING BACK: {error}")
        print(f"So this run uses the course's own {fallback} base instead of {preferred}.")
    return BaseChoice(spec.name, weights, tuple(image_size), spec.fine_tune_layers, spec.learning_rate, spec.fine_tune_learning_rate)


def available_weights(bases: Iterable[str]) -> dict[str, bool]:
    """Fetch each base's ImageNet weight file (quietly) and say, one line per base, whether it is there."""
    found = {}
    for base in bases:
        try:
            fetch_weights(base)
            found[base] = True
        except WeightsUnavailableError:
            found[base] = False
        print(f"{base:<15} {weight_file(base).filename:<68} {'ready' if found[base] else 'UNAVAILABLE'}")
    if not any(found.values()):
        print(f"No ImageNet weights could be fetched (no internet, and {MIRROR_ENV} holds none): nothing is trained "
              "with them here; the table below still lists every base's size.")
    return found


@dataclass
class TransferResult:
    """One base trained on one dataset (or not, and why).

    Each accuracy is the validation accuracy of the phase's epoch with the lowest validation loss,
    whose weights the model keeps (``EarlyStopping(restore_best_weights=True)``, as in notebook 04):
    one noisy last epoch then decides less.

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
    def from_fits(cls, model: keras.Model, dataset: str, head: keras.callbacks.History, fine: keras.callbacks.History) -> "TransferResult":
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


def best_accuracy(history: dict) -> float:
    """The validation accuracy of the epoch with the lowest validation loss."""
    losses = history["val_loss"]
    return float(history["val_accuracy"][losses.index(min(losses))])


def keep_best(epochs: int) -> keras.callbacks.EarlyStopping:
    """A callback that keeps the weights of the epoch with the lowest validation loss (and never stops early)."""
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs, restore_best_weights=True)


class _EpochTimer(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):  # noqa: ANN001 - Keras callback signature
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):  # noqa: ANN001 - Keras callback signature
        self.seconds.append(time.perf_counter() - self._start)


@functools.lru_cache(maxsize=None)
def base_parameters(base: str) -> int:
    """Number of parameters of ``base`` without its classifier (built once, with ``weights=None``)."""
    return transfer.get_base(base).build((*transfer.get_base(base).input_size, 3)).count_params()


def bases_table(bases: Sequence[str] = tuple(transfer.BASES)) -> str:
    """What each base is: native input size, parameters (built with ``weights=None``), preprocessing, fine-tune recipe."""
    head = f"{'base':<15} {'native input':>12} {'parameters':>12}  {'top layers fine-tuned':>21}  preprocess_input"
    lines = [head, "-" * len(head)]
    for base in bases:
        spec = transfer.get_base(base)
        native = "x".join(str(side) for side in spec.input_size)
        lines.append(f"{base:<15} {native:>12} {base_parameters(base):>12,}  {spec.fine_tune_layers:>21}  {spec.preprocessing}")
    return "\n".join(lines)


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

    With ``weights=None`` the same network is trained from scratch instead: every layer learns
    from random weights for ``epochs + fine_tune_epochs`` epochs at ``learning_rate`` (the fair
    comparison: same architecture, same images, same number of epochs), by default at Adam's usual
    ``1e-3``. Otherwise learning rates and the number of layers to unfreeze default to the base's
    recipe (:class:`helpers.transfer.BaseSpec`).

    Args:
        splits: a :class:`helpers.data.FolderDatasets` (``train``, ``validation``, ``class_names``, ``image_size``).
    """
    spec = transfer.get_base(base)
    scratch = weights is None
    model = transfer.build_transfer_classifier(
        base, len(splits.class_names), splits.image_size, weights, augmentation, dropout, freeze=not scratch
    )
    transfer.compile_classifier(model, learning_rate or (SCRATCH_LEARNING_RATE if scratch else spec.learning_rate))
    timer = _EpochTimer()
    first_epochs = epochs + (fine_tune_epochs if scratch else 0)
    fit = dict(validation_data=splits.validation, verbose=verbose)
    first = model.fit(splits.train, epochs=first_epochs, callbacks=[timer, keep_best(first_epochs)], **fit).history
    result = TransferResult(
        base, dataset, tuple(splits.image_size), transfer.base_of(model).count_params(),
        frozen_accuracy=best_accuracy(first), history=dict(first),
    )
    if not scratch and fine_tune_epochs:
        transfer.fine_tune(model, spec.fine_tune_layers if fine_tune_layers is None else fine_tune_layers,
                           fine_tune_learning_rate or spec.fine_tune_learning_rate)
        second = model.fit(
            splits.train, epochs=epochs + fine_tune_epochs, initial_epoch=epochs, callbacks=[timer, keep_best(fine_tune_epochs)], **fit
        ).history
        result.fine_tuned_accuracy = best_accuracy(second)
        result.fine_tune_from_epoch = epochs
        result.history = {key: list(first[key]) + list(second[key]) for key in first if key in second}
    result.seconds_per_epoch = statistics.median(timer.seconds[1:] or timer.seconds)
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
        datasets: a name for each dataset and its :class:`helpers.data.FolderDatasets`, or ``None``
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
    width = max(20, *(len(d) for d in datasets))
    head = f"{'base':<15} {'native input':>12} {'parameters':>12}  " + "".join(f"{d:<{width}}  " for d in datasets) + "s/epoch"
    lines = [head, "-" * len(head)]
    for base in bases:
        rows: dict[str, TransferResult] = {}
        for r in results:  # the first result of a base on a dataset wins
            if r.base == base:
                rows.setdefault(r.dataset, r)
        first = next(iter(rows.values()))
        native = "x".join(str(side) for side in transfer.get_base(base).input_size)
        cells = "".join(
            f"{(f'{rows[d].accuracy:.1%}' if rows[d].accuracy is not None else rows[d].note) if d in rows else '':<{width}}  "
            for d in datasets
        )
        seconds = [r.seconds_per_epoch for r in rows.values() if r.seconds_per_epoch is not None]
        lines.append(f"{base:<15} {native:>12} {first.parameters:>12,}  {cells}" + (f"{max(seconds):.1f}" if seconds else "–"))
    return "\n".join(lines)
