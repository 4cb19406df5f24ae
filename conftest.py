"""Test set-up shared by the unit tests and the notebooks (nbval).

Everything runs in the quick profile (``COURSE_TEST_PROFILE=full`` chooses the full one, as the
GPU workflow does) and offline: when a ``shared`` folder sits beside the checkout (``../shared``,
or ``COURSE_SHARED_DIR``), ``KERAS_HOME`` points at a writable link farm of its Keras cache and
``COURSE_DATA_MIRROR`` at its course mirror, so the course's own download code finds real data
there. Without it, the same code downloads from the public origins.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("COURSE_SHARED_DIR", REPO.parent / "shared"))
TEST_KERAS_HOME = REPO / ".cache" / "test-keras-home"


def link_farm(source: Path, target: Path) -> Path:
    """Mirror ``source/datasets/*`` and ``source/models/*`` into ``target`` as symlinks (Keras needs a writable home)."""
    for folder in ("datasets", "models"):
        (target / folder).mkdir(parents=True, exist_ok=True)
        if not (source / folder).is_dir():
            continue
        for item in sorted((source / folder).iterdir()):
            link = target / folder / item.name
            if not (link.is_symlink() and link.resolve() == item.resolve()):
                if link.is_symlink() or link.is_file():
                    link.unlink()
                link.symlink_to(item.resolve())
    if (source / "keras.json").is_file():
        shutil.copyfile(source / "keras.json", target / "keras.json")
    return target


def pytest_configure(config) -> None:
    # The quick profile; the GPU workflow runs the notebooks in the full one with COURSE_TEST_PROFILE=full.
    os.environ["COURSE_PROFILE"] = os.environ.get("COURSE_TEST_PROFILE", "quick")
    os.environ.setdefault("MPLBACKEND", "Agg")
    from helpers.profile import quiet_tensorflow

    quiet_tensorflow()
    os.environ.pop("COURSE_RESULTS_FILE", None)
    if (SHARED / "keras_home" / "datasets").is_dir():
        os.environ["KERAS_HOME"] = str(link_farm(SHARED / "keras_home", TEST_KERAS_HOME))
        os.environ["COURSE_DATA_MIRROR"] = str((SHARED / "course_data").resolve())


# --------------------------------------------------------------------------- the Chinese edition under nbval

#: ``full``: run every cell of the Chinese notebooks under nbval (``make test-zh``); by default CI runs a share of them.
CHINESE_NBVAL_ENV = "COURSE_ZH_NBVAL"
#: A Chinese notebook whose committed run took less than this many seconds runs whole in CI.
CHINESE_WHOLE_BELOW_S = 30.0
#: In the others, CI runs the cells before the first one that took this many seconds or more.
CHINESE_SLOW_CELL_S = 10.0


def _cell_seconds(cell) -> float:
    """How long the committed run spent in a code cell (nbclient's timing metadata), 0 when unknown."""
    from datetime import datetime

    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start, end = (datetime.fromisoformat(timing[key].replace("Z", "+00:00")) for key in ("iopub.execute_input", "shell.execute_reply"))
    except (KeyError, ValueError):
        return 0.0
    return (end - start).total_seconds()


def chinese_cells_to_skip(cells: list) -> int | None:
    """The index of the first cell CI skips in a Chinese notebook (every later cell is skipped too), or ``None``.

    The Chinese code cells are the English ones (one line apart), which CI runs in full: running them all twice
    would cost about 12 more minutes. So a Chinese notebook runs whole when its committed run took under
    ``CHINESE_WHOLE_BELOW_S`` (00: the banner, the data, a checked download and its exercises' Chinese feedback),
    and otherwise up to its first cell that took ``CHINESE_SLOW_CELL_S`` or more (the training), which covers the
    banner, the data and the models' shapes and parameter counts. Every exercise's Chinese feedback is checked
    by ``tests/test_chinese_edition.py`` without a notebook. (With 01 and 02 run whole too, CI took 24 minutes.)
    """
    seconds = [_cell_seconds(cell) if cell.get("cell_type") == "code" else 0.0 for cell in cells]
    if sum(seconds) < CHINESE_WHOLE_BELOW_S:
        return None
    return next((index for index, spent in enumerate(seconds) if spent >= CHINESE_SLOW_CELL_S), None)


def pytest_collection_modifyitems(config, items) -> None:
    if os.environ.get(CHINESE_NBVAL_ENV, "").lower() == "full":
        return
    import pytest

    cuts: dict[str, int | None] = {}
    for item in items:
        notebook = getattr(item.parent, "nb", None)
        if notebook is None or Path(str(item.fspath)).parent.name != "zh_CN" or not hasattr(item, "cell"):
            continue
        key = str(item.fspath)
        if key not in cuts:
            cuts[key] = chinese_cells_to_skip(notebook.cells)
        cut = cuts[key]
        index = next(i for i, cell in enumerate(notebook.cells) if cell is item.cell)
        if cut is not None and index >= cut:
            item.add_marker(pytest.mark.skip(reason=f"the Chinese edition's code from cell {cut} on is the English code, which "
                                                    f"CI runs; {CHINESE_NBVAL_ENV}=full runs it here too"))
