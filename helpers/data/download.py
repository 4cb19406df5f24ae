"""Fetching dataset archives into the Keras cache: mirror first, then origin, always checked.

The flow for one archive:

1. If ``$KERAS_HOME/datasets/<cache name>`` exists and its checksum is right, use it.
2. Otherwise try each source in turn: every mirror in ``COURSE_DATA_MIRROR`` (a folder or an
   ``http(s)://`` base URL; several may be given, separated by ``;``), then the public origins.
   Each download goes through :func:`keras.utils.get_file` (with its progress bar) into a
   ``.part`` file that is only moved into place once its checksum matches, so a download that
   died half-way is never used. A checksum mismatch is fetched once more, then reported with
   what came instead (HTTP status, size, content type: an HTML page is not an archive). A mirror
   that does not answer within :data:`MIRROR_TIMEOUT_S` seconds is dropped, and not asked again
   for :data:`UNANSWERED_MEMORY_S` seconds (``get_file`` has no timeout of its own: the course
   sets the socket's).
3. Unpack with ``get_file(..., extract=True)`` into the Keras 3 ``*_extracted`` layout, once: a
   marker file remembers which archive was unpacked, so later calls return at once.

Introduced in ``00_setup.ipynb``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tarfile
import time
import urllib.parse
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from helpers.data.paths import (  # noqa: F401 - where things live; importable from here too, as before
    MIRROR_ENV, Mirror, cache_dir, cached_path, datasets_dir, parse_mirror, parsed_mirrors, pretty_path, mirrors, move_aside,
    locked,
)
from helpers.data.registry import IMAGE_SUFFIXES, Archive, DatasetInfo, count_image_names, get_dataset  # noqa: F401
from helpers.errors import ChecksumError, DatasetUnavailableError, SettingError

_MARKER = ".course-extracted"
_hash_memo: dict[tuple[str, int, int], str] = {}

#: Seconds a mirror may stay silent (to connect, or between two blocks of data) before it is dropped.
MIRROR_TIMEOUT_S = 10.0
#: The same for a public origin, which is farther away and serves larger files.
ORIGIN_TIMEOUT_S = 60.0
#: Seconds a host that did not answer is skipped for, so that one dead mirror costs one timeout, not one per file.
UNANSWERED_MEMORY_S = 300.0
_unanswered: dict[str, tuple[float, str]] = {}  # host -> (when, why)


# --------------------------------------------------------------------------- checking files
def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file (memoised per path, size and modification time)."""
    stat = path.stat()
    key = (f"{os.path.realpath(path)}:{algorithm}", stat.st_size, stat.st_mtime_ns)
    if key not in _hash_memo:
        hasher = hashlib.new(algorithm)
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(chunk)
        _hash_memo[key] = hasher.hexdigest()
    return _hash_memo[key]


