"""Scan a folder of class sub-folders before training: what is in it, and what would break training.

Real image folders are messy: a Kaggle download holds truncated JPEGs, an HTML error page saved as
``.jpg`` and a ``Thumbs.db``; Jupyter leaves ``.ipynb_checkpoints`` inside class folders; a phone
photo is stored sideways with an EXIF rotation; a scan is a 16-bit PNG. :func:`scan_folder` decodes
every file once with Pillow and reports, per class, the usable images, the unreadable and non-image
files, formats, colour modes, sizes and duplicates (by content hash), and flags classes too small
to split or to fill a batch. It never changes the folder::

    scan = scan_folder(flowers, batch_size=32, validation_split=0.2)
    print(scan)                # one row per class, then every problem file and note
    quarantine(scan)           # helpers.data.checks.quarantine: move the problem files aside, with a log (optional)

Hidden and system entries (``.DS_Store``, ``.ipynb_checkpoints``, ``__MACOSX``, ``Thumbs.db``,
``desktop.ini``) are never classes nor images; they are listed as *ignored*. Results are cached per
file (path, size, modification time) in a small JSON file in the Keras cache, so a second scan of
an unchanged folder only reads the file list. JPEGs are decoded at reduced scale (Pillow's
``draft``): every compressed byte is still decoded, so damage is found, at half the cost.

Introduced in ``05_flowers_train_from_folder.ipynb``; :func:`helpers.data.folders.image_datasets`,
:func:`helpers.data.checks.rules.class_counts` and ``train_from_folder`` run it for you.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.data.checks.image_check import _DANGLING_LINK, _NOT_A_FILE, inspect_files, is_ignored, reason_text
from helpers.data.checks.layout import as_folder, check_class_list
from helpers.data.paths import pretty_path
from helpers.data.registry import KERAS_SUFFIXES, is_image_name
from helpers.errors import FolderError, did_you_mean
from helpers.language import N_, _
from helpers.tables import text_table

#: Pillow's colour modes in words, for the summary.
MODE_NAMES = {"RGB": N_("colour"), "L": N_("grayscale"), "RGBA": N_("colour with transparency"),
              "LA": N_("grayscale with transparency"), "P": N_("palette"), "CMYK": "CMYK", "1": N_("black and white"),
              "I;16": N_("16-bit grayscale"), "I": N_("32-bit grayscale")}


@dataclass
class FileProblem:
    """A file that cannot be used: ``kind`` is ``"unreadable"`` or ``"non-image"``."""

    path: Path
    reason: str
    kind: str
    root: Path | None = None

    def __str__(self) -> str:
        name = self.path.relative_to(self.root).as_posix() if self.root else pretty_path(self.path)
        return f"{name}: {reason_text(self.reason)}"


@dataclass
class ClassScan:
    """One class sub-folder: its usable image files (in the order Keras lists them) and what else it holds."""

    name: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    unreadable: int = 0
    non_image: int = 0
    formats: Counter = field(default_factory=Counter)
    modes: Counter = field(default_factory=Counter)
    smallest: tuple[int, int] | None = None
    largest: tuple[int, int] | None = None
    nested: int = 0

    @property
    def images(self) -> int:
        return len(self.files)


@dataclass(repr=False)
class FolderScan:
    """What :func:`scan_folder` found. ``str(scan)`` is the full report; :meth:`summary` a few lines.

    Attributes:
        root: the folder scanned.
        classes: one :class:`ClassScan` per class, in label order.
        problems: the files that cannot be used (skipped by the course's datasets).
        ignored: hidden and system entries (``.DS_Store``, ``.ipynb_checkpoints``, ``Thumbs.db``...).
        duplicates: groups of files with the same content.
        pillow: usable files TensorFlow reads wrongly or not at all, with why; the course reads them through Pillow.
        keras_ready: ``image_dataset_from_directory`` would list exactly the usable files and read them right.
        notes: what is too small or unusual (one sentence each).
        links_not_followed: linked folders that point back into the dataset (a loop, or another
            class); they are not followed, so no photo counts twice. Links to folders outside are followed once.
        repeated: files left out because the same file (by real path, through a link) was already
            counted: ``{left out: the one kept}``.
        hashes: the SHA-1 of each usable file's content (for :func:`remove_copies`).
        seconds, from_cache: how long the scan took and how many files came from the cache.
    """

    root: Path
    classes: list[ClassScan]
    problems: list[FileProblem] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    duplicates: list[list[Path]] = field(default_factory=list)
    pillow: dict[Path, str] = field(default_factory=dict)
    keras_ready: bool = True
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    from_cache: int = 0
    links_not_followed: list[Path] = field(default_factory=list)
    repeated: dict[Path, Path] = field(default_factory=dict)
    hashes: dict[Path, str] = field(default_factory=dict)

    @property
    def class_names(self) -> list[str]:
        return [row.name for row in self.classes]

    @property
    def counts(self) -> dict[str, int]:
        """Usable images per class, in label order."""
        return {row.name: row.images for row in self.classes}

    @property
    def ok(self) -> bool:
        """No problem files (ignored system files do not count)."""
        return not self.problems

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return pretty_path(path)

    def summary(self, max_files: int = 10) -> str:
        """A few lines: classes and images, then each problem file (up to ``max_files``) and the notes."""
        total = sum(self.counts.values())
        head = (_("scan of {root}: {classes} class, {total:,} images") if len(self.classes) == 1
                else _("scan of {root}: {classes} classes, {total:,} images"))
        head = head.format(root=pretty_path(self.root), classes=len(self.classes), total=total)
        if self.ok:
            formats = sorted({fmt for row in self.classes for fmt in row.formats})
            modes = sorted({_(MODE_NAMES.get(mode, mode)) for row in self.classes for mode in row.modes})
            head += _(", all readable ({formats}; {modes})").format(
                formats=", ".join(formats) or _("none"), modes=_(" and ").join(modes) or "-")
        elif len(self.problems) == 1:
            head += _("; {count} file skipped:").format(count=len(self.problems))
        else:
            head += _("; {count} files skipped:").format(count=len(self.problems))
        lines = [head] + [f"  {self._rel(p.path)}: {reason_text(p.reason)}" for p in self.problems[:max_files]]
        if len(self.problems) > max_files:
            lines.append("  " + _("... and {count} more (print the scan to see all)").format(count=len(self.problems) - max_files))
        if self.problems:
            lines.append("  " + _("Move them aside with helpers.data.checks.quarantine.quarantine(scan), or leave them: they are skipped."))
        lines += [_("note: {note}").format(note=note) for note in self.notes]
        if self.ignored:
            names = Counter(path.name for path in self.ignored)
            listed = ", ".join(f"{name} ({n})" if n > 1 else name for name, n in sorted(names.items()))
            lines.append(_("ignored (system files, never classes or images): {listed}").format(listed=listed))
        return "\n".join(lines)

    def table(self) -> str:
        """One row per class: images, unreadable, non-image files, formats, colour modes, sizes, duplicates."""
        dup = Counter(path for group in self.duplicates for path in group[1:])
        rows = []
        for row in self.classes:
            sizes = (_("{smallest} to {largest}").format(smallest=f"{row.smallest[0]}x{row.smallest[1]}",
                                                        largest=f"{row.largest[0]}x{row.largest[1]}")
                     if row.smallest else "-")
            copies = sum(dup[path] for path in row.files)
            rows.append((row.name, f"{row.images:,}", str(row.unreadable), str(row.non_image), ", ".join(sorted(row.formats)) or "-",
                         ", ".join(sorted(row.modes)) or "-", sizes, str(copies)))
        header = (_("class"), _("images"), _("unreadable"), _("non-image"), _("formats"), _("modes"), _("sizes (w x h)"),
                  _("duplicates"))
        return text_table(rows, header, align="lrrrlllr")

    def __str__(self) -> str:
        return self.table() + "\n" + self.summary(max_files=len(self.problems))

    def __repr__(self) -> str:
        return f"FolderScan({pretty_path(self.root)}: {len(self.classes)} classes, {sum(self.counts.values())} images, {len(self.problems)} problems)"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _walk_class(folder: Path, root_real: str, counted: dict[str, Path]) -> dict:
    """Files of a class folder in Keras's order (sub-folders included) and what was left out of them.

    Links to folders outside the dataset are followed once; links to folders inside it (another
    class, the dataset itself: a loop) are not followed, so no photo is counted twice or in two
    classes. A file whose real path was already counted (``counted``: real path -> first path,
    shared by every class of the scan) is left out too, as is a link that points nowhere.

    Returns ``{"files", "ignored", "keras_differs", "dangling", "not_followed", "repeated"}``.
    """
    found = {"files": [], "ignored": [], "keras_differs": False, "dangling": [], "not_followed": [], "repeated": {}}
    walked, seen = [], {os.path.realpath(folder)}
    for top, dirs, names in os.walk(folder, followlinks=True):
        for name in list(dirs):
            path = Path(top) / name
            real = os.path.realpath(path)
            if is_ignored(name):
                dirs.remove(name)
                found["ignored"].append(path)
                found["keras_differs"] |= any(is_image_name(n, KERAS_SUFFIXES) for _top, _dirs, ns in os.walk(path) for n in ns)
            elif real in seen:
                dirs.remove(name)
            elif path.is_symlink() and (_inside(real, root_real) or _inside(root_real, real)):
                dirs.remove(name)  # a link back into the dataset (or above it): following it would count photos twice
                found["not_followed"].append(path)
                found["keras_differs"] = True
            else:
                seen.add(real)
                found["keras_differs"] |= path.is_symlink()
        walked.append((top, names))
    for top, names in sorted(walked, key=lambda item: item[0]):
        for name in sorted(names):
            path = Path(top) / name
            if is_ignored(name):
                found["ignored"].append(path)
                found["keras_differs"] |= is_image_name(name, KERAS_SUFFIXES)
            elif path.is_symlink() and not path.exists():
                found["dangling"].append(path)
            elif path.is_file():
                real = os.path.realpath(path)
                if real in counted:
                    found["repeated"][path] = counted[real]
                    found["keras_differs"] = True
                else:
                    counted[real] = path
                    found["files"].append(path)
            elif not path.is_dir():
                found["dangling"].append(path)  # a pipe, socket or device: reading it could wait forever
    return found


def _not_a_file(path: Path) -> str:
    if path.is_symlink():
        return _DANGLING_LINK.format(target=os.readlink(path))
    return _NOT_A_FILE


def scan_folder(
    directory: os.PathLike | str,
    classes: Sequence[str] | None = None,
    *,
    batch_size: int | None = None,
    validation_split: float | None = None,
) -> FolderScan:
    """Scan a folder of class sub-folders: every file decoded once, problems and notes named.

    Args:
        directory: the folder whose sub-folders are the classes.
        classes: scan only these classes, in this label order (default: every sub-folder, sorted).
        batch_size, validation_split: flag classes with fewer images than a batch, or too few for
            the split to hold one out.

    Raises:
        FolderError: ``directory`` is not a folder, has no class sub-folders, or ``classes`` names one it lacks.
    """
    start = time.perf_counter()
    root = as_folder(directory)
    entries = sorted(root.iterdir(), key=lambda p: p.name)
    ignored = [p for p in entries if is_ignored(p.name)]
    available = [p.name for p in entries if p.is_dir() and not is_ignored(p.name)]
    loose = [p for p in entries if p.is_file() and is_image_name(p.name)]  # a LICENSE.txt is no mistake
    if not available:
        raise FolderError(_("{root} has no class sub-folders; put the images of each class in a sub-folder named after it.").format(
            root=pretty_path(root)))
    check_class_list(classes)
    unknown = [name for name in classes or [] if name not in available]
    if unknown:
        raise FolderError(_("{root} has no sub-folder {name!r}{suggestion}; its classes are: {classes}.").format(
            root=pretty_path(root), name=unknown[0], suggestion=did_you_mean(unknown[0], available), classes=", ".join(available)))
    rows, candidates, keras_ready = [], {}, True  # the datasets name the classes, so root-level extras never matter
    counted: dict[str, Path] = {}  # real path -> first path: each photo counts once, in one class
    root_real, dangling, not_followed, repeated = os.path.realpath(root), [], [], {}
    for name in classes or available:
        found = _walk_class(root / name, root_real, counted)
        rows.append(ClassScan(name, root / name))
        candidates[name], keras_ready = found["files"], keras_ready and not found["keras_differs"]
        ignored += found["ignored"]
        dangling += [(rows[-1], path) for path in found["dangling"]]
        not_followed += found["not_followed"]
        repeated.update(found["repeated"])
    records, from_cache = inspect_files([p for files in candidates.values() for p in files], root)
    scan = FolderScan(root, rows, ignored=ignored, from_cache=from_cache, links_not_followed=not_followed, repeated=repeated)
    for row, path in dangling:
        scan.problems.append(FileProblem(path, _not_a_file(path), "unreadable", root))
        row.unreadable += 1
    by_hash: dict[str, list[Path]] = {}
    for row in rows:
        for path in candidates[row.name]:
            record = records[path]
            if not record["ok"]:
                scan.problems.append(FileProblem(path, record["reason"], record["kind"], root))
                if record["kind"] == "unreadable":
                    row.unreadable += 1
                else:
                    row.non_image += 1
                continue
            row.files.append(path)
            row.formats[record["format"]] += 1
            row.modes[record["mode"]] += 1
            size = (record["width"], record["height"])
            row.smallest = min(row.smallest or size, size, key=lambda s: s[0] * s[1])
            row.largest = max(row.largest or size, size, key=lambda s: s[0] * s[1])
            row.nested += path.parent != row.folder
            by_hash.setdefault(record["sha1"], []).append(path)
            scan.hashes[path] = record["sha1"]
            if record["pillow"]:
                scan.pillow[path] = record["pillow"]
            keras_ready = keras_ready and is_image_name(path.name, KERAS_SUFFIXES)
    scan.duplicates = [group for group in by_hash.values() if len(group) > 1]
    scan.keras_ready = keras_ready and not scan.problems and not scan.pillow
    scan.notes = _notes(scan, loose, batch_size, validation_split)
    scan.notes += [_("{name} is a link to {target}, which does not exist, so it is not a class; "
                     "reconnect the drive it points to, or delete the link.").format(name=entry.name, target=os.readlink(entry))
                   for entry in entries if entry.is_symlink() and not entry.exists()]
    scan.seconds = time.perf_counter() - start
    return scan


def remove_copies(scan: FolderScan, of: FolderScan) -> dict[Path, Path]:
    """Leave out of ``scan`` (a validation folder) the images whose content is also in ``of`` (the training folder).

    A photo in both folders would be validated on after being trained on, which inflates the
    validation accuracy. Returns ``{left out: the training file it copies}``; ``scan`` then reads
    its images from its own file list (``keras_ready`` becomes ``False``).
    """
    seen = {digest: path for path, digest in of.hashes.items()}
    removed = {path: seen[digest] for path, digest in scan.hashes.items() if digest in seen}
    if removed:
        for row in scan.classes:
            row.files = [path for path in row.files if path not in removed]
        scan.keras_ready = False
    return removed


def _notes(scan: FolderScan, loose: list[Path], batch_size: int | None, validation_split: float | None) -> list[str]:
    notes = []
    if len(scan.classes) == 1:
        notes.append(_("only one class ({name!r}): a classifier needs at least two; add a sub-folder per class.").format(
            name=scan.classes[0].name))
    needed = math.ceil(1 / validation_split) if validation_split else 0
    for row in scan.classes:
        if row.images == 0:
            notes.append(_("class {name!r} has no usable images: add some, or leave it out with classes=[...].").format(name=row.name))
        elif row.images < needed:
            notes.append(_("class {name!r} has only {images} images: a {split:.0%} validation split may hold out none of them.").format(
                name=row.name, images=row.images, split=validation_split))
        if 0 < row.images < (batch_size or 0):
            notes.append(_("class {name!r} has {images} images, fewer than one batch of {batch_size}: it trains, "
                           "but add images if it matters.").format(name=row.name, images=row.images, batch_size=batch_size))
        if row.nested:
            notes.append(_("class {name!r} has {nested} images in sub-folders; they are used as {name!r} (as Keras does).").format(
                name=row.name, nested=row.nested))
    if scan.pillow:
        reasons = Counter(scan.pillow.values())
        notes.append(_("{count} images are read through Pillow ({reasons}): "
                       "TensorFlow would read them wrongly or not at all; your folder is not changed.").format(
            count=len(scan.pillow), reasons=", ".join(reason_text(reason) for reason in sorted(reasons))))
    if scan.duplicates:
        first = scan.duplicates[0]
        copies = sum(len(g) - 1 for g in scan.duplicates)
        if copies == 1:
            duplicates = _("{copies} duplicate file by content, for example {first} = {second}; "
                           "a copy can land in both training and validation.")
        else:
            duplicates = _("{copies} duplicate files by content, for example {first} = {second}; "
                           "a copy can land in both training and validation.")
        notes.append(duplicates.format(copies=copies, first=scan._rel(first[0]), second=scan._rel(first[1])))
    if scan.links_not_followed:
        link = scan.links_not_followed[0]
        notes.append(_("{count} linked folder(s) point back into {root}, e.g. {link} -> {target}: not followed, "
                       "so no photo counts twice (links to folders outside it are followed once).").format(
            count=len(scan.links_not_followed), root=pretty_path(scan.root), link=scan._rel(link), target=os.readlink(link)))
    if scan.repeated:
        left, kept = next(iter(scan.repeated.items()))
        notes.append(_("{count} file(s) are links to a photo already counted, e.g. {left} = {kept}: "
                       "each photo is used once, in the class where it was found first.").format(
            count=len(scan.repeated), left=scan._rel(left), kept=scan._rel(kept)))
    if loose:
        notes.append(_("{count} image(s) directly in {root}, not in a class sub-folder, are not used, e.g. {example}.").format(
            count=len(loose), root=pretty_path(scan.root), example=loose[0].name))
    return notes


def inspect_listed(paths: Iterable[Path]) -> tuple[list[Path], list[FileProblem], dict[Path, str]]:
    """For files listed elsewhere (a CSV file): the usable ones, the problems, and those Pillow must read."""
    paths = list(paths)
    records, _from_cache = inspect_files(paths)
    usable = [p for p in paths if records[p]["ok"]]
    problems = [FileProblem(p, records[p]["reason"], records[p]["kind"]) for p in paths if not records[p]["ok"]]
    return usable, problems, {p: records[p]["pillow"] for p in usable if records[p]["pillow"]}
