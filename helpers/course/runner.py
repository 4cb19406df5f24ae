"""Run the whole series: execute every notebook in the chosen profile and print a results table.

This is what ``make run`` calls::

    python -m helpers.course.runner                        # every notebook, profile from COURSE_PROFILE or auto
    python -m helpers.course.runner --only 02 03           # notebooks whose names start with these prefixes
    python -m helpers.course.runner --inplace              # also save the executed notebooks (maintainers)
    python -m helpers.course.runner --learner --inplace    # ... with a learner's settings: no mirror (make outputs)
    python -m helpers.course.runner --readme               # only rewrite README.md's tables from notebooks/outputs_summary.json
    COURSE_LANGUAGE=zh_CN python -m helpers.course.runner  # the Chinese edition, notebooks/zh_CN/ (README.zh-CN.md with --readme)

Each notebook runs in a fresh kernel from the ``notebooks/`` folder. Its key figures come from
:func:`helpers.course.results.record`; the table and a machine-readable ``results/summary.json`` are
written at the end, with every recorded detail. A run that saves the notebooks (``--inplace``) writes
``notebooks/outputs_summary.json`` instead: the committed record of the run behind the committed outputs,
from which the README's tables are written. A learner's ``make run`` therefore never disagrees with the
README it did not write. A run of some notebooks (``--only``) replaces their rows in the summary and
keeps the others; each row carries the start time of its run (``run``). The exit status is 1 if any
notebook failed.

``COURSE_LANGUAGE`` chooses the edition: English by default, ``zh_CN`` the Chinese notebooks in
``notebooks/zh_CN/`` with their own records (``notebooks/zh_CN/outputs_summary.json``,
``results/summary.zh_CN.json``) and README (``README.zh-CN.md``, its results block only).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.course import smoke
from helpers.course.results import RESULTS_ENV, describe, update_readme
from helpers.tables import text_table

if TYPE_CHECKING:
    from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
#: A learner's own record of ``make run``: never committed, never compared with the README.
RUN_SUMMARY = REPO / "results" / "summary.json"
#: The record of the run whose outputs are committed (``make outputs``): the README's tables come from it.
OUTPUTS_SUMMARY = NOTEBOOKS / "outputs_summary.json"


@dataclass
class NotebookResult:
    """One row of the results table; ``details`` holds everything else the notebook recorded."""

    notebook: str
    status: str
    metric: str = ""
    value: float | None = None
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    profile: str = ""
    hardware: str = ""
    date: str = ""
    run: str = ""  # when the runner that produced this row started (UTC): rows of one run share it
    speed_ups: str = ""  # what the banner said training used, e.g. "mixed precision on, XLA on"


def banner_speed_ups(notebook: Any) -> str:
    """What an executed notebook's banner says about mixed precision and XLA (its ``Speed-ups:`` line), or ``""``.

    The Chinese banner's line (``加速    ：混合精度开启，XLA 开启（...）``) is read too, and kept as it is written.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for line in str(output.get("text", "")).splitlines():
                if line.startswith("Speed-ups: "):
                    return line.removeprefix("Speed-ups: ").split(" (")[0]
                if line.startswith("加速") and "：" in line:
                    return line.split("：", 1)[1].split("（")[0]
    return ""


def speed_ups_not_on(speed_ups: str) -> str:
    """Why a run with ``COURSE_SPEEDUPS=on`` (``make smoke``) fails although its cells passed, or ``""``.

    ``speed_ups`` is what the notebook's banner said (:func:`banner_speed_ups`): both must read "on", or the
    GPU code path the smoke run is for was not taken.
    """
    if os.environ.get("COURSE_SPEEDUPS", "").strip().lower() != "on":
        return ""
    if speed_ups and not any(word in speed_ups for word in ("off", "关闭")):
        return ""
    said = f"'Speed-ups: {speed_ups}'" if speed_ups else "no Speed-ups line"
    return f"failed: COURSE_SPEEDUPS=on, but the banner printed {said}; every notebook must call show_profile first"


#: Environment variables a learner does not have: the test set-up's mirror and Keras cache.
MACHINE_SETTINGS = ("COURSE_DATA_MIRROR", "KERAS_HOME")


# TensorFlow's C++ start-up lines (absl pre-init notices, CUDA probes): noise in saved notebooks.
_STARTUP_NOISE = re.compile(r"^(WARNING: All log messages before absl|[IWE]0000 |To enable the following instructions)")


