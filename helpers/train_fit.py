"""Moved to :mod:`helpers.train.fit`; this name is kept for one release (Colab installs from main)."""

from helpers.train.fit import (
    Phases,
    TrainResult,
    TrainSettingError,
    best_epoch_index,
    fit_and_evaluate,
    head_then_fine_tune,
)

__all__ = ["Phases", "TrainResult", "TrainSettingError", "best_epoch_index", "fit_and_evaluate", "head_then_fine_tune"]
