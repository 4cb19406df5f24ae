"""The two-phase loop (head, then fine-tuning) and its best-epoch choice, written once in helpers.train.fit.

Fakes stand in for training here (a few numbers per epoch), so every case is instant; the real
runs are in test_train_options.py (train_from_folder, fit_and_evaluate) and test_transfer.py (train_transfer).
"""

from __future__ import annotations

import math

import pytest

from helpers import transfer_comparison
from helpers.errors import TrainingDivergedError
from helpers.train import fit as train_fit

NAN = math.nan


def test_a_nan_epoch_is_never_the_best():
    assert train_fit.best_epoch_index({"val_loss": [NAN, 0.9, 0.5, 0.7], "val_accuracy": [0.1, 0.5, 0.6, 0.8]}) == 2
    assert train_fit.best_epoch_index({"val_loss": [0.9, 0.4, 0.5], "val_accuracy": [0.5, NAN, 0.6]}) == 2, "a NaN accuracy too"
    assert train_fit.best_epoch_index({"val_loss": [0.9, math.inf, 0.95]}) == 0, "infinite is no better"
    assert train_fit.best_epoch_index({"val_loss": [0.5, 0.5]}) == 0, "a tie goes to the earliest, as in EarlyStopping"
    assert train_fit.best_epoch_index({"val_loss": [NAN, NAN], "val_accuracy": [0.5, 0.5]}) is None
    # Python's min() and list.index() would have picked the NaN first epoch (and its accuracy, 0.9) here
    assert transfer_comparison.best_accuracy({"val_loss": [NAN, 0.5, 0.7], "val_accuracy": [0.9, 0.6, 0.8]}) == 0.6
    assert transfer_comparison.best_accuracy({"val_loss": [NAN], "val_accuracy": [0.9]}) is None


class _Model:
    """Weights as a list of numbers: what the loop saves, and what it puts back."""

    def __init__(self) -> None:
        self.weights, self.restored = ["random"], None

    def get_weights(self):
        return list(self.weights)

    def set_weights(self, weights):
        self.weights, self.restored = list(weights), list(weights)


def _phases(head_losses, fine_losses=None, diverge: bool = False):
    """Run the loop with a fit that 'trains' to the given validation losses (fine-tuning raises with ``diverge``)."""
    model, calls = _Model(), []

    def fit(count, first_epoch, phase):
        calls.append((count, first_epoch, phase))
        if phase and diverge:
            raise TrainingDivergedError("The training loss became NaN (not a number) at batch 1 of epoch 3.")
        losses = fine_losses if phase else head_losses
        model.weights = [f"{phase or 'head'} best"]
        epochs = list(range(first_epoch, first_epoch + len(losses)))
        return train_fit._history({"val_loss": losses, "val_accuracy": [0.5] * len(losses), "accuracy": [0.5] * len(losses)}, epochs)

    phases = train_fit.head_then_fine_tune(model, fit, len(head_losses), len(fine_losses or ()), lambda: calls.append("unfreeze"))
    return phases, model, calls


def test_the_loop_keeps_the_best_epoch_of_both_phases():
    phases, model, calls = _phases([0.9, 0.6], [0.4, 0.5])
    assert calls == [(2, 0, ""), "unfreeze", (2, 2, "fine_tune")], "the fine-tuning goes on from the epoch after the head's"
    assert (phases.head_epochs, phases.best, phases.best_epoch, phases.notes) == (2, 2, 3, [])
    assert phases.history.epoch == [0, 1, 2, 3] and model.restored is None, "fine-tuning's best: nothing to put back"


def test_a_nan_fine_tuning_epoch_puts_the_head_back():
    phases, model, _ = _phases([0.9, 0.6], [NAN, 0.8])
    assert (phases.best, phases.best_epoch) == (1, 2) and model.restored == ["head best"]


def test_a_diverged_fine_tuning_keeps_the_head_with_a_note():
    phases, model, _ = _phases([0.9, 0.6], [0.4], diverge=True)
    assert (phases.best, phases.history.epoch, model.restored) == (1, [0, 1], ["head best"])
    assert len(phases.notes) == 1
    what, _, cause = phases.notes[0].partition(": ")
    assert what == "fine-tuning stopped, the head's best epoch is kept"
    assert cause == "The training loss became NaN (not a number) at batch 1 of epoch 3.", "the error, kept whole in the note"


def test_no_finite_epoch_at_all_is_an_error_that_says_what_to_do(monkeypatch):
    from helpers import models

    nan = train_fit._history({"val_loss": [NAN], "val_accuracy": [NAN], "accuracy": [0.5]}, [0])
    monkeypatch.setattr(train_fit, "_fit", lambda *args, **kwargs: nan)
    splits = type("Splits", (), {"class_names": ["a", "b"], "image_size": (32, 32), "train": None})()
    monkeypatch.setattr("helpers.train.options.steps_per_epoch", lambda dataset: 1)
    model = models.folder_cnn((32, 32, 3), 2, widths=(4,), convs_per_block=1)
    with pytest.raises(TrainingDivergedError) as error:
        train_fit.fit_and_evaluate(splits, model=model, epochs=1, verbose=0)
    # the one wording test of this message: what went wrong, then what to do
    wrong, _, to_do = str(error.value).partition(": ")
    assert wrong == "The validation loss was NaN or infinite at every epoch, so there is no epoch to keep"
    assert "lower learning_rate" in to_do and "clipnorm=1.0" in to_do and to_do.endswith("and train again.")
