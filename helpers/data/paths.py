"""Where the course's files live, and how one is moved out of the way: the Keras cache, the mirrors, short paths.

:func:`cache_dir` finds the Keras cache as ``get_file`` does (``$KERAS_HOME``, ``~/.keras``, else
``/tmp/.keras``); :func:`parsed_mirrors` reads ``COURSE_DATA_MIRROR``; :func:`pretty_path` writes a
path without machine-specific prefixes for messages; :func:`move_without_overwriting` moves a bad file out of the
way, never overwriting nor deleting anything; :func:`lock_file` names the lock that guards a file
while it is fetched. The lowest module of :mod:`helpers.data` after the
registry; :mod:`helpers.data.download` re-exports all of it.

Introduced in ``00_setup.ipynb``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from helpers.data.registry import Archive

MIRROR_ENV = "COURSE_DATA_MIRROR"


# --------------------------------------------------------------------------- where things live
def cache_dir() -> Path:
    """The Keras cache folder (``$KERAS_HOME`` or ``~/.keras``), as ``get_file`` resolves it.

    Like Keras, fall back to ``/tmp/.keras`` when the folder cannot be written.
    """
    base = Path(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")))
    with contextlib.suppress(OSError):
        base.mkdir(parents=True, exist_ok=True)
    if not os.access(base, os.W_OK):
        base = Path("/tmp/.keras")
        base.mkdir(parents=True, exist_ok=True)
    return base


def datasets_dir() -> Path:
    """``<Keras cache>/datasets``, where archives and their unpacked folders live."""
    path = cache_dir() / "datasets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_path(archive: Archive) -> Path:
    """Where ``archive`` lives in the Keras cache: ``<Keras cache>/<cache_subdir>/<cache name>``."""
    folder = cache_dir() / archive.cache_subdir
    folder.mkdir(parents=True, exist_ok=True)
    return folder / archive.cache_name


def pretty_path(path: os.PathLike | str) -> str:
    """Show a path without machine-specific prefixes: ``$KERAS_HOME/...``, ``~/...`` or relative."""
    text = str(path)
    home_cache = str(cache_dir())
    if text.startswith(home_cache):
        label = "$KERAS_HOME" if "KERAS_HOME" in os.environ else "~/.keras"
        return label + text[len(home_cache):]
    home = os.path.expanduser("~")
    if text.startswith(home + os.sep):
        return "~" + text[len(home):]
    if os.path.isabs(text):
        relative = os.path.relpath(text)
        if not relative.startswith(os.path.join(os.pardir, os.pardir, os.pardir)):
            return relative
    return text


def shell_path(path: os.PathLike | str, pretty: bool = True) -> str:
    """A path as a printed command must spell it to be copied into a terminal: quoted when it has spaces or other special characters.

    ``shlex.quote`` on :func:`pretty_path`'s form (or the path as given, with ``pretty=False``), except
    that a leading ``~/`` or ``$KERAS_HOME/`` stays outside the quotes, where the shell still expands it:
    ``~/my photos`` -> ``~/'my photos'``; ``runs/a.keras`` stays as it is.
    """
    import shlex

    text = pretty_path(path) if pretty else str(path)
    for prefix in ("~/", "$KERAS_HOME/"):
        if text.startswith(prefix) and len(text) > len(prefix):
            return prefix + shlex.quote(text[len(prefix):])
    return shlex.quote(text)


def mirrors() -> list[str]:
    """The mirrors listed in ``COURSE_DATA_MIRROR`` (folders or http(s) URLs, ``;``-separated), as written."""
    raw = os.environ.get(MIRROR_ENV, "")
    return [item.strip() for item in raw.split(";") if item.strip()]


@dataclass(frozen=True)
class Mirror:
    """One entry of ``COURSE_DATA_MIRROR``, parsed: a ``folder`` (a path or ``file://``) or an http(s) base ``url``."""

    text: str
    folder: Path | None = None
    url: str | None = None


def parse_mirror(text: str) -> Mirror:
    """``"http://host:8000/"`` -> ``Mirror(url="http://host:8000")``; ``"file:///data"``, ``"~/data"`` -> ``Mirror(folder=...)``."""
    if text.startswith(("http://", "https://")):
        return Mirror(text, url=text.rstrip("/"))
    return Mirror(text, folder=Path(os.path.expanduser(text[7:] if text.startswith("file://") else text)))


def parsed_mirrors() -> list[Mirror]:
    """:func:`mirrors`, each parsed by :func:`parse_mirror` (the one place the entries are read)."""
    return [parse_mirror(text) for text in mirrors()]


# --------------------------------------------------------------------------- moving a file aside
def move_without_overwriting(path: Path, destination: Path | None = None) -> Path:
    """Move ``path`` (a file or folder) out of the way without overwriting or deleting anything; return where it went.

    The course's one way to set a bad file aside. Two namings, each kept as learners know it:

    - no ``destination``: beside itself as ``<name>.corrupt`` (then ``.corrupt-2``, ``.corrupt-3``...):
      a damaged download in the Keras cache or a damaged file in a packed mirror, kept for a look;
    - a ``destination`` (its folders are created): there, or ``<stem>-1<suffix>``, ``<stem>-2<suffix>``...
      when taken: quarantined files keep their extension, so they still open in a viewer.

    Raises:
        OSError: the move failed (a read-only folder); ``path`` is then where it was.
    """
    if destination is None:
        target, number = path.with_name(path.name + ".corrupt"), 1
        while target.exists() or target.is_symlink():
            number += 1
            target = path.with_name(f"{path.name}.corrupt-{number}")
        os.replace(path, target)
        return target
    target, number = destination, 0
    while target.exists() or target.is_symlink():
        number += 1
        target = destination.with_name(f"{destination.stem}-{number}{destination.suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(path, target)
    return target


def lock_file(path: Path) -> Path:
    """The file whose ``filelock.FileLock`` guards ``path`` while it is fetched or unpacked (in the cache's ``.locks`` folder).

    Two processes that need the same file at once (two notebooks open side by side, or the test suite's two
    workers) then fetch or unpack it one after the other instead of writing over each other: the second finds
    the first one's finished copy. The lock lives outside the data folders and goes with the process if it dies.
    """
    lock = cache_dir() / ".locks" / f"{path.parent.name}-{path.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    return lock
