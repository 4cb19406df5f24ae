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


def pytest_configure(config) -> None:  # noqa: ANN001 - pytest hook
    # The quick profile; the GPU workflow runs the notebooks in the full one with COURSE_TEST_PROFILE=full.
    os.environ["COURSE_PROFILE"] = os.environ.get("COURSE_TEST_PROFILE", "quick")
    os.environ.setdefault("MPLBACKEND", "Agg")
    from helpers.profile import quiet_tensorflow

    quiet_tensorflow()
    os.environ.pop("COURSE_RESULTS_FILE", None)
    if (SHARED / "keras_home" / "datasets").is_dir():
        os.environ["KERAS_HOME"] = str(link_farm(SHARED / "keras_home", TEST_KERAS_HOME))
        os.environ["COURSE_DATA_MIRROR"] = str((SHARED / "course_data").resolve())
