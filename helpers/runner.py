"""Run the whole series: execute every notebook in the chosen profile and print a results table.

This is what ``make run`` calls::

    python -m helpers.runner                 # every notebook, profile from COURSE_PROFILE or auto
    python -m helpers.runner --only 02 03    # notebooks whose names start with these prefixes
    python -m helpers.runner --inplace       # also save the executed notebooks (maintainers)

Each notebook runs in a fresh kernel from the ``notebooks/`` folder. Its key figure comes from
:func:`helpers.results.record`; the table and a machine-readable ``results/summary.json`` are
written at the end. The exit status is 1 if any notebook failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.results import RESULTS_ENV

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


@dataclass
class NotebookResult:
    """One row of the results table."""

    notebook: str
    status: str
    metric: str = ""
    value: float | None = None
    seconds: float = 0.0


# TensorFlow's C++ start-up lines (absl pre-init notices, CUDA probes): noise in saved notebooks.
_STARTUP_NOISE = re.compile(r"^(WARNING: All log messages before absl|[IWE]0000 |To enable the following instructions)")


def _drop_startup_noise(notebook) -> None:  # noqa: ANN001 - an nbformat NotebookNode
    """Remove stderr outputs made only of TensorFlow start-up lines (kept when anything else is in them)."""
    for cell in notebook.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = [line for line in output["text"].splitlines() if line.strip()]
                if lines and all(_STARTUP_NOISE.match(line) for line in lines):
                    continue
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept


def run_notebook(path: Path, timeout: int = 1800, inplace: bool = False) -> NotebookResult:
    """Execute one notebook in a fresh kernel and return its row of the results table."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with tempfile.TemporaryDirectory() as scratch:
        results_file = Path(scratch) / "result.json"
        os.environ[RESULTS_ENV] = str(results_file)
        start = time.perf_counter()
        try:
            client.execute()
            status = "ok"
        except CellTimeoutError:
            status = f"failed: a cell ran longer than {timeout} s"
        except CellExecutionError as error:
            status = "failed: " + (f"{error.ename}: {error.evalue}".splitlines() or ["error"])[0]
        finally:
            os.environ.pop(RESULTS_ENV, None)
        seconds = time.perf_counter() - start
        row = NotebookResult(path.stem, status, seconds=round(seconds, 1))
        if results_file.is_file():
            figures = json.loads(results_file.read_text())
            row.metric, row.value = figures["metric"], figures["value"]
    if inplace and status == "ok":
        _drop_startup_noise(notebook)
        nbformat.write(notebook, path)
    return row


def format_table(rows: list[NotebookResult]) -> str:
    """The results table as aligned text."""
    table = [("notebook", "status", "key metric", "seconds")]
    for row in rows:
        status = row.status if len(row.status) <= 60 else row.status[:57] + "..."
        metric = "-"
        if row.value is not None:
            shown = f"{row.value:,.0f}" if float(row.value).is_integer() else f"{row.value:.4f}"
            metric = f"{row.metric} = {shown}"
        table.append((row.notebook, status, metric, f"{row.seconds:.0f}"))
    table.append(("total", "", "", f"{sum(row.seconds for row in rows):.0f}"))
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.insert(len(lines) - 1, lines[1])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Execute the course notebooks and print a results table.")
    parser.add_argument("--only", nargs="*", default=[], help="run notebooks whose names start with these")
    parser.add_argument("--inplace", action="store_true", help="write the executed notebooks back")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--summary", type=Path, default=REPO / "results" / "summary.json")
    args = parser.parse_args(argv)

    from helpers.profile import current_profile, hardware_summary

    profile, reason = current_profile()
    os.environ["COURSE_PROFILE"] = profile
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    paths = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if not args.only or p.name.startswith(tuple(args.only)))
    print(f"Running {len(paths)} notebooks, profile {profile} ({reason}); {hardware_summary()}", flush=True)
    rows = []
    for path in paths:
        print(f"  {path.name} ...", end=" ", flush=True)
        row = run_notebook(path, timeout=args.timeout, inplace=args.inplace)
        print(f"{row.status} ({row.seconds:.0f} s)", flush=True)
        rows.append(row)
    print()
    print(format_table(rows))
    for row in rows:
        if row.status != "ok":
            print(f"\n{row.notebook}: {row.status}")
    args.summary.parent.mkdir(parents=True, exist_ok=True)
    args.summary.write_text(json.dumps(
        {"profile": profile, "hardware": hardware_summary(), "notebooks": [asdict(row) for row in rows]}, indent=1
    ))
    return 0 if all(row.status == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
