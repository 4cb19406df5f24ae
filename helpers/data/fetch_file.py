"""Fetching one file from one address, with a timeout, and saying what the server answered.

:func:`download_file` is the course's one way to fetch a file (a copy from a mirror folder, or Keras's
``get_file``), used by :func:`helpers.data.download.fetch_archive` and the classroom-mirror packing. A server
that stays silent fails after a stated timeout (:data:`MIRROR_TIMEOUT_S` for a mirror) and is remembered
for :data:`UNANSWERED_MEMORY_S` seconds; a wrong answer is described (:class:`Answer`, :func:`sniff`)
before any checksum verdict. Introduced in ``00_setup.ipynb``.
"""

from __future__ import annotations

import shutil
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.data.registry import Archive
from helpers.language import N_, _

#: Seconds a mirror may stay silent (to connect, or between two blocks of data) before it is dropped.
MIRROR_TIMEOUT_S = 10.0
#: The same for a public origin, which is farther away and serves larger files.
ORIGIN_TIMEOUT_S = 60.0
#: Seconds a host that did not answer is skipped for, so that one dead mirror costs one timeout, not one per file.
UNANSWERED_MEMORY_S = 300.0
_unanswered: dict[str, tuple[float, str]] = {}  # host -> (when, why)


def error_reason(error: BaseException) -> str:
    """The useful part of a copy or download error, in one line: ``Connection refused``, ``HTTP Error 404: Not Found``.

    Used for every source the course tries (:func:`fetch_archive`, the classroom-mirror packing).
    """
    import urllib.error

    body = ""
    if isinstance(error, urllib.error.HTTPError) and error.headers is not None:  # what the error page was: size and type
        length, kind = error.headers.get("Content-Length"), (error.headers.get("Content-Type") or "").split(";")[0].strip()
        if length or kind:
            size = _("{bytes:,} bytes").format(bytes=int(length)) if length and length.isdigit() else _("a page")
            answer = _("(the answer: {size} of {kind})") if kind else _("(the answer: {size})")
            body = " " + answer.format(size=size, kind=kind)
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
_MAGIC = ((b"\x1f\x8b", N_("gzip data")), (b"PK\x03\x04", N_("a zip archive")), (b"\x89HDF", N_("an HDF5 file")),
          (b"\x89PNG", N_("a PNG image")), (b"\xff\xd8\xff", N_("a JPEG image")), (b"%PDF", N_("a PDF document")))


def sniff(path: Path) -> str:
    """What a file holds, in a few words, from its first bytes: ``"an HTML page"``, ``"gzip data"``, ``"text"``, ``"empty"``.

    Always in English (callers compare it); show it as ``_(sniff(path))``.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return N_("empty")
    start = head.lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in start[:512]:
        return N_("an HTML page")
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if len(head) > 262 and head[257:262] == b"ustar":
        return N_("a tar archive")
    if start.startswith((b"{", b"[")):
        return N_("JSON text")
    try:
        head.decode("utf-8")
        return N_("text")
    except UnicodeDecodeError:
        return N_("binary data")


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
        kind = _(sniff(path)) if path.is_file() else _("nothing")
        declared = (self.content_type or "").split(";")[0].strip()
        if declared:
            parts.append(_("{size:,} bytes of {declared} ({kind})").format(size=size, declared=declared, kind=kind))
        else:
            parts.append(_("{size:,} bytes ({kind})").format(size=size, kind=kind))
        if self.length is not None and self.length != size:
            parts.append(_("cut short: the server announced {length:,}").format(length=self.length))
        if archive is not None and archive.size:
            if size != archive.size:
                parts.append(_("expected {size:,} bytes").format(size=archive.size))
            else:
                parts.append(_("expected {size:,} bytes, the right size").format(size=archive.size))
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

        def http_response(self, request, response):
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

    The course's one way to fetch a file (:func:`fetch_archive`, for datasets and :mod:`helpers.data.weights`' files,
    and the classroom-mirror packing). ``get_file`` writes into ``staging``'s folder or, like Keras, into ``/tmp/.keras``
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
            raise TimeoutError(_("no answer within {seconds:g} s").format(seconds=timeout)) from None
        raise
    except Exception as error:  # get_file turns urllib's errors into a bare Exception: give back the real one
        cause = error.__context__
        if cause is not None and _timed_out(cause):
            raise TimeoutError(_("no answer within {seconds:g} s").format(seconds=timeout)) from None
        raise (cause if isinstance(cause, OSError) else OSError(error_reason(error))) from None
    finally:
        if loud and not progress:
            keras.config.enable_interactive_logging()
    if Path(returned) != staging:  # the folder was not writable: Keras used /tmp/.keras
        shutil.move(returned, staging)
    return answer
