"""Move the problem files a scan found out of the data folder, with a log; nothing is ever deleted.

::

    scan = scan_folder(folder)         # helpers.data.checks.scan
    log = quarantine(scan)             # folder_quarantine/<class>/<file> and folder_quarantine/quarantine_log.csv

The quarantine folder sits next to the data folder (``<data>_quarantine``), so the class folders
hold only usable images afterwards; the log says, for each file, where it was, why it moved and
where it went. Move a file back by hand once it is fixed. Without quarantine the course's
datasets simply skip the problem files, naming them.

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

from helpers.data.checks.scan import FolderScan
from helpers.data.paths import move_without_overwriting, pretty_path
from helpers.errors import QuarantineError
from helpers.language import _

LOG_NAME = "quarantine_log.csv"


def quarantine(
    scan: FolderScan, to: os.PathLike | str | None = None, *, duplicates: bool = False, verbose: bool = True
) -> Path | None:
    """Move the problem files of ``scan`` (and, with ``duplicates=True``, every copy after the first) aside.

    Args:
        scan: what :func:`helpers.data.checks.scan.scan_folder` found.
        to: the quarantine folder (default: ``<data folder>_quarantine`` beside it).
        duplicates: also move the second and later copies of duplicate files.
        verbose: print one line saying what moved where.

    Returns:
        The log file (CSV: ``file, reason, moved_to, time``; appended to on each call), or ``None``
        when there was nothing to move.

    Raises:
        QuarantineError: a file could not be moved (a read-only folder); files moved before it are in the log.
    """
    moves = [(problem.path, problem.reason) for problem in scan.problems]
    if duplicates:
        moves += [(copy, f"duplicate of {scan._rel(group[0])}") for group in scan.duplicates for copy in group[1:]]
    if not moves:
        if verbose:
            print(_("nothing to move: {root} has no problem files").format(root=pretty_path(scan.root)))
        return None
    target = Path(to) if to is not None else scan.root.parent / f"{scan.root.name}_quarantine"
    log = target / LOG_NAME
    try:
        target.mkdir(parents=True, exist_ok=True)
        new_log = not log.exists()
        with open(log, "a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            if new_log:
                writer.writerow(["file", "reason", "moved_to", "time"])
            for path, reason in moves:
                (target / scan._rel(path)).parent.mkdir(parents=True, exist_ok=True)
                try:
                    destination = move_without_overwriting(path, target / scan._rel(path))  # name-1.jpg... when quarantined before
                except OSError as error:
                    raise QuarantineError(
                        _("Could not move {file} out of {root} ({error}); the folder is probably read-only: "
                          "copy it somewhere writable, or leave the files: the course skips them.").format(
                            file=scan._rel(path), root=pretty_path(scan.root), error=error.strerror or error)
                    ) from None
                writer.writerow([scan._rel(path), reason, pretty_path(destination), time.strftime("%Y-%m-%d %H:%M:%S")])
                handle.flush()
    except PermissionError as error:
        raise QuarantineError(
            _("Could not write the quarantine folder {folder} ({error}); pass to=... a folder you can write to.").format(
                folder=pretty_path(target), error=error.strerror)
        ) from None
    if verbose:
        moved = _("moved {count} file to {folder} (log: {log})") if len(moves) == 1 else _("moved {count} files to {folder} (log: {log})")
        print(moved.format(count=len(moves), folder=pretty_path(target), log=LOG_NAME))
    return log
