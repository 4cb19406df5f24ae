"""The pure parts of the benchmarks: ratios, text tables, the series figure and the JSON file.

Kept apart from :mod:`benchmarks.speed` (which imports TensorFlow and measures) so that they can be
unit-tested quickly, without timing anything.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from helpers.files import write_json_atomically
from helpers.tables import text_table

#: A column of :func:`format_table`: (key in each row, header, how to show the value).
Column = tuple[str, str, Callable[[Any], str]]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or ``None`` when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def times(value: float | None) -> str:
    """A ratio as ``"2.4x"`` (``"0.35x"`` below 1, ``"-"`` when missing)."""
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 1 else f"{value:.1f}x"


def rate(value: float | None) -> str:
    """Images per second, rounded to what a shared machine can tell apart: ``"1,234"``, ``"56.7"``."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def plain(value: Any) -> str:
    """Anything else: ``"-"`` for ``None``, thousands separators for integers, ``"96x96"`` for sizes."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return "x".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def format_table(rows: Sequence[dict], columns: Sequence[Column]) -> str:
    """Rows of dicts as an aligned text table (:func:`helpers.tables.text_table`), numbers right-aligned, a rule under the header."""
    cells = [[show(row.get(key)) for key, _, show in columns] for row in rows]
    headers = [header for _, header, _ in columns]
    numeric = [all(_looks_numeric(line[i]) for line in cells) and bool(cells) for i in range(len(columns))]
    return text_table(cells, headers, align="".join("r" if n else "l" for n in numeric), rule="columns")


def _looks_numeric(text: str) -> bool:
    return text == "-" or text.replace(",", "").replace(".", "").rstrip("x").isdigit()


def series_figure(summary: dict, measured: datetime.datetime, expected: Sequence[str]) -> dict:
    """The whole-series wall time from a ``results/summary.json`` written by ``python -m helpers.course.runner``.

    Args:
        summary: the parsed file.
        measured: when it was written (the file's modification time).
        expected: the names of every notebook of the series (``NN_name``), to tell a partial run.

    Returns:
        ``{"seconds", "notebooks", "complete", "missing", "failed", "profile", "hardware", "measured"}``.
    """
    rows = summary.get("notebooks", [])
    ran = [row["notebook"] for row in rows]
    return {
        "seconds": round(sum(float(row.get("seconds", 0.0)) for row in rows), 1),
        "notebooks": len(rows),
        "complete": bool(rows) and set(expected) <= set(ran),
        "missing": [name for name in expected if name not in ran],
        "failed": [row["notebook"] for row in rows if row.get("status") != "ok"],
        "profile": summary.get("profile"),
        "hardware": summary.get("hardware"),
        "measured": measured.isoformat(timespec="seconds"),
        "per_notebook": {row["notebook"]: row.get("seconds") for row in rows},
    }


def describe_series(series: dict | None) -> str:
    """One or two lines about the series figure, saying plainly when it is partial or absent."""
    if not series:
        return "Series: no results/summary.json yet; run `make run` (or this script with --series) to measure it."
    where = f"{series['profile']} profile, {series['hardware']}, measured {series['measured']}"
    if series["complete"]:
        failed = f"; FAILED: {', '.join(series['failed'])}" if series["failed"] else ""
        return f"Series: {series['notebooks']} notebooks in {series['seconds']:,.0f} s ({where}){failed}"
    ran = ", ".join(f"{name} {seconds:,.0f} s" for name, seconds in series["per_notebook"].items())
    return (f"Series: results/summary.json holds only {series['notebooks']} notebook(s) ({ran}; {where}), not the whole "
            f"series: {len(series['missing'])} missing. Run `make run` or add --series for the whole-series figure.")


def write_report(report: dict, path: os.PathLike | str) -> Path:
    """Write the figures as indented JSON (creating the folder), through a temporary file; return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(target, report, indent=1, default=_jsonable)
    return target


def _jsonable(value: Any) -> Any:
    if isinstance(value, (Path, datetime.datetime)):
        return str(value)
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
