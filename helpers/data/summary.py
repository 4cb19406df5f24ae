"""A printable overview of the registry: what each dataset is and where the course will find it.

Introduced in ``00_setup.ipynb``.
"""

from __future__ import annotations

from helpers.data.download import is_valid, mirror_candidates
from helpers.data.paths import datasets_dir
from helpers.data.registry import DATASETS, Archive, DatasetInfo
from helpers.language import _
from helpers.tables import text_table


def _where(info: DatasetInfo, archive: Archive | None) -> str:
    if archive is None:
        return "-"
    if is_valid(datasets_dir() / archive.cache_name, archive):
        return _("in cache")
    urls, _notes = mirror_candidates(info, archive)
    if urls:
        return _("in mirror")
    return _("download") if archive.origins else _("mirror only")


def _size(archive: Archive) -> str:
    """The archive's size in MB, or "size not published" when its publisher states none (Caltech-101)."""
    return f"{archive.size / 1e6:,.0f} MB" if archive.size else _("size not published")


def registry_table() -> str:
    """Return a text table: dataset, full archive (images, size, where), mini archive (same)."""
    rows = []
    for info in DATASETS.values():
        full = _("{images:,} img, {size}").format(images=info.full.images, size=_size(info.full))
        mini = _("{images:,} img, {size}").format(images=info.mini.images, size=_size(info.mini)) if info.mini else "-"
        rows.append((info.name, full, _where(info, info.full), mini, _where(info, info.mini)))
    return text_table(rows, (_("dataset"), _("full archive"), _("where"), _("mini archive"), _("where")), rule="columns")
