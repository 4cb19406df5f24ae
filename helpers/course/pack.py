"""Pack a classroom mirror: every archive and weight file the course uses, checked, in one folder.

An instructor runs, once, on a machine that has the files or an internet connection::

    python -m helpers.course pack classroom-mirror         # the workshop set (see PROFILES)
    python -m http.server 8000 --directory classroom-mirror
    export COURSE_DATA_MIRROR=http://<your-ip>:8000         # on each learner's machine

Each file is taken from the first place that has a good copy: the folder itself (a file packed
before is checked, not copied again), the Keras cache, the mirrors in ``COURSE_DATA_MIRROR``, then
the public origin, each fetched as the course fetches every file
(:func:`helpers.data.fetch_file.download_file`: a copy, or Keras's ``get_file``). Every copy is
checked against the registry before it is moved into place, and laid out as
:func:`helpers.data.download.mirror_candidates` looks for it: ``<dataset>/<archive file name>``
and ``models/<weight file name>``, so the folder works as ``COURSE_DATA_MIRROR`` both as a path
and served over HTTP. ``index.json`` and ``index.html`` list every file (size,
sha256, what it is for, which notebooks use it) and every file that could not be had, with why.

Nothing is deleted: a damaged file found in the folder is moved aside to ``<name>.corrupt``; only
the ``.part`` files this module writes while copying are removed when a copy fails.

Introduced for instructors (README, "Classroom mirror"); not used inside the notebooks.
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from pathlib import Path

from helpers.course.pack_index import (
    DEFAULT_PROFILE,
    EARLIER_GENERATORS,
    GENERATOR,
    PackItem,
    PackResult,
    plan,
    write_index,
)
from helpers.data.download import file_digest, is_valid, mirror_candidates
from helpers.data.fetch_file import MIRROR_TIMEOUT_S, ORIGIN_TIMEOUT_S, download_file, error_reason
from helpers.data.paths import move_without_overwriting, parsed_mirrors, pretty_path
from helpers.data.registry import Archive
from helpers.errors import PackError
from helpers.files import temporary_beside


# --------------------------------------------------------------------------- getting one file
def _keras_cache_file(archive: Archive) -> Path:
    """Where the Keras cache keeps ``archive`` (without creating any folder, unlike ``cached_path``)."""
    home = Path(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")))
    return home / archive.cache_subdir / archive.cache_name


def _where(url: str) -> str:
    """A short name for a source: ``mirror folder <path>`` or the URL itself."""
    if not url.startswith("file://"):
        return url
    local = Path(urllib.request.url2pathname(url[7:]))
    for mirror in parsed_mirrors():
        if mirror.folder is not None and local.is_relative_to(mirror.folder.resolve()):
            return f"mirror folder {pretty_path(mirror.folder.resolve())}"
    return pretty_path(local)


def _sources(item: PackItem, target: Path, offline: bool) -> list[tuple[str, str]]:
    """``(url, description)`` of each place to copy ``item`` from, in order, without duplicates or ``target`` itself."""
    candidates = []
    cached = _keras_cache_file(item.archive)
    if cached.is_file():
        candidates.append((cached.resolve().as_uri(), "Keras cache"))
    urls, _ = mirror_candidates(item.info, item.archive)
    candidates += [(url, _where(url)) for url in urls]
    if not offline:
        candidates += [(url, url) for url in item.archive.origins]
    seen, unique = {target.resolve().as_uri()}, []
    for url, where in candidates:
        if url not in seen:
            seen.add(url)
            unique.append((url, where))
    return unique


def _other_variant(item: PackItem, path: Path) -> bool:
    """True when ``path`` is the dataset's other archive (the cache keeps full and mini flowers under one name)."""
    return any(a is not None and a is not item.archive and is_valid(path, a) for a in (item.info.full, item.info.mini))


