"""Check single image files the way the folder scan does: decode with Pillow, name what is wrong.

:func:`inspect_image` says whether a file's bytes are a usable image and, when not, why (empty,
not an image, damaged, too large), and whether TensorFlow reads it right; :func:`inspect_files`
runs it over many files in threads and caches the answers per file (path, size, modification
time) in a JSON file in the Keras cache. The reasons are recorded (and cached) in English;
:func:`reason_text` shows one in the language in force. Used by :mod:`helpers.data.checks.scan` and :mod:`helpers.predict`.

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.data.paths import cache_dir
from helpers.files import write_json_atomically
from helpers.language import N_, _

#: Formats TensorFlow's ``decode_image`` reads correctly (as Pillow names them). WebP is not among
#: them: ``decode_image`` reads it only from TensorFlow 2.20 on, so the course reads it through Pillow.
TF_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "BMP")
#: System files that are never images (compared in lower case).
SYSTEM_FILES = ("thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r")

#: Why a file cannot be used, as recorded (in English, cached) and shown through :func:`reason_text`.
_DAMAGED_LIKE_IMAGE = N_("damaged image (it starts like an image, but Pillow cannot read it)")
_HTML_PAGE = N_("not an image (an HTML page, perhaps a failed download)")
_NOT_IMAGE = N_("not an image")
_EMPTY = N_("empty file")
_TRUNCATED = N_("truncated: the file ends early, as after an interrupted download or copy")
#: Reasons with a part that varies: the template, then how :func:`reason_text` recognises a recorded one.
_TOO_LARGE = N_("too large (more than {limit} megapixels, Pillow's safety limit); shrink it")
_DAMAGED = N_("damaged image ({detail})")
_CANNOT_READ = N_("cannot be read ({why}); check the file's permissions")
_DANGLING_LINK = N_("a link to {target}, which does not exist; delete the link or put its file back")
_NOT_A_FILE = N_("not a regular file (a pipe, socket or device); move it out of the folder")
#: Why TensorFlow cannot read a usable image right, so that Pillow reads it (recorded in English too).
_PALETTE_BMP = N_("palette BMP")
_EXIF_ROTATION = N_("EXIF rotation")
_FORMAT = N_("{fmt} format")
_TEMPLATES = (_TOO_LARGE, _DAMAGED, _CANNOT_READ, _DANGLING_LINK, _FORMAT)


def _template_pattern(template: str):
    import re

    head, field, tail = re.match(r"(.*)\{(\w+)\}(.*)", template, re.S).groups()
    return re.compile(re.escape(head) + f"(?P<{field}>.*)" + re.escape(tail) + "$", re.S)


def reason_text(reason: str) -> str:
    """A recorded reason (English, as :func:`inspect_image` and the scan write it) in the language in force."""
    if _(reason) != reason:
        return _(reason)
    for template in _TEMPLATES:
        found = _template_pattern(template).match(reason)
        if found:
            return _(template).format(**{key: _(value) for key, value in found.groupdict().items()})
    return reason
CACHE_VERSION = 2  # 2: WebP goes through Pillow


def is_ignored(name: str) -> bool:
    """Whether a file or folder name is a hidden or system entry: never a class, never an image."""
    return name.startswith(".") or name.startswith("__MACOSX") or name.lower() in SYSTEM_FILES


def _describe_bytes(head: bytes) -> str:
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"RIFF")):
        return _DAMAGED_LIKE_IMAGE
    text = head.lstrip()[:64].lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml")) or b"<html" in text:
        return _HTML_PAGE
    return _NOT_IMAGE


def inspect_image(data: bytes) -> dict:
    """Decode one file's bytes with Pillow and say what it is.

    Returns:
        ``{"ok": True, "format", "mode", "width", "height", "pillow": why or ""}`` for a usable
        image (``pillow`` names why TensorFlow cannot read it right: EXIF rotation, palette BMP,
        TIFF...), or ``{"ok": False, "kind": "unreadable" | "non-image", "reason": ...}``.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        return {"ok": False, "kind": "unreadable", "reason": _EMPTY}
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, mode, (width, height) = image.format or "?", image.mode, image.size
            if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(str(width * height))
            orientation = image.getexif().get(0x0112, 1) if fmt in ("JPEG", "MPO", "PNG", "WEBP") else 1
            if fmt in ("JPEG", "MPO"):
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except UnidentifiedImageError:
        reason = _describe_bytes(data[:256])
        return {"ok": False, "kind": "unreadable" if reason.startswith("damaged") else "non-image", "reason": reason}
    except Image.DecompressionBombError:
        limit = Image.MAX_IMAGE_PIXELS / 1e6
        return {"ok": False, "kind": "unreadable", "reason": _TOO_LARGE.format(limit=f"{limit:.0f}")}
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError... for damaged files
        detail = str(error).rstrip(".") or type(error).__name__
        if "truncated" in detail.lower():
            detail = _TRUNCATED
        return {"ok": False, "kind": "unreadable", "reason": _DAMAGED.format(detail=detail)}
    why = ""
    if fmt not in TF_FORMATS:
        why = _FORMAT.format(fmt=fmt)
    elif fmt == "BMP" and mode in ("1", "P"):
        why = _PALETTE_BMP
    elif orientation not in (1, None):
        why = _EXIF_ROTATION
    return {"ok": True, "format": fmt, "mode": mode, "width": width, "height": height, "pillow": why}


def _cache_file(root: Path) -> Path:
    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "course_scan" / f"{key}.json"


def inspect_files(paths: Sequence[Path], root: Path | None = None) -> tuple[dict[Path, dict], int]:
    """:func:`inspect_image` for each file (plus its ``sha1``), using and refreshing the per-file cache.

    Returns:
        ``({path: record}, how many records came from the cache)``.
    """
    from PIL import Image

    if root is None:
        root = Path(os.path.commonpath([str(p.parent) for p in paths])) if paths else Path(".")
    cache_path = _cache_file(root)
    try:
        cached = json.loads(cache_path.read_text())
        cached = cached["files"] if cached.get("version") == CACHE_VERSION else {}
    except (OSError, ValueError, KeyError, AttributeError):
        cached = {}
    records, todo, stats = {}, [], {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:  # gone since it was listed: read (and reported) below
            stats[path] = (os.path.relpath(path, root), -1, -1)
            todo.append(path)
            continue
        key = os.path.relpath(path, root)
        stats[path] = (key, stat.st_size, stat.st_mtime_ns)
        hit = cached.get(key)
        if hit and hit.get("size") == stat.st_size and hit.get("mtime") == stat.st_mtime_ns:
            records[path] = hit
        else:
            todo.append(path)

    def work(path: Path) -> dict:
        try:
            data = path.read_bytes()
        except OSError as error:  # no read permission, a file removed meanwhile, a failing disk
            why = error.strerror or type(error).__name__
            return {"ok": False, "kind": "unreadable", "reason": _CANNOT_READ.format(why=why), "sha1": "",
                    "transient": True}
        return {**inspect_image(data), "sha1": hashlib.sha1(data).hexdigest()}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) + 2)) as pool:
            for path, record in zip(todo, pool.map(work, todo)):
                records[path] = {**record, "size": stats[path][1], "mtime": stats[path][2]}
    if todo:
        cached.update({stats[path][0]: records[path] for path in paths if not records[path].get("transient")})  # a chmod keeps mtime
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomically(cache_path, {"version": CACHE_VERSION, "files": cached})  # whole, even with two scans at once
        except OSError:
            pass  # no cache this time; the scan is still right
    return records, len(paths) - len(todo)