def _count_images(path: Path) -> int:
    """Number of image files inside a zip or tar archive (0 if it cannot be read)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                names = archive.getnames()
        else:
            return 0
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError):
        return 0
    return count_image_names(names)


def is_valid(path: Path, archive: Archive) -> bool:
    """True when ``path`` is this archive: a known digest, or (see ``content_check``) its image count.

    A file whose publisher states no digest (``hashes`` empty) is accepted at its exact ``size``.
    """
    if not path.is_file():
        return False
    if not archive.hashes:  # no digest published (MobileNetV2's weight files): the exact size must match
        return archive.size is not None and path.stat().st_size == archive.size
    for expected in archive.hashes:
        algorithm = "sha256" if len(expected) == 64 else "md5"
        if file_digest(path, algorithm) == expected.lower():
            return True
    return archive.content_check and _count_images(path) == archive.images


# --------------------------------------------------------------------------- sources
def mirror_candidates(info: DatasetInfo, archive: Archive) -> tuple[list[str], list[str]]:
    """URLs to try in the mirrors, and notes on mirrors that cannot have the file."""
    urls, notes = [], []
    for mirror in parsed_mirrors():
        if mirror.url is not None:
            urls.append(f"{mirror.url}/{info.name}/{archive.filename}")
            continue
        folder = mirror.folder
        if not folder.is_dir():
            notes.append(f"mirror folder {pretty_path(folder)} does not exist")
            continue
        options = [
            folder / info.name / archive.filename,
            folder / archive.filename,
            folder / archive.cache_subdir / archive.cache_name,
            folder / archive.cache_name,
        ]
        found = [option for option in dict.fromkeys(options) if option.is_file()]
        if found:
            urls.extend(option.resolve().as_uri() for option in found)
        else:
            notes.append(f"mirror folder {pretty_path(folder)} has no {info.name}/{archive.filename}")
    return urls, notes


def _describe(url: str) -> str:
    if url.startswith("file://"):
        return pretty_path(urllib.request.url2pathname(url[7:]))
    return url


def error_reason(error: BaseException) -> str:
    """The useful part of a copy or download error, in one line: ``Connection refused``, ``HTTP Error 404: Not Found``.

    Used for every source the course tries (:func:`fetch_archive`, :mod:`helpers.data.pack`).
    """
    import urllib.error

    body = ""
    if isinstance(error, urllib.error.HTTPError) and error.headers is not None:  # what the error page was: size and type
        length, kind = error.headers.get("Content-Length"), (error.headers.get("Content-Type") or "").split(";")[0].strip()
        if length or kind:
            body = f" (the answer: {f'{int(length):,} bytes' if length and length.isdigit() else 'a page'}{f' of {kind}' if kind else ''})"
    reason = getattr(error, "reason", None)
    if isinstance(reason, OSError):  # urllib's URLError wraps the socket's error
        error = reason
    text = (error.strerror if isinstance(error, OSError) and error.strerror else str(error)).strip()
    if text.startswith("URL fetch failure on ") and " -- " in text:  # get_file's own wording
        text = text.split(" -- ")[-1]
    return (text.splitlines()[0][:160] + body) if text else type(error).__name__


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def _remember_unanswered(url: str, reason: str) -> None:
    _unanswered[_host(url)] = (time.monotonic(), reason)


def recently_unanswered(url: str) -> str | None:
    """Why ``url``'s host was dropped less than :data:`UNANSWERED_MEMORY_S` seconds ago, or ``None``."""
    when, reason = _unanswered.get(_host(url), (None, None))
    if when is None or time.monotonic() - when > UNANSWERED_MEMORY_S:
        return None
    return reason


def _timed_out(error: BaseException) -> bool:
    reason = getattr(error, "reason", None)
    return isinstance(error, (TimeoutError, socket.timeout)) or isinstance(reason, (TimeoutError, socket.timeout))


#: The first bytes of the kinds of file a server sends, for describing a wrong answer.
_MAGIC = ((b"\x1f\x8b", "gzip data"), (b"PK\x03\x04", "a zip archive"), (b"\x89HDF", "an HDF5 file"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"%PDF", "a PDF document"))


def sniff(path: Path) -> str:
    """What a file holds, in a few words, from its first bytes: ``"an HTML page"``, ``"gzip data"``, ``"text"``, ``"empty"``."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return "empty"
    start = head.lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in start[:512]:
        return "an HTML page"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if len(head) > 262 and head[257:262] == b"ustar":
        return "a tar archive"
    if start.startswith((b"{", b"[")):
        return "JSON text"
    try:
        head.decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "binary data"


class Answer:
    """What a server said to one download: HTTP ``status``, ``content_type`` and ``length`` headers (``None`` where unknown)."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.content_type: str | None = None
        self.length: int | None = None

    def describe(self, path: Path, archive: Archive | None = None) -> str:
        """``HTTP 200, 1,234 bytes of text/html (an HTML page), expected 12,345,678 bytes``: what came, before any checksum verdict."""
        size = path.stat().st_size if path.is_file() else 0
        parts = [f"HTTP {self.status}"] if self.status is not None else []
        kind = sniff(path) if path.is_file() else "nothing"
        declared = (self.content_type or "").split(";")[0].strip()
        parts.append(f"{size:,} bytes" + (f" of {declared}" if declared else "") + f" ({kind})")
        if self.length is not None and self.length != size:
            parts.append(f"cut short: the server announced {self.length:,}")
        if archive is not None and archive.size:
            parts.append(f"expected {archive.size:,} bytes" + ("" if size != archive.size else ", the right size"))
        return ", ".join(parts)


