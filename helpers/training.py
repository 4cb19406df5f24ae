"""Moved to :mod:`helpers.train.callbacks`; this name is kept for one release (Colab installs from main, and the notebooks import it)."""

from helpers.train.callbacks import (
    EXPLODED_FACTOR,
    EXPLODED_LOSS,
    RUNS_DIR,
    RUNS_ENV,
    ReduceLROnPlateau,
    RunState,
    StopOnNaN,
    TimeToAccuracy,
    diverged_message,
    interrupted_message,
    run_dir,
    standard_callbacks,
)

__all__ = [
    "EXPLODED_FACTOR", "EXPLODED_LOSS", "RUNS_DIR", "RUNS_ENV", "ReduceLROnPlateau", "RunState", "StopOnNaN",
    "TimeToAccuracy", "diverged_message", "interrupted_message", "run_dir", "standard_callbacks",
]
