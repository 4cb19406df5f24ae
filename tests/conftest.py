"""Fixtures for the unit tests: an isolated Keras cache, a mirror made of the real mini archives, real datasets.

Tests never download a dataset from its public origin: one that is neither in the Keras cache nor in a
mirror (``COURSE_DATA_MIRROR``, set by ``make test`` when ``../shared`` is beside the checkout) is
skipped, with the reason (:func:`real_dataset`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("COURSE_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
COURSE_DATA = SHARED / "course_data"


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty KERAS_HOME and no mirror."""
    home = tmp_path / "keras_home"
    home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    return home


@pytest.fixture
def course_mirror() -> Path:
    """The real course mirror (mini CIFAR-10 and Caltech-101 archives)."""
    if not (COURSE_DATA / "caltech101" / "caltech-101-mini.tar.gz").is_file():
        pytest.skip("the shared course mirror is not beside this checkout")
    return COURSE_DATA


def _here_or_skip(name: str, variant: str = "auto") -> None:
    """Skip the calling test unless ``fetch(name, variant)`` would find its archive without the public origin."""
    from helpers.course.smoke_bases import on_this_machine
    from helpers.data import download, paths
    from helpers.data.registry import get_dataset

    info = get_dataset(name)
    archive = info.archive(download.choose_variant(name, variant))
    urls, _ = download.mirror_candidates(info, archive)
    if not (on_this_machine(info, archive) or any(url.startswith(("http://", "https://")) for url in urls)):
        size = f"{archive.size / 1e6:,.0f} MB" if archive.size else "size unknown"
        pytest.skip(f"{archive.filename} ({size}) is not in the Keras cache nor a mirror, and tests never download it: "
                    f"set {paths.MIRROR_ENV} (make test does, with ../shared beside the checkout)")


@pytest.fixture(scope="session")
def real_dataset() -> Callable[..., Path]:
    """``real_dataset("cats_and_dogs")``: ``download.fetch``'s folder (or file), or a skip when it would be downloaded."""

    def fetch(name: str, variant: str = "auto") -> Path:
        from helpers.data.download import fetch as fetch_data

        _here_or_skip(name, variant)
        return fetch_data(name, variant, verbose=False)

    return fetch


@pytest.fixture(scope="session")
def dataset_here() -> Callable[..., None]:
    """``dataset_here("mnist")``: skip unless the dataset's archive can be had without downloading it (see :func:`real_dataset`)."""
    return _here_or_skip


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def serve() -> Callable[[Path], contextlib.AbstractContextManager[str]]:
    """``with serve(folder) as address:`` runs ``python -m http.server`` on a free port of 127.0.0.1, in a thread."""
    return _serve


@pytest.fixture(autouse=True)
def _runs_of_its_own(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's default training run folders (``helpers.train``: ``COURSE_RUNS_DIR``) in a folder of its own.

    A training run keeps its state in a folder that the same call finds again: without this, a test
    interrupted on purpose would leave a run that an identical call in another test resumes.
    """
    monkeypatch.setenv("COURSE_RUNS_DIR", str(tmp_path_factory.mktemp("runs")))
