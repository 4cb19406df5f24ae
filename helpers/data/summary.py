"""A printable overview of the registry: what each dataset is and where the course will find it.

Introduced in ``00_setup.ipynb``.
"""

from __future__ import annotations

from helpers.data.download import is_valid, mirror_candidates
from helpers.data.paths import datasets_dir
from helpers.data.registry import DATASETS, Archive, DatasetInfo
from helpers.tables import text_table


def _where(info: DatasetInfo, archive: Archive | None) -> str:
    if archive is None:
        return "-"
    if is_valid(datasets_dir() / archive.cache_name, archive):
        return "in cache"
    urls, _ = mirror_candidates(info, archive)
    if urls:
        return "in mirror"
    return "download" if archive.origins else "mirror only"


def _size(archive: Archive) -> str:
    """The archive's size in MB, or "size not published" when its publisher states none (Caltech-101)."""
    return f"{archive.size / 1e6:,.0f} MB" if archive.size else "size not published"


def registry_table() -> str:
    """Return a text table: dataset, full archive (images, size, where), mini archive (same)."""
    rows = []
    for info in DATASETS.values():
        full = f"{info.full.images:,} img, {_size(info.full)}"
        mini = f"{info.mini.images:,} img, {_size(info.mini)}" if info.mini else "-"
        rows.append((info.name, full, _where(info, info.full), mini, _where(info, info.mini)))
    return text_table(rows, ("dataset", "full archive", "where", "mini archive", "where"), rule="columns")