def looks_wrong(path: Path, archive: Archive) -> bool:
    """True when a fetched file is plainly not the archive (an HTML page, text, empty, or a size the registry rules out)."""
    if not path.is_file():
        return True
    if sniff(path) in ("empty", "an HTML page", "text", "JSON text"):
        return True
    return archive.size is not None and path.stat().st_size != archive.size


@contextmanager
def _recording(answer: Answer) -> Iterator[None]:
    """While the block runs, every ``urlopen`` (so ``get_file``'s ``urlretrieve``) notes its response's status and headers in ``answer``."""

    class Recorder(urllib.request.BaseHandler):
        handler_order = 1000  # after the redirects: the final answer

        def http_response(self, request, response):  # noqa: ANN001 - urllib's handler protocol
            answer.status = getattr(response, "status", None) or response.getcode()
            answer.content_type = response.headers.get("Content-Type")
            length = response.headers.get("Content-Length")
            answer.length = int(length) if length and length.isdigit() else None
            return response

        https_response = http_response

    previous = getattr(urllib.request, "_opener", None)
    urllib.request.install_opener(urllib.request.build_opener(Recorder()))
    try:
        yield
    finally:
        urllib.request._opener = previous  # what install_opener set before (None: urllib builds its default)


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def download_file(url: str, staging: Path, *, progress: bool = True, timeout: float = ORIGIN_TIMEOUT_S) -> Answer:
    """Fetch ``url`` into ``staging``: a plain copy from a mirror folder (``file://``), Keras's ``get_file`` otherwise.

    The course's one way to fetch a file (:func:`fetch_archive`, for datasets and :mod:`helpers.weights`' files,
    and :mod:`helpers.data.pack`). ``get_file`` writes into ``staging``'s folder or, like Keras, into ``/tmp/.keras``
    when that folder cannot be written; the file is then moved to ``staging``. Nothing is checked here: the caller
    checks ``staging`` and removes it when the fetch fails.

    Args:
        url: a ``file://``, ``http://`` or ``https://`` URL.
        staging: where the file goes (a ``.part`` name, moved into place by the caller once checked).
        progress: show Keras's progress bar (``False``: quiet).
        timeout: seconds a connection may stall (to connect, or between two blocks) before it fails.

    Returns:
        The server's :class:`Answer` (status and headers; all ``None`` for a copy), to describe a wrong file.

    Raises:
        TimeoutError: the server did not answer within ``timeout`` seconds (message: ``no answer within 10 s``).
        OSError: the copy or download failed (for a download, the ``urllib.error.URLError`` itself).
        ValueError: ``url`` is not one Python can open.
    """
    import keras

    answer = Answer()
    if url.startswith("file://"):
        shutil.copyfile(urllib.request.url2pathname(url[7:]), staging)
        return answer
    loud = keras.config.is_interactive_logging_enabled()
    if not progress:
        keras.config.disable_interactive_logging()
    try:
        with _socket_timeout(timeout), _recording(answer):
            returned = keras.utils.get_file(
                fname=staging.name,
                origin=url,
                cache_dir=str(staging.parent.parent),
                cache_subdir=staging.parent.name,
                force_download=True,
            )
    except (OSError, ValueError) as error:
        if _timed_out(error):
            raise TimeoutError(f"no answer within {timeout:g} s") from None
        raise
    except Exception as error:  # get_file turns urllib's errors into a bare Exception: give back the real one
        cause = error.__context__
        if cause is not None and _timed_out(cause):
            raise TimeoutError(f"no answer within {timeout:g} s") from None
        raise (cause if isinstance(cause, OSError) else OSError(error_reason(error))) from None
    finally:
        if loud and not progress:
            keras.config.enable_interactive_logging()
    if Path(returned) != staging:  # the folder was not writable: Keras used /tmp/.keras
        shutil.move(returned, staging)
    return answer


def fetch_archive(info: DatasetInfo, archive: Archive, verbose: bool = True) -> Path:
    """Make sure ``archive`` is in the Keras cache with the right checksum; return its path.

    Raises:
        DatasetUnavailableError: when no mirror or origin could provide the file.
        ChecksumError: when every copy found had the wrong checksum (after one re-fetch).
    """
    target = cached_path(archive)
    if is_valid(target, archive):  # the target is only ever written by os.replace: never half a file
        return target
    with locked(target):  # another process may be fetching it right now: wait, then use its copy
        return _fetch_locked(info, archive, target, verbose)


