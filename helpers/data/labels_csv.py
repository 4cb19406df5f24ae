"""Datasets from a CSV file of ``path,label`` rows, when the labels are not folder names.

Sometimes the images sit in one folder (or anywhere) and a table says what each one shows: a
Kaggle ``train.csv``, a spreadsheet export, labels merged or renamed after the photos were taken::

    path,label
    crab/image_0001.jpg,crustacean
    cup/image_0001.jpg,vessel

:func:`csv_datasets` turns such a file into the same :class:`~helpers.data.folders.FolderDatasets`
that :func:`~helpers.data.folders.image_datasets` makes from class sub-folders (cached, shuffled,
batched, prefetched by :func:`~helpers.data.folders.prepare`), so everything built on folders, such
as :func:`helpers.train.train_from_csv`, works on it too. Relative paths are read from the CSV's
own folder unless ``root`` says otherwise, and every file must lie under that root folder (after
following ``../`` and links): a CSV is often someone else's file, so rows that point elsewhere are
refused unless ``allow_outside_root=True``. Each image is decoded as RGB (grayscale too) and
resized exactly as ``image_dataset_from_directory`` does.

(Keras 2 did this with ``ImageDataGenerator().flow_from_dataframe(df, directory, x_col="filename",
y_col="class")``; Keras 3 has no DataFrame loader, and this course needs no pandas for it.)

Introduced in ``05_flowers_train_from_folder.ipynb``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from helpers.data.checks.layout import check_class_list, check_options
from helpers.data.folders import FolderDatasets, prepare
from helpers.data.paths import pretty_path
from helpers.data.registry import is_image_name
from helpers.errors import FolderError, TrainSettingError, did_you_mean
from helpers.language import N_, _

#: The roles of the two columns, in messages.
COLUMN_ROLES = (N_("path"), N_("label"))

#: Column names accepted when the default ``path``/``label`` are absent (``flow_from_dataframe``'s defaults).
PATH_ALIASES = ("path", "filename", "file")
LABEL_ALIASES = ("label", "class")


def _column(header: list[str], wanted: str | None, aliases: tuple[str, ...], role: str, csv_file: Path) -> str:
    if wanted is not None:
        if wanted not in header:
            raise FolderError(_("{file} has no column {wanted!r}{suggestion} (its columns: {columns}).").format(
                file=pretty_path(csv_file), wanted=wanted, suggestion=did_you_mean(wanted, header), columns=", ".join(header)))
        return wanted
    for name in aliases:
        for column in header:
            if column.lower() == name:  # "Path", "Label", "FILENAME" as spreadsheets capitalise them
                return column
    raise FolderError(
        _("{file} has no {role} column: its first line should name the columns, for example "
          "'path,label' (found: {found}); or pass {setting}=...").format(
            file=pretty_path(csv_file), role=_(role), found=", ".join(header) or _("nothing"), setting=f"{role}_column")
    )


def read_labels_csv(
    csv_file: os.PathLike | str,
    *,
    root: os.PathLike | str | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
    classes: Sequence[str] | None = None,
    allow_outside_root: bool = False,
) -> tuple[list[Path], list[str]]:
    """Read and check the ``(image file, label)`` rows of a CSV file.

    Args:
        csv_file: a CSV file whose first line names its columns.
        root: the folder relative paths start from (default: the CSV file's folder).
        path_column, label_column: the column names (default: ``path`` or ``filename``, and
            ``label`` or ``class``).
        classes: keep only the rows with these labels.
        allow_outside_root: also read files that lie outside the root folder (a ``../`` path, an
            absolute path elsewhere, a link that leads out); they are then listed in
            ``LabelRows.outside`` and named by :meth:`LabelRows.notes`. Default: refuse them.

    Returns:
        ``(paths, labels)``, in the order of the file.

    Raises:
        FolderError: the file or a listed image is missing, a column or a label is empty,
            ``classes`` names a label the file does not have, or a row points outside the root.
    """
    csv_file = Path(csv_file).expanduser()
    if not csv_file.is_file():
        raise FolderError(_("There is no CSV file at {file}; check the path.").format(file=pretty_path(csv_file)))
    base = Path(root).expanduser() if root is not None else csv_file.parent
    text, encoding = _decoded(csv_file)
    if "\0" in text:
        raise FolderError(_("{file} is not a text file (it holds NUL bytes); give a CSV file saved as 'CSV UTF-8'.").format(
            file=pretty_path(csv_file)))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [(name or "").strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    path_key = _column(header, path_column, PATH_ALIASES, "path", csv_file)
    label_key = _column(header, label_column, LABEL_ALIASES, "label", csv_file)
    paths, labels, written = [], [], {}
    try:
        for line, row in enumerate(reader, start=2):
            path, label = (row.get(path_key) or "").strip(), (row.get(label_key) or "").strip()
            if not path and not label and not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue  # a blank line, as spreadsheets leave at the end
            if not path or not label:
                raise FolderError(_("Line {line} of {file} has an empty {role}; fill it in or delete the line.").format(
                    line=line, file=pretty_path(csv_file), role=_("path") if not path else _("label")))
            paths.append(base / path)
            labels.append(label)
            written.setdefault(paths[-1], path)
    except csv.Error as error:  # an unbalanced quote, a field too large
        raise FolderError(_("{file} cannot be read as CSV near line {line} ({error}); "
                            "check that line's quotes, or save the file again as 'CSV UTF-8'.").format(
            file=pretty_path(csv_file), line=reader.line_num, error=error)) from None
    if not paths:
        raise FolderError(_("{file} lists no images; add one 'path,label' line per image.").format(file=pretty_path(csv_file)))
    check_class_list(classes)
    if classes is not None:
        unknown = [name for name in classes if name not in set(labels)]
        if unknown:
            raise FolderError(_("No row of {file} has the label {label!r}{suggestion}; its labels are: {labels}.").format(
                file=pretty_path(csv_file), label=unknown[0], suggestion=did_you_mean(unknown[0], sorted(set(labels))),
                labels=", ".join(sorted(set(labels)))))
        kept = [i for i, label in enumerate(labels) if label in set(classes)]
        paths, labels = [paths[i] for i in kept], [labels[i] for i in kept]
    written = {_windows_path(path): text for path, text in written.items()}
    paths = [_windows_path(path) for path in paths]
    outside = outside_root(paths, base)
    if outside and not allow_outside_root:
        shown = ", ".join(written.get(path, str(path)) for path in outside[:3])
        raise FolderError(
            _("{count} image file(s) listed in {file} lie outside its root folder {root} "
              "(for example {shown}), and the course reads no file outside the root unless told to: move them under it, "
              "give root=... a folder that holds them all, or pass allow_outside_root=True (in a terminal: --allow-outside-root) "
              "if you trust whoever wrote the CSV.").format(count=len(outside), file=pretty_path(csv_file), root=pretty_path(base),
                                                            shown=shown)
        )
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise FolderError(
            _("{count} image file(s) listed in {file} do not exist, for example "
              "{example}; relative paths start at {root} (change it with root=...).").format(
                count=len(missing), file=pretty_path(csv_file), example=pretty_path(missing[0]), root=pretty_path(base))
        )
    unreadable = [path for path in paths if not is_image_name(path.name)]
    if unreadable:
        raise FolderError(_("{file} is not a JPEG, PNG, BMP, GIF, WebP or TIFF file; convert it or leave it out of the CSV.").format(
            file=pretty_path(unreadable[0])))
    rows = LabelRows.deduplicated(paths, labels, encoding)
    kept = set(rows[0])
    rows.outside, rows.root = [path for path in outside if path in kept], base
    return rows


def outside_root(paths: Sequence[Path], root: os.PathLike | str) -> list[Path]:
    """The ``paths`` that do not lie under ``root`` once ``..``, ``.`` and links are resolved (on both sides).

    ``root/a/../../x.jpg``, ``/elsewhere/x.jpg`` and ``root/link.jpg`` (a link to a file elsewhere)
    are outside; ``root/a/../b/x.jpg`` is inside, and so is everything when ``root`` itself is a link.
    A path on another drive (Windows) is outside.
    """
    top = os.path.realpath(root)
    found = []
    for path in paths:
        real = os.path.realpath(path)
        try:
            inside = os.path.commonpath([real, top]) == top
        except ValueError:  # another drive
            inside = False
        if not inside:
            found.append(path)
    return found


class LabelRows(tuple):
    """``(paths, labels)`` as read from a CSV file, each image once, with what was dropped to make it so.

    It unpacks as a pair (``paths, labels = read_labels_csv(...)``) and also has:

    Attributes:
        repeated: rows that listed an image a second time with the same label (dropped): ``{path: times listed}``.
        conflicts: images listed under more than one label: ``{path: [labels, the kept one first]}``; only the
            first row's label is kept, so that no image is in two classes, nor in two splits.
        encoding: the text encoding the file was read in (``"utf-8"`` or, for Excel's default, ``"cp1252"``).
        outside: the files read from outside the root folder (only with ``allow_outside_root=True``).
        root: the root folder relative paths started from.
    """

    repeated: dict[Path, int]
    conflicts: dict[Path, list[str]]
    encoding: str
    outside: list[Path]
    root: Path | None

    @classmethod
    def deduplicated(cls, paths: list[Path], labels: list[str], encoding: str = "utf-8") -> LabelRows:
        first: dict[str, int] = {}  # real path -> index of its first row
        kept_paths, kept_labels, repeated, conflicts = [], [], {}, {}
        for path, label in zip(paths, labels):
            key = os.path.realpath(path)  # "a/x.jpg" and "./a/../a/x.jpg" are one image
            if key not in first:
                first[key] = len(kept_paths)
                kept_paths.append(path)
                kept_labels.append(label)
                continue
            kept = kept_paths[first[key]]
            if label == kept_labels[first[key]]:
                repeated[kept] = repeated.get(kept, 1) + 1
            elif label not in conflicts.setdefault(kept, [kept_labels[first[key]]]):
                conflicts[kept].append(label)
        rows = super().__new__(cls, (kept_paths, kept_labels))
        rows.repeated, rows.conflicts, rows.encoding = repeated, conflicts, encoding
        rows.outside, rows.root = [], None
        return rows

    def notes(self, csv_file: os.PathLike | str) -> list[str]:
        """One sentence per kind of row dropped (none for a clean file)."""
        name, notes = Path(csv_file).name, []
        if self.repeated:
            path, times = next(iter(self.repeated.items()))
            notes.append(_("{count} image(s) are listed more than once in {name}, e.g. {example} ({times} times): "
                           "each is used once, so no copy lands in both training and validation.").format(
                count=len(self.repeated), name=name, example=path.name, times=times))
        if self.conflicts:
            path, names = next(iter(self.conflicts.items()))
            notes.append(_("{count} image(s) are listed under two labels in {name}, e.g. {example} as {labels}: "
                           "only the first row's label ({first!r}) is used; fix the file if it is wrong.").format(
                count=len(self.conflicts), name=name, example=path.name, labels=_(" and ").join(repr(n) for n in names), first=names[0]))
        if self.outside:
            shown = ", ".join(pretty_path(path) for path in self.outside[:3]) + (", ..." if len(self.outside) > 3 else "")
            notes.append(_("{count} image(s) listed in {name} lie outside its root folder "
                           "{root} and were read because you allowed it: {shown}.").format(
                count=len(self.outside), name=name, root=pretty_path(self.root) if self.root else "", shown=shown))
        if self.encoding == "cp1252":
            notes.append(_("{name} is not UTF-8 text; read it as Windows-1252 (Excel's default). "
                           "Save it as 'CSV UTF-8' to be sure of accented labels.").format(name=name))
        return notes


def _windows_path(path: Path) -> Path:
    r"""``cats\001.jpg`` written on Windows, read where ``\`` is no separator: the file it names, if that exists."""
    text = str(path)
    if "\\" not in text or path.exists():
        return path
    fixed = Path(text.replace("\\", "/"))
    return fixed if fixed.exists() else path


def _decoded(csv_file: Path) -> tuple[str, str]:
    """The text of a CSV file: UTF-8 (with or without Excel's byte-order mark), else Windows-1252 (Excel's default 'CSV')."""
    raw = csv_file.read_bytes()
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip (.xlsx, .ods) or an old .xls workbook
        raise FolderError(_("{file} is a spreadsheet workbook, not a CSV file; "
                            "save it as CSV (File > Save As > CSV UTF-8) and give that file.").format(file=pretty_path(csv_file)))
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"  # Excel's "Unicode text"
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FolderError(_("{file} is not a text file in UTF-8 or Windows-1252; save it again as 'CSV UTF-8'.").format(
            file=pretty_path(csv_file))) from None


def _delimiter(text: str) -> str:
    """``,`` or what separates the header's columns instead (``;`` in countries where the comma is the decimal mark, a tab)."""
    header = text.splitlines()[0] if text else ""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def write_labels_csv(
    rows: Iterable[tuple[os.PathLike | str, str]], csv_file: os.PathLike | str, relative_to: os.PathLike | str | None = None
) -> Path:
    """Write ``(image file, label)`` rows to a CSV file with the header ``path,label``.

    Args:
        rows: image files and their labels.
        csv_file: the file to write; its folder is created if needed.
        relative_to: write paths relative to this folder (pass the same folder as ``root=`` when
            reading); default: as given.

    Returns:
        The path written.
    """
    csv_file = Path(csv_file)
    csv_file.parent.mkdir(parents=True, exist_ok=True)
    with open(csv_file, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"])
        for path, label in rows:
            path = Path(path)
            writer.writerow([(path.relative_to(relative_to) if relative_to is not None else path).as_posix(), label])
    return csv_file


def csv_datasets(
    csv_file: os.PathLike | str,
    image_size: tuple[int, int] = (150, 150),
    batch_size: int = 32,
    *,
    validation_split: float = 0.2,
    test_split: float | None = None,
    seed: int = 42,
    classes: Sequence[str] | None = None,
    root: os.PathLike | str | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
    allow_outside_root: bool = False,
    label_mode: str = "int",
    augmentation: Callable | None = None,
    max_train: int | None = None,
    max_eval: int | None = None,
    cache: bool = True,
    verbose: bool = True,
) -> FolderDatasets:
    """Training, validation and (optionally) test datasets from a CSV file of ``path,label`` rows.

    The rows are shuffled once with ``seed`` and cut as ``image_dataset_from_directory`` cuts a
    folder: the last ``validation_split + test_split`` of them are held out, the validation rows
    first. Class names are the labels, sorted (or ``classes``, in that order).

    Args:
        csv_file, root, path_column, label_column, classes, allow_outside_root: see :func:`read_labels_csv`.
        label_mode: ``"int"``, ``"categorical"`` (one-hot) or ``"binary"`` (two classes only).
        The others: as for :func:`helpers.data.folders.image_datasets`.

    Returns:
        A :class:`FolderDatasets`, exactly as from a folder of class sub-folders.
    """
    from helpers.data.checks.rules import check_split, check_split_settings
    from helpers.data.checks.scan import inspect_listed
    from helpers.data.filelist import files_dataset, readable_copy

    held_out = check_split_settings(validation_split, test_split, needs="validation_split")
    size = check_options(image_size, batch_size, label_mode, max_train=max_train, max_eval=max_eval)
    rows = read_labels_csv(csv_file, root=root, path_column=path_column, label_column=label_column, classes=classes,
                           allow_outside_root=allow_outside_root)
    paths, labels = rows
    usable, problems, pillow = inspect_listed(paths)
    if verbose or not usable:
        _print_skipped(csv_file, len(paths), problems, len(rows.outside))
    for note in rows.notes(csv_file) if verbose else []:
        print(_("note: {note}").format(note=note))
    if problems:
        keep = set(usable)
        labels = [label for path, label in zip(paths, labels) if path in keep]
        paths = usable
    if not paths:
        raise FolderError(_("None of the images listed in {file} can be read; check the files it names.").format(file=pretty_path(csv_file)))
    read_from = {path: readable_copy(path) for path in pillow}
    class_names = list(classes) if classes is not None else sorted(set(labels))
    if label_mode == "binary" and len(class_names) != 2:
        raise TrainSettingError(_("label_mode='binary' needs exactly two classes, not {count}; use label_mode='int' or 'categorical'.").format(
            count=len(class_names)))
    check_split(len(paths), validation_split, test_split, pretty_path(Path(csv_file)))
    index = {name: i for i, name in enumerate(class_names)}
    order = np.random.RandomState(seed).permutation(len(paths))
    paths, targets = [paths[i] for i in order], [index[labels[i]] for i in order]
    cut = len(paths) - int(held_out * len(paths))
    middle = cut + round((len(paths) - cut) * validation_split / held_out)
    parts = {"train": slice(0, cut), "validation": slice(cut, middle)}
    if test_split:
        parts["test"] = slice(middle, None)
    else:
        parts["validation"] = slice(cut, None)
    sets = {split: files_dataset(paths[part], targets[part], size, label_mode, len(class_names), read_from=read_from)
            for split, part in parts.items()}
    available = {split: len(paths[part]) for split, part in parts.items()}
    caps = {"train": max_train, "validation": max_eval, "test": max_eval}
    counts = {split: min(total, caps[split] or total) for split, total in available.items()}
    if verbose:
        print(_("classes: {names}").format(names=", ".join(class_names)))
        for split, count in counts.items():
            if count < available[split]:
                print(_("{split:<10} {count:>6,} images (of {available:,})").format(split=split, count=count, available=available[split]))
            else:
                print(_("{split:<10} {count:>6,} images").format(split=split, count=count))
    return FolderDatasets(
        train=prepare(sets["train"], batch_size, training=True, augmentation=augmentation, max_images=max_train, cache=cache, seed=seed),
        validation=prepare(sets["validation"], batch_size, max_images=max_eval, cache=cache),
        test=prepare(sets["test"], batch_size, max_images=max_eval, cache=cache) if "test" in sets else None,
        class_names=class_names,
        image_size=size,
        counts=counts,
        test_files=[str(path) for path in paths[parts["test"]]][: counts["test"]] if "test" in parts else [],
    )


def _print_skipped(csv_file: Path, listed: int, problems: list, outside: int = 0) -> None:
    """One line for a clean list; otherwise each file skipped and why (at most 10). Files read from outside the root are counted."""
    extra = _(" ({outside:,} of them outside the root folder, allowed)").format(outside=outside) if outside else ""
    if not problems:
        print(_("scan of {file}: {listed:,} images listed{extra}, all readable").format(
            file=pretty_path(csv_file), listed=listed, extra=extra))
        return
    print(_("scan of {file}: {listed:,} images listed{extra}; {count} skipped:").format(
        file=pretty_path(csv_file), listed=listed, extra=extra, count=len(problems)))
    for problem in problems[:10]:
        print(f"  {problem}")
    if len(problems) > 10:
        print("  " + _("... and {count} more").format(count=len(problems) - 10))
