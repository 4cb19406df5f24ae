"""Atomic writes: the course's one way to put a file in place so that nobody ever reads half of it.

A file is written to a temporary name in its own folder and moved onto its real name with :func:`os.replace`,
which is atomic on one file system: a run killed meanwhile leaves the old file whole, and a reader sees the
old file or the new one, never a mix. The temporary name carries the process id and a random part, so two
processes (two notebooks, two scans of one folder, the packing command beside a notebook) writing the same
file never write into each other's temporary file; the last one to finish wins, whole.

- :func:`write_atomically`: text or bytes;
- :func:`write_json_atomically`: a value as JSON;
- :func:`replacing`: a block that writes the temporary path itself (``model.save``, ``image.save``...);
- :func:`temporary_beside`: the temporary name alone, for a caller that decides after writing whether the file
  goes in place at all (a download that is moved in only once its checksum matches).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def temporary_beside(path: os.PathLike | str, suffix: str = ".part") -> Path:
    """A fresh, unused name for a temporary file in ``path``'s folder: ``.<name>.<pid>.<random><suffix>``.

    Nothing is created. The name is hidden (a leading dot), unique to this process and this call, and ends in
    ``suffix`` (``".partial.keras"`` where a writer needs the real extension).
    """
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}{suffix}")


@contextlib.contextmanager
def replacing(path: os.PathLike | str, suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (:func:`temporary_beside`); when the block ends, move it onto ``path``.

    If the block raises, ``path`` is left as it was and the temporary file is removed; the error goes on. The
    folder must exist.

    Example::

        with replacing(target, suffix=".png") as partial:
            image.save(partial, "PNG")
    """
    temporary = temporary_beside(path, suffix)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def write_atomically(path: os.PathLike | str, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` (text in ``encoding``, or bytes) to ``path`` atomically, flushed to disk; return the path.

    Raises:
        OSError: the folder is missing or cannot be written, or the disk is full; ``path`` is then as it was.
    """
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    with replacing(path) as temporary, open(temporary, "wb") as handle:
        handle.write(raw)
        handle.flush()
        with contextlib.suppress(OSError):  # some file systems cannot sync; the rename is still atomic
            os.fsync(handle.fileno())
    return path


def write_json_atomically(path: os.PathLike | str, value: Any, **dumps_options: Any) -> Path:
    """Write ``value`` as JSON (``json.dumps(value, **dumps_options)`` and a newline) to ``path`` atomically."""
    return write_atomically(path, json.dumps(value, **dumps_options) + "\n")
