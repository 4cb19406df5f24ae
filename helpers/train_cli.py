"""Moved to :mod:`helpers.train.command`; this name is kept for one release (Colab installs from main)."""

from helpers.train.command import SCHEDULES, _parser, main  # noqa: F401

__all__ = ["SCHEDULES", "main"]