def _fetch_locked(info: DatasetInfo, archive: Archive, target: Path, verbose: bool) -> Path:
    """:func:`fetch_archive`'s work, with the target's lock held."""
    if is_valid(target, archive):
        return target
    if target.exists() or target.is_symlink():
        other = [a for a in (info.full, info.mini) if a is not None and a is not archive]
        if not any(is_valid(target, a) for a in other):
            aside = move_aside(target)
            print(f"{pretty_path(target)} was incomplete or damaged; moved it to {aside.name} and fetching it again.")

    urls, notes = mirror_candidates(info, archive)
    mirror_urls = set(urls)
    urls += list(archive.origins)
    staging = target.with_name(target.name + ".part")
    tried: list[str] = list(notes)
    mismatches, wrong = 0, 0
    for url in urls:
        skipped = recently_unanswered(url)
        if skipped:
            tried.append(f"{_describe(url)} (skipped: {skipped} a moment ago)")
            continue
        timeout = MIRROR_TIMEOUT_S if url in mirror_urls else ORIGIN_TIMEOUT_S
        for attempt in (1, 2):
            if verbose:
                print(f"Fetching {archive.filename} from {_describe(url)}")
            try:
                answer = download_file(url, staging, timeout=timeout)
            except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - reported in one line below
                staging.unlink(missing_ok=True)
                if isinstance(exc, KeyboardInterrupt):
                    raise
                if isinstance(exc, TimeoutError):
                    _remember_unanswered(url, str(exc))
                    if verbose:
                        print(f"{_describe(url)} gave {str(exc)}: dropped it.")
                tried.append(f"{_describe(url)} ({error_reason(exc)})")
                break
            if is_valid(staging, archive):
                os.replace(staging, target)
                return target
            what = answer.describe(staging, archive)
            plainly_wrong = looks_wrong(staging, archive)
            staging.unlink(missing_ok=True)
            mismatches += 1
            wrong += plainly_wrong
            if plainly_wrong:  # an HTML page or a cut-short file will not be right the second time either
                tried.append(f"{_describe(url)} (got {what}: not the archive)")
                mismatches += 1
                break
            tried.append(f"{_describe(url)} (got {what}; checksum mismatch{', fetched twice' if attempt == 2 else ''})")
    where = "; ".join(tried) if tried else "no mirror is set and this archive has no public origin"
    if mismatches and mismatches == 2 * len(urls):
        verdict = ("the source serves something else than the archive (a wrong address, a login or error page, or a file cut short)"
                   if wrong else "the source may hold a different version")
        raise ChecksumError(
            f"{archive.filename} for dataset '{info.name}' was fetched but its checksum never matched "
            f"({where}); {verdict}: place a good copy at {pretty_path(target)}."
        )
    raise DatasetUnavailableError(
        f"Could not get {archive.filename} for dataset '{info.name}' (tried: {where}). "
        f"Connect to the internet, set {MIRROR_ENV} to a folder or URL that has it, "
        f"or place the file at {pretty_path(target)}."
    )


def _set_aside(info: DatasetInfo, root: Path) -> None:
    """Move the folders that are not classes (``info.exclude``) next to the data root, with a note."""
    for name in info.exclude:
        if (root / name).is_dir():
            target = move_aside(root / name, root.parent / "not-classes" / name)
            print(f"{name} is not a class: moved it to {pretty_path(target)}.")


def extract_archive(info: DatasetInfo, archive: Archive, path: Path) -> Path:
    """Unpack ``path`` with ``get_file(..., extract=True)`` (once) and return the data root."""
    if not archive.extract:
        return path
    folder = datasets_dir() / archive.extracted_name
    with locked(folder):  # two processes never unpack into the same folder at once
        return _extract_locked(info, archive, path, folder)


