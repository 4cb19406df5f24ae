"""The index of a packed classroom mirror (``index.json``, ``index.html``) and its check.

``index.json`` lists every file of the pack (name, variant, file, bytes, sha256, how the registry
recognises it, what it is, which notebooks use it, where it came from) and every file that could not
be had, with the reason; ``index.html`` shows the same table at the mirror's address in a browser.
:func:`verify` checks a packed folder against both ``index.json`` and the registry, changing nothing.

Written by :func:`helpers.data.pack.pack` (``python -m helpers.data pack``).
"""

from __future__ import annotations

import datetime
import html
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.data.download import file_digest, is_valid
from helpers.errors import CourseError

if TYPE_CHECKING:
    from helpers.data.pack import PackResult

#: Written into both index files, so that a later run knows it may replace them.
GENERATOR = "helpers.data pack"


def write_index(directory: Path, results: list[PackResult], profile: str) -> None:
    """Write ``index.json`` (for tools) and ``index.html`` (what a browser shows at the mirror's address)."""
    from helpers import __version__

    created = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    index = {
        "generator": GENERATOR, "helpers_version": __version__, "created": created, "profile": profile,
        "layout": "<dataset>/<archive file> and models/<weight file>: use this folder, or its HTTP address, "
                  "as COURSE_DATA_MIRROR",
        "items": [result.to_json() for result in results],
    }
    _write(directory / "index.json", json.dumps(index, indent=1) + "\n")
    rows = []
    for entry in index["items"]:
        name = html.escape(entry["file"])
        link = f'<a href="{name}">{name}</a>' if entry["status"] == "ok" else name
        status = "ok" if entry["status"] == "ok" else f"missing{'' if entry['required'] else ' (optional)'}: " + entry["reason"]
        size = f"{entry['bytes'] / 1e6:,.1f} MB" if entry["bytes"] else "?"
        rows.append(
            f"<tr><td>{html.escape(entry['name'])} ({entry['variant']})</td><td>{link}</td><td>{size}</td>"
            f"<td><code>{entry['sha256'] or '-'}</code></td><td>{html.escape(entry['what'])}</td>"
            f"<td>{html.escape(', '.join(entry['notebooks']))}</td><td>{html.escape(status)}</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}">
<title>Course data mirror</title>
<style>body{{font-family:sans-serif}} td,th{{border-bottom:1px solid #ccc;padding:4px;text-align:left;vertical-align:top}}
code{{font-size:75%}}</style></head><body>
<h1>Image classification with Keras: course data mirror</h1>
<p>Profile <b>{profile}</b>, packed {created} by <code>python -m helpers.data pack</code> (helpers {__version__}).</p>
<p>Use it: <code>export COURSE_DATA_MIRROR=http://&lt;this address&gt;</code> (the address in your browser's
bar, without a path), then run the notebooks; every file is checked again when it is fetched.</p>
<table><tr><th>item</th><th>file</th><th>size</th><th>sha256</th><th>what it is</th><th>notebooks</th><th>status</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    _write(directory / "index.html", page)


def _write(path: Path, text: str) -> None:
    staging = path.with_name(path.name + ".part")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)


def verify(directory: os.PathLike | str) -> list[str]:
    """Check a packed folder against its ``index.json`` and the registry, changing nothing; return the problems."""
    folder = Path(directory)
    index_file = folder / "index.json"
    if not index_file.is_file():
        raise CourseError(f"{folder} has no index.json; pack it first with: python -m helpers.data pack {folder}")
    from helpers.data.pack import plan

    by_file = {item.relative: item for item in plan("all")}
    problems = []
    for entry in json.loads(index_file.read_text(encoding="utf-8"))["items"]:
        if entry["status"] != "ok":
            continue
        path, item = folder / entry["file"], by_file.get(entry["file"])
        if not path.is_file():
            problems.append(f"{entry['file']} is listed in index.json but is not in the folder.")
        elif (item and not is_valid(path, item.archive)) or file_digest(path) != entry["sha256"]:
            problems.append(f"{entry['file']} is damaged: its checksum does not match; run pack again to replace it.")
    return problems
