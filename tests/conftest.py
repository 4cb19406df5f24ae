"""Fixtures for the unit tests: an isolated Keras cache and a mirror made of the real mini archives."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path
from typing import Callable, ContextManager, Iterator

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
def serve() -> Callable[[Path], ContextManager[str]]:
    """``with serve(folder) as address:`` runs ``python -m http.server`` on a free port of 127.0.0.1, in a thread."""
    return _serve
