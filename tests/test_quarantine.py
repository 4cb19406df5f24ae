"""quarantine(): what it moves out of a data folder, what it keeps, and its log (tiny generated images: edge cases only)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.data.checks import quarantine
from helpers.data.checks.quarantine import LOG_NAME
from helpers.data.checks.scan import scan_folder


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    """A Keras cache of its own, so the scan's per-file cache starts empty."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))


def pets(root: Path) -> Path:
    """cats/000-002.jpg and dogs/000-002.jpg, each a different small image."""
    rng = np.random.default_rng(7)
    for name in ("cats", "dogs"):
        (root / name).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(rng.integers(0, 255, (8, 12, 3), dtype=np.uint8), "RGB").save(root / name / f"{i:03d}.jpg")
    return root


def log_rows(log: Path) -> list[dict[str, str]]:
    with open(log, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_duplicates_true_moves_every_copy_after_the_first_and_keeps_the_first(tmp_path):
    root = pets(tmp_path / "pets")
    shutil.copy(root / "cats" / "001.jpg", root / "cats" / "001 copy.jpg")  # an exact copy in the same class
    shutil.copy(root / "cats" / "001.jpg", root / "dogs" / "also_a_cat.jpg")  # and in another class
    (root / "dogs" / "empty.jpg").write_bytes(b"")  # a problem file, moved in any case
    scan = scan_folder(root)
    assert [[p.name for p in group] for group in scan.duplicates] == [["001 copy.jpg", "001.jpg", "also_a_cat.jpg"]]
    first = scan.duplicates[0][0]

    log = quarantine.quarantine(scan, duplicates=True, verbose=False)

    aside = tmp_path / "pets_quarantine"
    assert log == aside / LOG_NAME
    moved = {row["file"]: row for row in log_rows(log)}
    assert set(moved) == {"dogs/empty.jpg", "cats/001.jpg", "dogs/also_a_cat.jpg"}
    assert moved["cats/001.jpg"]["reason"] == moved["dogs/also_a_cat.jpg"]["reason"] == f"duplicate of cats/{first.name}"
    assert moved["dogs/empty.jpg"]["reason"] == "empty file"
    # kept: the first copy and every other image; moved, never deleted, with the same bytes
    assert first.is_file() and not (root / "cats" / "001.jpg").exists() and not (root / "dogs" / "also_a_cat.jpg").exists()
    assert (aside / "cats" / "001.jpg").read_bytes() == first.read_bytes() == (aside / "dogs" / "also_a_cat.jpg").read_bytes()
    assert (aside / "dogs" / "empty.jpg").stat().st_size == 0
    after = scan_folder(root)
    assert after.ok and after.duplicates == [] and after.counts == {"cats": 3, "dogs": 3}


def test_without_duplicates_true_copies_stay(tmp_path, capsys):
    root = pets(tmp_path / "pets")
    shutil.copy(root / "dogs" / "002.jpg", root / "cats" / "dog_copy.jpg")
    assert quarantine.quarantine(scan_folder(root)) is None, "no problem file: nothing moved, no log"
    assert capsys.readouterr().out.startswith("nothing to move")
    assert (root / "cats" / "dog_copy.jpg").is_file() and not (tmp_path / "pets_quarantine").exists()
    scan = scan_folder(root)
    assert len(scan.duplicates) == 1 and scan.counts == {"cats": 4, "dogs": 3}


def test_a_second_quarantine_appends_to_the_log_and_never_overwrites(tmp_path):
    root = pets(tmp_path / "pets")
    for _ in range(2):
        shutil.copy(root / "dogs" / "000.jpg", root / "dogs" / "zz_copy.jpg")
        quarantine.quarantine(scan_folder(root), duplicates=True, verbose=False)
    aside = tmp_path / "pets_quarantine" / "dogs"
    assert sorted(p.name for p in aside.iterdir()) == ["zz_copy-1.jpg", "zz_copy.jpg"]
    rows = log_rows(tmp_path / "pets_quarantine" / LOG_NAME)
    assert [row["file"] for row in rows] == ["dogs/zz_copy.jpg", "dogs/zz_copy.jpg"]
    assert rows[1]["moved_to"].endswith("dogs/zz_copy-1.jpg")