def _drop_startup_noise(notebook) -> None:
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


#: Run in a notebook's kernel before its first cell during a smoke run: the one place the caps are installed.
SMOKE_SETUP = "from helpers.course import smoke as _smoke\n_smoke.install()\ndel _smoke"


def smoke_setup_hook(client: NotebookClient) -> Callable[..., Awaitable[None]]:
    """An ``on_cell_start`` hook for ``client``: runs :data:`SMOKE_SETUP` in its kernel once, before the first cell.

    The code runs outside the notebook (no cell, no output, no execution count), so a notebook saved
    with ``--inplace`` never holds it. If it fails, the notebook fails with its error, before any cell runs.
    """
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    done = False

    async def install(cell: Any, cell_index: int) -> None:
        nonlocal done
        if done:
            return
        done = True
        try:
            reply = await client.kc.execute_interactive(
                SMOKE_SETUP, store_history=False, timeout=client.timeout, output_hook=lambda message: None
            )
        except TimeoutError:
            raise CellTimeoutError("the smoke caps were not installed in time") from None
        content = reply["content"]
        if content["status"] != "ok":
            raise CellExecutionError("\n".join(content.get("traceback", [])), content.get("ename", "Error"), content.get("evalue", ""))

    return install


def run_notebook(path: Path, timeout: int = 1800, inplace: bool = False) -> NotebookResult:
    """Execute one notebook in a fresh kernel and return its row of the results table.

    With ``COURSE_SMOKE`` set (``make smoke``), the smoke caps are installed in the kernel first
    (:func:`smoke_setup_hook`).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    if smoke.enabled():
        client.on_cell_start = smoke_setup_hook(client)
        os.environ["XLA_FLAGS"] = smoke.xla_flags(os.environ.get("XLA_FLAGS", ""))  # read by the kernel's XLA at start
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
        row = NotebookResult(
            path.stem, status, seconds=round(seconds, 1), profile=os.environ.get("COURSE_PROFILE", ""),
            date=datetime.now(UTC).strftime("%Y-%m-%d"), speed_ups=banner_speed_ups(notebook),
        )
        missing = speed_ups_not_on(row.speed_ups)
        if status == "ok" and missing:
            row.status = missing
        if results_file.is_file():
            figures = json.loads(results_file.read_text())
            row.metric, row.value = figures.pop("metric"), figures.pop("value")
            row.details = figures
    if inplace and status == "ok":
        _drop_startup_noise(notebook)
        nbformat.write(notebook, path)
    return row


def format_table(rows: list[NotebookResult]) -> str:
    """The results table as aligned text: status, key metric and seconds, then the details of each row."""
    table = []
    for row in rows:
        status = row.status if len(row.status) <= 60 else row.status[:57] + "..."
        metric = "-"
        if row.value is not None:
            shown = f"{row.value:,.0f}" if float(row.value).is_integer() else f"{row.value:.4f}"
            metric = f"{row.metric} = {shown}"
        table.append((row.notebook, status, metric, f"{row.seconds:.0f}"))
    total = ("total", "", "", f"{sum(row.seconds for row in rows):.0f}")
    lines = [text_table(table, ("notebook", "status", "key metric", "seconds"), rule="columns", footer=[total])]
    described = [(row.notebook, describe(asdict(row))) for row in rows if row.details]
    if described:
        lines += ["", "Recorded details (all kept in the summary):"]
        lines += [f"  {notebook}: {text}" for notebook, text in described]
    return "\n".join(lines)


def merge_summary(previous: dict | None, rows: list[NotebookResult], existing: list[str], series: dict | None) -> dict:
    """The new ``results/summary.json``: ``rows`` replace the previous rows of the same notebooks.

    Rows of notebooks that did not run this time are kept (each row carries its own profile, hardware
    and date); rows of notebooks that no longer exist are dropped. ``series`` (the wall time of a
    run of every notebook) replaces the previous one; ``None`` keeps it.
    """
    previous = previous or {}
    kept = {row["notebook"]: row for row in previous.get("notebooks", []) if row.get("notebook") in existing}
    kept.update({row.notebook: asdict(row) for row in rows})
    last = rows[-1] if rows else None
    return {
        "profile": last.profile if last else previous.get("profile"),
        "hardware": last.hardware if last else previous.get("hardware"),
        "series": series if series is not None else previous.get("series"),
        "notebooks": [kept[name] for name in sorted(kept)],
    }


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def edition_paths(language: str) -> tuple[Path, Path, Path, Path]:
    """The notebook folder, the outputs record, the run record and the README of an edition (``en`` or ``zh_CN``)."""
    if language == "en":
        return NOTEBOOKS, OUTPUTS_SUMMARY, RUN_SUMMARY, REPO / "README.md"
    folder = NOTEBOOKS / language
    return folder, folder / OUTPUTS_SUMMARY.name, RUN_SUMMARY.with_name(f"summary.{language}.json"), REPO / f"README.{language.replace('_', '-')}.md"


def write_readme(summary_path: Path, readme_path: Path, language: str = "en") -> int:
    """Rewrite the README's generated tables from the summary; return the exit status."""
    summary = _read_json(summary_path)
    if summary is None:
        print(f"No readable {summary_path.name} yet: run `make outputs` first (it executes the notebooks in place and writes it).")
        return 1
    try:
        text = update_readme(readme_path.read_text(), summary, language=language)
    except ValueError as error:
        print(f"README not updated: {error}.")
        return 1
    readme_path.write_text(text)
    print(f"Updated the results tables of {readme_path.name} from {summary_path.name}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Execute the course notebooks and print a results table.")
    parser.add_argument("--only", nargs="*", default=[], help="run notebooks whose names start with these")
    parser.add_argument("--inplace", action="store_true", help="write the executed notebooks back")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--summary", type=Path, default=None,
                        help="where to keep the figures (default: results/summary.json; notebooks/outputs_summary.json "
                             "with --inplace or --readme, the record of the committed outputs)")
    parser.add_argument("--learner", action="store_true",
                        help="run with a learner's settings: no COURSE_DATA_MIRROR, the default Keras cache (for committed outputs)")
    parser.add_argument("--readme", nargs="?", type=Path, const=Path(), default=None, metavar="README",
                        help="do not run anything: rewrite the README's generated tables from the summary "
                             "(README.md, or README.zh-CN.md with COURSE_LANGUAGE=zh_CN)")
    args = parser.parse_args(argv)
    from helpers.language import current_language

    language = current_language()
    folder, outputs_summary, run_summary, readme = edition_paths(language)
    if args.summary is None:
        args.summary = outputs_summary if (args.inplace or args.readme is not None) else run_summary
    if args.readme is not None:
        return write_readme(args.summary, args.readme if args.readme != Path() else readme, language)

    from helpers.profile import current_profile, hardware_summary, quiet_tensorflow

    if args.learner:
        for name in MACHINE_SETTINGS:
            os.environ.pop(name, None)
    profile, reason = current_profile()
    if not (args.learner and "COURSE_PROFILE" not in os.environ):
        os.environ["COURSE_PROFILE"] = profile  # a learner's notebooks choose the same profile by themselves
    quiet_tensorflow()  # its TF_CPP_MIN_LOG_LEVEL reaches every notebook's kernel
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    existing = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    paths = [p for p in existing if not args.only or p.name.startswith(tuple(args.only))]
    hardware = hardware_summary()
    edition = "" if language == "en" else f" of the {language} edition ({folder.relative_to(NOTEBOOKS.parent)})"
    print(f"Running {len(paths)} notebooks{edition}, profile {profile} ({reason}); {hardware}", flush=True)
    rows = []
    start = time.perf_counter()
    run_id = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for path in paths:
        print(f"  {path.name} ...", end=" ", flush=True)
        row = run_notebook(path, timeout=args.timeout, inplace=args.inplace)
        row.profile, row.hardware, row.run = profile, hardware, run_id
        print(f"{row.status} ({row.seconds:.0f} s)" + (f"; speed-ups: {row.speed_ups}" if row.speed_ups else ""), flush=True)
        rows.append(row)
    wall = time.perf_counter() - start
    print()
    print(format_table(rows))
    for row in rows:
        if row.status != "ok":
            print(f"\n{row.notebook}: {row.status}")
    series = None
    if paths and paths == existing and all(row.status == "ok" for row in rows):
        series = {
            "profile": profile, "hardware": hardware, "notebooks": len(rows), "wall_seconds": round(wall, 1),
            "seconds_inside": round(sum(row.seconds for row in rows), 1), "date": rows[-1].date, "run": run_id,
        }
    args.summary.parent.mkdir(parents=True, exist_ok=True)
    summary = merge_summary(_read_json(args.summary), rows, [p.stem for p in existing], series)
    args.summary.write_text(json.dumps(summary, indent=1))
    return 0 if all(row.status == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
