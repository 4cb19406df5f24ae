"""Speed figures for the course: run ``python -m benchmarks.speed`` from the repository root.

Not part of the installed ``helpers`` package and not a test suite: the figures depend on the
machine and on whatever else runs on it, so they are printed and saved, never asserted.
"""
