"""Record a notebook's key figures so that ``make run`` can show them and keep them.

Introduced in ``00_setup.ipynb``; every notebook ends its main experiment with one call to
:func:`record`. The series runner (``helpers.course.runner``) keeps every recorded detail in
``results/summary.json``; :func:`update_readme` writes the README's quick-profile tables from it
(``make readme``), so no figure of a run is typed by hand.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS_ENV = "COURSE_RESULTS_FILE"

#: Words in a figure's name that mean "a fraction, shown as a percentage".
_FRACTION_WORDS = ("accuracy", "gap", "standard_error", "gain", "precision", "recall", "f1", "target")


def _plain(value: Any) -> Any:
    """``value`` as a JSON-friendly Python object (NumPy scalars and arrays become numbers and lists)."""
    if hasattr(value, "tolist"):  # NumPy scalars and arrays, TensorFlow's numpy() results
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def record(metric: str, value: float, **details: Any) -> None:
    """Print ``metric = value`` and, when the series runner asked for it, save it with its details.

    Call it once per notebook, with every figure worth keeping (the last call wins). The runner
    keeps all of them in ``results/summary.json``.

    Args:
        metric: what the figure is, for example ``"test accuracy"``.
        value: the figure.
        details: anything else worth keeping with it (epochs, images, seconds, other accuracies...);
            numbers, strings, booleans, ``None`` or lists of them. NumPy numbers are converted.
    """
    value = float(_plain(value))
    shown = f"{value:,.0f}" if value.is_integer() else f"{value:.4f}"
    print(f"Result: {metric} = {shown}")
    target = os.environ.get(RESULTS_ENV)
    if target:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"metric": metric, "value": value, **_plain(details)}, indent=1))


# --------------------------------------------------------------------------- showing figures


def format_figure(name: str, value: Any) -> str:
    """One figure as a reader wants it: accuracies as percentages, seconds rounded, counts with commas.

    A number whose name says it is an accuracy (or a gap, gain or standard error of one) and lies
    between -1 and 1 is shown as a percentage: one decimal, two from 95% up (where tenths matter).
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_figure(name, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {format_figure(str(key), item)}" for key, item in value.items())
    number = float(value)
    lowered = name.lower().replace(" ", "_")
    if any(word in lowered for word in _FRACTION_WORDS) and -1 <= number <= 1:
        return f"{number:.2%}" if abs(number) >= 0.95 else f"{number:.1%}"
    if "seconds" in lowered:
        return f"{number:,.0f} s"
    if number.is_integer():
        return f"{number:,.0f}"
    return f"{number:.4g}"


def describe(row: dict, details: bool = True, only: Callable[[str], bool] | None = None) -> str:
    """A row of ``results/summary.json`` in words: ``"test accuracy 62.8% (epochs 6, ...)"``.

    Args:
        row: one notebook's entry (``metric``, ``value`` and ``details``).
        details: add the recorded details in brackets.
        only: keep only the details whose name passes this test.

    Details recorded as ``None`` (a figure the run could not measure), and a detail that repeats the
    metric under its own name, are left out.
    """
    if row.get("value") is None:
        return "-"
    text = f"{row['metric']} {format_figure(row['metric'], row['value'])}"
    shown = [
        f"{key.replace('_', ' ')} {format_figure(key, value)}"
        for key, value in (row.get("details") or {}).items()
        if value is not None and (only is None or only(key))
        and not (key.replace("_", " ") == row["metric"] and value == row["value"])  # the metric again
    ]
    if details and shown:
        text += f" ({'; '.join(shown)})"
    return text


def _is_accuracy(name: str) -> bool:
    return any(word in name.lower() for word in _FRACTION_WORDS)


# --------------------------------------------------------------------------- README tables

_BLOCK = "<!-- readme:{name} -->"
_END = "<!-- /readme:{name} -->"


def _number(notebook: str) -> str:
    return notebook[:2]


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _replace_block(text: str, name: str, rewrite: Callable[[str], str]) -> str:
    start, end = _BLOCK.format(name=name), _END.format(name=name)
    pattern = re.compile(re.escape(start) + r"\n(.*?)" + re.escape(end), re.S)
    match = pattern.search(text)
    if not match:
        raise ValueError(f"README.md has no {start} ... {end} block; put the markers back around the table")
    return text[: match.start()] + f"{start}\n{rewrite(match.group(1))}{end}" + text[match.end():]


def _rewrite_column(block: str, header_start: str, cell_for: Callable[[str], str | None]) -> str:
    """Replace, in every row of the markdown table in ``block``, the cell under the header that starts with ``header_start``."""
    lines = block.splitlines(keepends=True)
    column = None
    for i, line in enumerate(lines):
        cells = line.rstrip("\n").split("|")
        if column is None and line.startswith("|"):
            names = [cell.strip() for cell in cells]
            column = next((k for k, cell in enumerate(names) if cell.startswith(header_start)), None)
            if column is None:
                raise ValueError(f"the table has no column whose header starts with {header_start!r}")
            continue
        if column is None or not line.startswith("|") or set(line.strip()) <= set("|-: "):
            continue
        new = cell_for(cells[1].strip())
        if new is not None:
            cells[column] = f" {new} "
            lines[i] = "|".join(cells) + ("\n" if line.endswith("\n") else "")
    return "".join(lines)


def _rows_by_number(summary: dict, profile: str) -> dict[str, dict]:
    return {_number(row["notebook"]): row for row in summary.get("notebooks", []) if row.get("profile", summary.get("profile")) == profile}


def readme_results_table(summary: dict, profile: str = "quick", language: str = "en") -> str:
    """The README's results block: one sentence on the series' wall time, then one row per notebook.

    ``language="zh_CN"`` writes the sentence and the headers in Chinese (README.zh-CN.md); the figures keep their names.
    """
    rows = sorted(_rows_by_number(summary, profile).values(), key=lambda row: row["notebook"])
    series = summary.get("series") or {}
    chinese = language == "zh_CN"
    if series.get("profile") == profile and chinese:
        lines = [
            f"整个 {profile} 系列（中文版）用时 **{_duration(series['wall_seconds'])}**（笔记本内 {series['seconds_inside']:,.0f} 秒），"
            f"硬件：{series['hardware']}，日期：{series['date']}。\n"
        ]
    elif series.get("profile") == profile:
        lines = [
            f"The whole {profile} series took **{_duration(series['wall_seconds'])}** "
            f"({series['seconds_inside']:,.0f} s inside the notebooks) on {series['hardware']}, on {series['date']}.\n"
        ]
    elif chinese:
        lines = [f"整个 {profile} 系列尚未一次运行完毕；下面各行来自不同的运行。\n"]
    else:
        lines = [f"The whole {profile} series has not yet run in one go; the rows below come from separate runs.\n"]
    header = "| 笔记本 | 运行配置 | 硬件 | 主要数字 | 秒 | 运行日期 |\n" if chinese else "| notebook | profile | hardware | key figures | seconds | run on |\n"
    lines += ["\n", header, "|---|---|---|---|---|---|\n"]
    for row in rows:
        figure = describe(row) if row.get("status") == "ok" else f"FAILED: {row.get('status', '?')}"
        lines.append(f"| {row['notebook']} | {row.get('profile', profile)} | {row.get('hardware', summary.get('hardware', '?'))} "
                     f"| {figure} | {row.get('seconds', 0):,.0f} | {row.get('date', '?')} |\n")
    return "".join(lines)


def update_readme(readme: str, summary: dict, profile: str = "quick", language: str = "en") -> str:
    """``readme`` with its generated blocks rewritten from ``summary`` (the parsed ``results/summary.json``).

    Three blocks, each between ``<!-- readme:NAME -->`` and ``<!-- /readme:NAME -->``:

    - ``notebooks``: in the notebooks table, the column whose header starts with "result (quick";
    - ``results``: the whole block, a sentence on the series and a table of every recorded figure;
    - ``timings``: in the instructors' table, the column whose header starts with "seconds".

    Rows of notebooks that have no entry of this profile in the summary are left as they are. The Chinese
    README (``language="zh_CN"``) has the ``results`` block only, written in Chinese.
    """
    rows = _rows_by_number(summary, profile)

    def short(number: str) -> str | None:
        row = rows.get(number)
        if row is None:
            return None
        if row.get("status") != "ok":
            return "not run successfully yet"
        return describe(row, only=_is_accuracy)

    def seconds(number: str) -> str | None:
        row = rows.get(number)
        return None if row is None else f"{row.get('seconds', 0):,.0f}"

    def number_of(first_cell: str) -> str | None:
        return re.match(r"\d\d", first_cell) and first_cell[:2]  # "00" or "00 setup" -> "00"

    if language != "en":
        return _replace_block(readme, "results", lambda block: readme_results_table(summary, profile, language))
    text = _replace_block(readme, "notebooks", lambda block: _rewrite_column(block, "result (quick", lambda c: number_of(c) and short(number_of(c))))
    text = _replace_block(text, "results", lambda block: readme_results_table(summary, profile))
    return _replace_block(text, "timings", lambda block: _rewrite_column(block, "seconds", lambda c: number_of(c) and seconds(number_of(c))))
