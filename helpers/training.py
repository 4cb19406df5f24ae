"""Moved to :mod:`helpers.train.callbacks`; this name is kept for one release (Colab installs from main, and the notebooks import it)."""

from helpers.train.callbacks import (  # noqa: F401
    EXPLODED_FACTOR,
    EXPLODED_LOSS,
    RUNS_DIR,
    RUNS_ENV,
    STATE_FILE,
    ReduceLROnPlateau,
    ResumeFromBackup,
    RunState,
    StopOnNaN,
    TimeToAccuracy,
    TrainingDivergedError,
    data_fingerprint,
    default_run_dir,
    diverged_message,
    interrupted_message,
    load_arrays,
    run_dir,
    run_folder_lock,
    run_key,
    save_arrays,
    standard_callbacks,
)

__all__ = [
    "EXPLODED_FACTOR", "EXPLODED_LOSS", "RUNS_DIR", "RUNS_ENV", "STATE_FILE", "ReduceLROnPlateau", "ResumeFromBackup",
    "RunState", "StopOnNaN", "TimeToAccuracy", "TrainingDivergedError", "data_fingerprint", "default_run_dir",
    "diverged_message", "interrupted_message", "load_arrays", "run_dir", "run_folder_lock", "run_key", "save_arrays",
    "standard_callbacks",
]
