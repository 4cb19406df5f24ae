"""Aligned plain-text tables: the one width rule behind the tables the package prints.

:func:`text_table` lines up rows of strings in columns: each column as wide as its widest cell,
cells padded on the left or the right (by their width on screen: a Chinese character takes two
columns, so the Chinese edition's tables line up too), an optional rule of dashes under the header and above a
footer, and no trailing spaces on any line. The callers format their own numbers
(``f"{n:,}"``, ``f"{p:.1%}"``) and choose each column's alignment.

Used by the scan, folder, registry, packing, per-class, scaling, transfer-comparison, base-timing and scoreboard
tables, the profile banner, the benchmarks' tables and the series runner (``make run``). (The README's results table is Markdown: see ``course/results.py``.)
Neither the standard library nor the course's dependencies offer this (``rich``, which Keras pulls
in, draws boxes and wraps lines to the terminal's width; it is not one of ours either).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a terminal or notebook: 2 for a wide (East Asian) character, else 1."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, right: bool) -> str:
    """``text`` padded with spaces to ``width`` columns on screen (``str.rjust``/``ljust``, counting wide characters as 2)."""
    spaces = " " * max(width - display_width(text), 0)
    return spaces + text if right else text + spaces


def text_table(
    rows: Iterable[Sequence[str]],
    header: Sequence[str] | None = None,
    *,
    align: str = "",
    min_widths: Sequence[int] = (),
    gap: str | Sequence[str] = "  ",
    rule: Literal["columns", "line"] | None = None,
    footer: Iterable[Sequence[str]] = (),
) -> str:
    """Rows of cells as aligned text, one line per row.

    Each column is as wide as its widest cell (header and footer included) or its entry in
    ``min_widths``, whichever is more. Every line has its trailing spaces removed.

    Args:
        rows: the body, one sequence of strings per row; every row (header and footer too) has the
            same number of cells.
        header: the first line, or ``None`` for none.
        align: one letter per column, ``"l"`` (pad on the right) or ``"r"`` (pad on the left, for
            numbers); columns past its end are left-aligned. For example ``"lrr"``.
        min_widths: the narrowest each column may be, from the first column (missing: 0).
        gap: what goes between two columns: one string for every gap, or one per gap
            (``len(header) - 1`` of them).
        rule: ``"columns"``: a run of dashes under each column's header (``----  -----``);
            ``"line"``: one unbroken line of dashes as wide as the table; drawn under the header
            and above the footer. ``None``: no rule.
        footer: rows after the body (a total), below a second rule when there is a rule.

    Returns:
        The lines joined by newlines, without a final newline (``""`` for no rows at all).

    Raises:
        ValueError: rows of different lengths, an alignment other than ``l`` and ``r``, or a
            number of gaps that does not fit the columns.
    """
    body, below = [list(row) for row in rows], [list(row) for row in footer]
    above = [list(header)] if header is not None else []
    table = above + body + below
    if not table:
        return ""
    count = len(table[0])
    if any(len(row) != count for row in table):
        raise ValueError(f"Every row of a table needs the same number of cells; got {sorted({len(row) for row in table})}.")
    if set(align) - {"l", "r"} or len(align) > count:
        raise ValueError(f"align takes one letter per column, 'l' or 'r' ({count} columns); got {align!r}.")
    gaps = [gap] * max(count - 1, 0) if isinstance(gap, str) else list(gap)
    if len(gaps) != max(count - 1, 0):
        raise ValueError(f"{count} columns need {max(count - 1, 0)} gaps; got {len(gaps)}.")
    floors = list(min_widths) + [0] * count
    widths = [max(floors[i], *(display_width(row[i]) for row in table)) for i in range(count)]

    def line(cells: Sequence[str]) -> str:
        padded = [_pad(cell, width, right=align[i:i + 1] == "r") for i, (cell, width) in enumerate(zip(cells, widths))]
        return "".join(cell + space for cell, space in zip(padded, gaps + [""])).rstrip()

    if rule == "columns":
        ruler = [line(["-" * width for width in widths])]
    elif rule == "line":
        ruler = ["-" * (sum(widths) + sum(len(space) for space in gaps))]
    elif rule is None:
        ruler = []
    else:
        raise ValueError(f"rule is 'columns', 'line' or None; got {rule!r}.")
    lines = [line(row) for row in above] + (ruler if above else []) + [line(row) for row in body]
    lines += (ruler if below else []) + [line(row) for row in below]
    return "\n".join(lines)