def pack_item(item: PackItem, directory: Path, offline: bool = False, verbose: bool = True) -> PackResult:
    """Put a checked copy of ``item`` at ``directory/<item.relative>``; say where it came from or why it is missing."""
    target = directory / item.relative
    result = PackResult(item, "missing")
    if target.is_file():
        if is_valid(target, item.archive):
            result.status, result.source = "ok", "already packed"
        else:
            aside = move_without_overwriting(target)  # <name>.corrupt, .corrupt-2...: kept for a look, never deleted
            result.notes.append(f"{item.relative} was damaged (wrong checksum): moved it aside to {aside.name}.")
            if verbose:
                print(result.notes[-1], flush=True)
    tried = []
    staging = temporary_beside(target)  # a name no other process uses
    for url, where in _sources(item, target, offline) if result.status != "ok" else []:
        local = Path(urllib.request.url2pathname(url[7:])) if url.startswith("file://") else None
        if local is not None and not is_valid(local, item.archive):
            if not _other_variant(item, local):  # checked where it lies: a wrong copy is never copied
                tried.append(f"the copy in the {where} has the wrong checksum")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if verbose:
            size = f" ({item.archive.size / 1e6:,.0f} MB)" if item.archive.size else ""
            print(f"{'Copying' if local else 'Downloading'} {item.relative}{size} from {where}", flush=True)
        try:
            # a mirror that does not answer is dropped as quickly as fetch drops it; origins get longer
            timeout = ORIGIN_TIMEOUT_S if url in item.archive.origins else MIRROR_TIMEOUT_S
            download_file(url, staging, progress=verbose, timeout=timeout)
        except (OSError, ValueError) as error:
            staging.unlink(missing_ok=True)
            tried.append(f"{urllib.parse.urlsplit(url).hostname or where}: {error_reason(error)}")
            if verbose:
                print(f"  failed: {error_reason(error)}", flush=True)
            continue
        except BaseException:
            staging.unlink(missing_ok=True)
            raise
        if is_valid(staging, item.archive):
            os.replace(staging, target)
            result.status, result.source = "ok", where
            break
        staging.unlink(missing_ok=True)
        tried.append(f"the copy from {where} has the wrong checksum")
    if result.status == "ok":
        result.bytes, result.sha256 = target.stat().st_size, file_digest(target)
    else:
        result.reason = _missing_reason(item, tried, offline)
    return result


def _missing_reason(item: PackItem, tried: list[str], offline: bool) -> str:
    """One sentence: why ``item`` could not be packed."""
    hosts = ", ".join(dict.fromkeys(urllib.parse.urlsplit(url).hostname or url for url in item.archive.origins))
    failed = [entry for entry in tried if "wrong checksum" not in entry]
    wrong = "; ".join(entry for entry in tried if "wrong checksum" in entry)
    text = "Not in the Keras cache or a mirror" + (f" ({wrong})" if wrong else "")
    if not item.archive.origins:
        return text + ", and this course-only archive has no public origin: copy it from a course mirror."
    if offline:
        return text + f", and --offline kept the public origin ({hosts}) from being tried."
    return text + f", and the download failed ({'; '.join(failed) or hosts})."


# --------------------------------------------------------------------------- the whole folder
def _check_folder(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise PackError(f"{pretty_path(directory)} is a file, not a folder; give the folder to pack into.")
    for name in ("index.json", "index.html"):
        path = directory / name
        if path.is_file() and not any(
            writer in path.read_text(encoding="utf-8", errors="replace")[:2000] for writer in (GENERATOR, *EARLIER_GENERATORS)
        ):
            raise PackError(
                f"{pretty_path(path)} was not written by this command and would be replaced; "
                "pack into another folder, or move that file away first."
            )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PackError(f"Cannot create {pretty_path(directory)} ({error.strerror}); choose a folder you can write to.") from None
    if not os.access(directory, os.W_OK):
        raise PackError(f"{pretty_path(directory)} cannot be written to; choose a folder you can write to.")


def pack(
    directory: os.PathLike | str,
    profile: str = DEFAULT_PROFILE,
    only: list[str] | None = None,
    offline: bool = False,
    verbose: bool = True,
) -> list[PackResult]:
    """Pack every file of ``profile`` into ``directory``, write ``index.json`` and ``index.html``, return the results.

    Args:
        directory: the mirror folder (created if needed); files already in it are checked, not copied again.
        profile: ``"quick"``, ``"workshop"`` (default), ``"full"`` or ``"all"``; see :data:`PROFILES`.
        only: keep only these datasets and bases.
        offline: never download from the public origins (the Keras cache and mirrors only).
        verbose: print each copy and download.
    """
    folder = Path(directory)
    _check_folder(folder)
    items = plan(profile, only)
    results = [pack_item(item, folder, offline=offline, verbose=verbose) for item in items]
    # The index describes the whole folder: also the good files an earlier run packed (another profile, --only).
    planned = {item.relative for item in items}
    earlier = [
        PackResult(item, "ok", "packed earlier", bytes=(folder / item.relative).stat().st_size, sha256=file_digest(folder / item.relative))
        for item in plan("all")
        if item.relative not in planned and (folder / item.relative).is_file() and is_valid(folder / item.relative, item.archive)
    ]
    for result in earlier:
        result.item.required = False
    order = {item.relative: number for number, item in enumerate(plan("all"))}
    write_index(folder, sorted(results + earlier, key=lambda result: order[result.item.relative]), profile)
    return results
