"""Moved to :mod:`helpers.train.options`; this name is kept for one release (Colab installs from main)."""

from helpers.train.options import (
    AUTO_BASES,
    RECIPES,
    SCHEDULES,
    Choices,
    TrainSettingError,
    check_base,
    choose_defaults,
    classifier_on,
    fine_tune_settings,
    learning_rate_schedule,
    loss_for,
    make_optimizer,
    precision,
    sort_options,
    steps_per_epoch,
    transfer_builder,
)

__all__ = [
    "AUTO_BASES", "RECIPES", "SCHEDULES", "Choices", "TrainSettingError", "check_base", "choose_defaults", "classifier_on",
    "fine_tune_settings", "learning_rate_schedule", "loss_for", "make_optimizer", "precision", "sort_options", "steps_per_epoch", "transfer_builder",
]