def _extract_locked(info: DatasetInfo, archive: Archive, path: Path, folder: Path) -> Path:
    """:func:`extract_archive`'s work, with the folder's lock held."""
    import keras

    marker = folder / _MARKER
    stamp = file_digest(path)
    if not (marker.is_file() and marker.read_text() == stamp):
        if folder.exists():
            shutil.rmtree(folder)
        returned = keras.utils.get_file(
            fname=archive.keras_fname,
            origin=path.resolve().as_uri(),
            cache_dir=str(cache_dir()),
            extract=True,
        )
        folder = Path(returned)
        if archive.inner_archive:
            inner = folder / archive.inner_archive
            with tarfile.open(inner) as tar:
                tar.extractall(inner.parent, filter="data")
        _set_aside(info, folder / archive.root)
        marker.write_text(stamp)
    root = folder / archive.root
    if not root.exists():
        raise DatasetUnavailableError(
            f"{pretty_path(path)} unpacked, but {archive.root or 'its data'} is not inside; "
            f"delete {pretty_path(path)} and {pretty_path(folder)} and run this again."
        )
    return root


# --------------------------------------------------------------------------- public entry points
def mini_reachable(info: DatasetInfo) -> bool:
    """True when the mini archive is in the cache or in a mirror folder/URL."""
    if info.mini is None:
        return False
    if is_valid(datasets_dir() / info.mini.cache_name, info.mini):
        return True
    urls, _ = mirror_candidates(info, info.mini)
    for url in urls:
        if url.startswith("file://"):
            return True
        if recently_unanswered(url):
            continue
        try:
            request = urllib.request.Request(url, method="HEAD")
            with urllib.request.urlopen(request, timeout=min(5.0, MIRROR_TIMEOUT_S)):
                return True
        except (OSError, ValueError) as error:
            if _timed_out(error):
                _remember_unanswered(url, f"no answer within {min(5.0, MIRROR_TIMEOUT_S):g} s")
            continue
    return False


def run_profile(profile: str | None = None) -> str:
    """``profile`` (``"quick"`` or ``"full"``) checked, or, for ``None``, the run's (:func:`helpers.profile.current_profile`).

    The data layer's one read of the run profile: a caller that knows the profile passes it down
    (``fetch(..., profile="quick")``); the default keeps what the notebooks get.
    """
    from helpers.profile import PROFILES, current_profile

    if profile is None:
        return current_profile()[0]
    if profile not in PROFILES:
        raise SettingError(f"profile must be one of {', '.join(repr(p) for p in PROFILES)} or None (the run's own), not {profile!r}.")
    return profile


def choose_variant(name: str, variant: str = "auto", *, profile: str | None = None) -> str:
    """Pick ``"full"`` or ``"mini"``: the quick profile takes the mini archive when reachable.

    Args:
        name: a dataset of the registry.
        variant: ``"full"`` or ``"mini"`` (returned as they are), or ``"auto"``.
        profile: the profile ``"auto"`` decides by (default: the run's, see :func:`run_profile`).
    """
    info = get_dataset(name)
    if variant in ("full", "mini"):
        info.archive(variant)  # raises for a dataset without a mini archive
        return variant
    if variant != "auto":
        raise SettingError(f"variant must be 'auto', 'full' or 'mini', not {variant!r}.")
    if run_profile(profile) == "quick" and mini_reachable(info):
        return "mini"
    return "full"


def fetch(name: str, variant: str = "auto", verbose: bool = True, *, profile: str | None = None) -> Path:
    """Get a dataset into the Keras cache and return where its data is.

    Args:
        name: a key of :data:`helpers.data.DATASETS` (``"mnist"``, ``"cats_and_dogs"``, ...).
        variant: ``"full"``, ``"mini"`` or ``"auto"`` (mini in the quick profile when reachable).
        verbose: print where the data came from and where it is.
        profile: the profile ``"auto"`` decides by (default: the run's, see :func:`run_profile`).

    Returns:
        The data root: the folder of class sub-folders or batch files, or the file itself
        for single-file datasets such as MNIST.
    """
    info = get_dataset(name)
    variant = choose_variant(name, variant, profile=profile)
    archive = info.archive(variant)
    path = fetch_archive(info, archive, verbose=verbose)
    root = extract_archive(info, archive, path)
    if verbose:
        print(f"{name}: {variant} archive ({archive.images:,} images) ready at {pretty_path(root)}")
    return root
