"""The folder scan and the datasets built on it, one test per messy-folder case (generated images).

Generated images are used here only because each test needs one precise kind of broken or unusual
file; the clean-folder equivalence test uses the real Caltech-101 photos.
"""

from __future__ import annotations

import csv
import io
import itertools
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import errors
from helpers.data import filelist, folders, labels_csv
from helpers.data.checks import quarantine, rules
from helpers.data.checks.scan import scan_folder
from helpers.errors import CourseError
from helpers.train import command

SIZE = (16, 16)
_SEEDS = itertools.count(100)


def photo(width: int = 24, height: int = 16, seed: int = 0) -> Image.Image:
    """A small smooth random RGB image (a stand-in photo for edge-case tests only)."""
    coarse = Image.fromarray(np.random.default_rng(seed).integers(0, 255, (3, 4, 3), dtype=np.uint8), "RGB")
    return coarse.resize((width, height), Image.Resampling.BICUBIC)


def folder(root: Path, layout: dict[str, int]) -> Path:
    """``{class name: number of good JPEGs}`` under ``root``."""
    for name, count in layout.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            photo(seed=next(_SEEDS)).save(root / name / f"{i:03d}.jpg", quality=90)
    return root


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    """A Keras cache of its own, so the scan's cache and Pillow copies start empty."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))


def images_and_labels(splits) -> tuple[np.ndarray, np.ndarray]:
    parts = [folders.dataset_arrays(split) for split in (splits.train, splits.validation, splits.test) if split is not None]
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def reasons(scan) -> dict[str, str]:
    return {p.path.relative_to(scan.root).as_posix(): p.reason for p in scan.problems}


# --- unreadable and non-image files -------------------------------------------------------------


def test_truncated_jpeg_is_reported_skipped_and_quarantined(tmp_path, capsys):
    root = folder(tmp_path / "pets", {"cats": 6, "dogs": 6})
    buffer = io.BytesIO()
    photo(320, 240).save(buffer, "JPEG", quality=90)
    (root / "cats" / "broken.jpg").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    splits = folders.image_datasets(root, SIZE, 4, validation_split=0.25)
    out = capsys.readouterr().out
    assert "1 file skipped:" in out and "cats/broken.jpg: damaged image (truncated: the file ends early" in out
    x, y = images_and_labels(splits)
    assert x.shape == (12, 16, 16, 3) and sorted(y.tolist()) == [0] * 6 + [1] * 6
    log = quarantine.quarantine(scan_folder(root))
    assert not (root / "cats" / "broken.jpg").exists()
    moved = tmp_path / "pets_quarantine" / "cats" / "broken.jpg"
    assert moved.read_bytes() == buffer.getvalue()[: len(buffer.getvalue()) // 2], "moved, never deleted"
    rows = list(csv.DictReader(log.open()))
    assert rows[0]["file"] == "cats/broken.jpg" and rows[0]["reason"].startswith("damaged image") and rows[0]["moved_to"].endswith("cats/broken.jpg")
    assert scan_folder(root).ok


def test_zero_byte_file(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    (root / "dogs" / "666.jpg").write_bytes(b"")
    scan = scan_folder(root)
    assert reasons(scan) == {"dogs/666.jpg": "empty file"} and scan.counts == {"cats": 3, "dogs": 3}
    assert [row.unreadable for row in scan.classes] == [0, 1]
    assert folders.image_datasets(root, SIZE, 2, validation_split=0.5, verbose=False).counts == {"train": 3, "validation": 3}


def test_html_page_saved_as_jpg(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    (root / "cats" / "download.jpg").write_text("<!DOCTYPE html>\n<html><body>403 Forbidden</body></html>")
    (root / "cats" / "README.txt").write_text("photos from my phone")
    scan = scan_folder(root)
    assert reasons(scan) == {"cats/download.jpg": "not an image (an HTML page, perhaps a failed download)",
                             "cats/README.txt": "not an image"}
    assert scan.classes[0].non_image == 2
    assert "cats/download.jpg: not an image (an HTML page" in scan.summary()
    assert folders.image_datasets(root, SIZE, 2, validation_split=0.5, verbose=False).counts == {"train": 3, "validation": 3}


@pytest.mark.parametrize("name", ["Thumbs.db", ".DS_Store", "desktop.ini"])
def test_system_files_are_ignored_not_problems(tmp_path, name):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    (root / "cats" / name).write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (root / name).write_bytes(b"\x00\x00\x00\x01Bud1")
    scan = scan_folder(root)
    assert scan.ok and scan.class_names == ["cats", "dogs"] and scan.counts == {"cats": 3, "dogs": 3}
    assert sorted(p.relative_to(root).as_posix() for p in scan.ignored) == sorted([name, f"cats/{name}"])
    assert f"ignored (system files, never classes or images): {name} (2)" in scan.summary()
    assert scan.keras_ready, "Keras lists only .jpg/.png/...: these never reach it"


# --- hidden folders, empty, single and small classes ----------------------------------------------


@pytest.mark.parametrize("where", ["root", "class"])
def test_ipynb_checkpoints_is_never_a_class_nor_an_image(tmp_path, where, capsys):
    root = folder(tmp_path / "pets", {"cats": 4, "dogs": 4})
    checkpoints = root / ".ipynb_checkpoints" if where == "root" else root / "cats" / ".ipynb_checkpoints"
    folder(checkpoints, {"dogs-checkpoint": 2})  # Jupyter's copies, images included
    shutil.copy(root / "cats" / "000.jpg", checkpoints / "000-checkpoint.jpg")
    (tmp_path / "pets" / "__MACOSX").mkdir()
    splits = folders.image_datasets(root, SIZE, 4, validation_split=0.25)
    assert splits.class_names == ["cats", "dogs"]
    x, y = images_and_labels(splits)
    assert len(x) == 8 and sorted(y.tolist()) == [0] * 4 + [1] * 4, "the checkpoint copies are not used"
    assert "ignored (system files, never classes or images): .ipynb_checkpoints, __MACOSX" in capsys.readouterr().out
    assert rules.class_counts(root) == {"cats": 4, "dogs": 4}


def test_empty_class_folder(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    (root / "birds").mkdir()
    (root / "fish").mkdir()
    (root / "fish" / "fish.jpg").write_bytes(b"")
    scan = scan_folder(root)
    assert "class 'birds' has no usable images: add some, or leave it out with classes=[...]." in scan.notes
    with pytest.raises(errors.FolderError) as error:  # the wording is checked once, just below
        folders.image_datasets(root, SIZE, validation_split=0.5, verbose=False)
    assert "pets/birds" in str(error.value)
    with pytest.raises(CourseError, match=r"pets/fish holds no images \(its 1 file\(s\) cannot be used, e.g. fish/fish.jpg: empty file\)"):
        rules.class_counts(root, ["cats", "fish"])
    assert folders.image_datasets(root, SIZE, classes=["cats", "dogs"], validation_split=0.5, verbose=False).class_names == ["cats", "dogs"]


def test_single_class(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 4})
    assert scan_folder(root).notes[0].startswith("only one class ('cats'): a classifier needs at least two")
    with pytest.raises(CourseError, match=r"pets has only one class sub-folder, 'cats'; a classifier needs at least two"):
        rules.class_counts(root)
    from helpers import train

    with pytest.raises(errors.FolderError):  # the same check, before any training
        train.train_from_folder(root, 16, epochs=1, base=None, verbose=0)


def test_class_with_fewer_images_than_a_batch(tmp_path, capsys):
    root = folder(tmp_path / "pets", {"cats": 10, "rare": 3})
    splits = folders.image_datasets(root, SIZE, 8, validation_split=0.2)
    assert "note: class 'rare' has 3 images, fewer than one batch of 8: it trains, but add images if it matters." in capsys.readouterr().out
    x, y = images_and_labels(splits)
    assert len(x) == 13 and int((y == 1).sum()) == 3
    assert any("a 20% validation split may hold out none" in note for note in scan_folder(root, validation_split=0.2).notes)


# --- image formats ------------------------------------------------------------------------------


def mixed_class(folder_: Path) -> dict[str, Image.Image]:
    """The same picture in every format and colour mode a real folder mixes."""
    folder_.mkdir(parents=True)
    base = photo(24, 16, seed=3)
    gray16 = np.asarray(base.convert("L")).astype(np.uint16) * 257
    files = {
        "gray.jpg": base.convert("L"), "cmyk.jpg": base.convert("CMYK"), "rgba.png": base.convert("RGBA"),
        "gray16.png": Image.fromarray(gray16), "palette.gif": base.convert("P"), "rgb.bmp": base,
        "palette.bmp": base.convert("P"), "photo.webp": base, "scan.tiff": base,
    }
    for name, image in files.items():
        image.save(folder_ / name, **({"quality": 95} if name.endswith((".jpg", ".webp")) else {}))
    return files


def test_mixed_formats_and_modes_in_one_class(tmp_path):
    root = folder(tmp_path / "mixed", {"plain": 9})
    files = mixed_class(root / "odd")
    scan = scan_folder(root)
    assert scan.ok and scan.counts == {"odd": 9, "plain": 9}
    assert set(scan.classes[0].formats) == {"JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF"}
    assert set(scan.classes[0].modes) == {"L", "CMYK", "RGBA", "I;16", "P", "RGB"}
    assert {p.name: why for p, why in scan.pillow.items()} == {"palette.bmp": "palette BMP", "scan.tiff": "TIFF format",
                                                              "photo.webp": "WEBP format"}  # decode_image reads WebP only from TF 2.20
    assert not scan.keras_ready, "Keras would leave out the WebP and TIFF files and misread the palette BMP"
    splits = folders.image_datasets(root, (16, 24), 18, validation_split=0.5, seed=1, verbose=False)
    x, y = images_and_labels(splits)
    assert x.shape == (18, 16, 24, 3) and sorted(y.tolist()) == [0] * 9 + [1] * 9
    # each odd file decodes to what Pillow sees in it: the 16-bit PNG is not white, the palette BMP is in colour
    truth = {name: Image.open(root / "odd" / name).convert("RGB") for name in files}  # Pillow's reading of each file
    truth["gray16.png"] = files["gray.jpg"].convert("RGB")  # except 16-bit, which Pillow's convert() clips to white
    ordered = filelist.scan_datasets(scan_folder(root, ["odd"]), (16, 24), shuffle=False)
    for path, (image, label) in zip(ordered.file_paths, ordered):
        expected = np.asarray(truth[Path(path).name], dtype=np.float32)
        assert int(label) == 0 and np.abs(np.asarray(image) - expected).mean() < 3, path
    assert not list((root / "odd").glob("*.png.png")), "copies go to the Keras cache, not the data folder"


def test_exif_rotated_jpeg_is_used_upright(tmp_path):
    root = folder(tmp_path / "phone", {"other": 2})
    (root / "portrait").mkdir()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display rotated 90 degrees clockwise
    stored = photo(40, 20, seed=5)
    stored.save(root / "portrait" / "IMG_0001.jpg", quality=95, exif=exif.tobytes())
    stored.save(root / "portrait" / "IMG_0002.jpg", quality=95, exif=exif.tobytes())
    scan = scan_folder(root)
    assert {p.name: why for p, why in scan.pillow.items()} == {"IMG_0001.jpg": "EXIF rotation", "IMG_0002.jpg": "EXIF rotation"}
    splits = folders.image_datasets(root, (40, 20), 4, validation_split=0.5, verbose=False)
    upright = np.asarray(stored.transpose(Image.Transpose.ROTATE_270), dtype=np.float32)  # 20 wide, 40 high
    x, y = images_and_labels(splits)
    portrait = x[y == 1]
    assert portrait.shape == (2, 40, 20, 3) and all(np.abs(img - upright).mean() < 8 for img in portrait)
    from helpers import predict

    assert np.abs(predict.load_image(root / "portrait" / "IMG_0001.jpg", (40, 20)) - upright).mean() < 8


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A 20,000 x 20,000 PNG (400 megapixels, over twice Pillow's limit) that is only a few KB on disk."""
    path = tmp_path_factory.mktemp("bomb") / "huge.png"
    Image.new("1", (20_000, 20_000)).save(path)
    return path


def test_image_far_above_the_decompression_bomb_limit(tmp_path, bomb):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    shutil.copy(bomb, root / "dogs")
    scan = scan_folder(root)
    assert reasons(scan) == {"dogs/huge.png": "too large (more than 89 megapixels, Pillow's safety limit); shrink it"}
    assert Image.MAX_IMAGE_PIXELS == 89_478_485, "the limit itself is left alone"
    assert folders.image_datasets(root, SIZE, 2, validation_split=0.5, verbose=False).counts == {"train": 3, "validation": 3}


# --- names, permissions, layout -----------------------------------------------------------------


def test_class_names_in_chinese_and_with_spaces(tmp_path, capsys):
    root = folder(tmp_path / "宠物 photos", {"猫": 3, "big dogs": 4})
    splits = folders.image_datasets(root, SIZE, 4, validation_split=0.25)
    assert splits.class_names == ["big dogs", "猫"] and "classes: big dogs, 猫" in capsys.readouterr().out
    x, y = images_and_labels(splits)
    assert x.shape == (7, 16, 16, 3) and sorted(y.tolist()) == [0] * 4 + [1] * 3
    assert scan_folder(root).table().splitlines()[1].startswith("big dogs")


def test_read_only_data_folder(tmp_path, monkeypatch):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    (root / "cats" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(10))
    shutil.copy(root / "cats" / "000.jpg", root / "cats" / "tilted.tiff")  # needs a Pillow copy
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        splits = folders.image_datasets(root, SIZE, 2, validation_split=0.5, verbose=False)
        assert splits.counts == {"train": 4, "validation": 3}
        assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before, "nothing written"

        def refuse(*args):  # what a read-only folder does (the tests may run as root, who may write anyway)
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(shutil, "move", refuse)
        expected = r"Could not move cats/broken.jpg out of .*pets \(Permission denied\); the folder is probably read-only"
        with pytest.raises(errors.QuarantineError, match=expected):
            quarantine.quarantine(scan_folder(root), to=tmp_path / "elsewhere")
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_nested_sub_folders_inside_a_class(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 2, "cats/kittens": 3, "cats/kittens/tiny": 1, "dogs": 4})
    photo().save(root / "stray.jpg")
    (root / "LICENSE.txt").write_text("CC BY")
    scan = scan_folder(root)
    assert scan.notes[-1].endswith("pets, not in a class sub-folder, are not used, e.g. stray.jpg.")
    assert scan.counts == {"cats": 6, "dogs": 4} and scan.classes[0].nested == 4
    assert "class 'cats' has 4 images in sub-folders; they are used as 'cats' (as Keras does)." in scan.notes
    assert scan.keras_ready, "Keras reads sub-folders too: same files either way"
    x, y = images_and_labels(folders.image_datasets(root, SIZE, 4, validation_split=0.2, verbose=False))
    assert len(x) == 10 and int((y == 0).sum()) == 6


def test_symlinked_class_folder(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 3})
    elsewhere = folder(tmp_path / "shared_drive", {"dogs": 4})
    (root / "dogs").symlink_to(elsewhere / "dogs", target_is_directory=True)
    (root / "cats" / "more").symlink_to(folder(tmp_path / "more", {"cats": 2}) / "cats", target_is_directory=True)
    (elsewhere / "dogs" / "loop").symlink_to(elsewhere / "dogs", target_is_directory=True)  # followed once, no endless loop
    scan = scan_folder(root)
    assert scan.counts == {"cats": 5, "dogs": 4}, "linked class and linked sub-folder both read"
    x, y = images_and_labels(folders.image_datasets(root, SIZE, 3, validation_split=0.3, verbose=False))
    assert len(x) == 9 and sorted(y.tolist()) == [0] * 5 + [1] * 4


# --- the scan itself: report, cache, duplicates, the Keras-equivalent path -------------------------


def test_report_cache_and_duplicates(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 4, "dogs": 4})
    shutil.copy(root / "cats" / "001.jpg", root / "dogs" / "same_as_a_cat.jpg")
    first = scan_folder(root)
    assert first.from_cache == 0 and scan_folder(root).from_cache == 9, "unchanged files come from the cache"
    assert first.duplicates == [[root / "cats" / "001.jpg", root / "dogs" / "same_as_a_cat.jpg"]]
    assert any(note.startswith("1 duplicate file by content, for example cats/001.jpg = dogs/same_as_a_cat.jpg") for note in first.notes)
    table = str(first).splitlines()
    assert table[0].split() == ["class", "images", "unreadable", "non-image", "formats", "modes", "sizes", "(w", "x", "h)", "duplicates"]
    assert table[2].split() == ["dogs", "5", "0", "0", "JPEG", "RGB", "24x16", "to", "24x16", "1"]
    (root / "cats" / "001.jpg").write_bytes(b"")  # changed on disk: decoded again
    assert reasons(scan_folder(root)) == {"cats/001.jpg": "empty file"}


def test_file_list_path_matches_keras_on_a_clean_real_folder(tmp_path, real_dataset):
    """With the scan's own file list (used when a folder is messy), a clean folder gives Keras's very splits."""
    import keras

    caltech = real_dataset("caltech101")
    root = tmp_path / "caltech"
    for name in ("crab", "cup"):
        shutil.copytree(caltech / name, root / name)
    scan = scan_folder(root)
    assert scan.keras_ready
    mine = filelist.scan_datasets(scan, (24, 24), validation_split=0.3, subset="both", seed=7)
    theirs = keras.utils.image_dataset_from_directory(root, image_size=(24, 24), batch_size=None, validation_split=0.3,
                                                      subset="both", seed=7, verbose=False)
    for a, b in zip(mine, theirs):
        assert a.file_paths == b.file_paths
    x_mine = np.stack([np.asarray(x) for x, _ in mine[1]])
    x_theirs = np.stack([np.asarray(x) for x, _ in theirs[1]])
    assert np.array_equal(x_mine, x_theirs)


def test_labels_csv_skips_bad_rows_and_reads_odd_formats(tmp_path, capsys):
    root = folder(tmp_path / "imgs", {"a": 4, "b": 4})
    (root / "a" / "empty.jpg").write_bytes(b"")
    photo(seed=9).save(root / "b" / "photo.webp")
    rows = [(p, p.parent.name) for p in sorted(root.rglob("*.*"))]
    csv_file = labels_csv.write_labels_csv(rows, tmp_path / "labels.csv", relative_to=tmp_path)
    splits = labels_csv.csv_datasets(csv_file, SIZE, 4, validation_split=0.25)
    out = capsys.readouterr().out
    assert "10 images listed; 1 skipped:" in out and "a/empty.jpg: empty file" in out
    x, y = images_and_labels(splits)
    assert x.shape == (9, 16, 16, 3) and sorted(y.tolist()) == [0] * 4 + [1] * 5


def test_train_from_folder_on_a_messy_folder(tmp_path, capsys):
    """End to end: no traceback, the summary names the bad files, training goes on without them."""
    from helpers import train

    root = folder(tmp_path / "pets", {"cats": 8, "dogs": 8})
    (root / "cats" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(40))
    (root / "dogs" / "Thumbs.db").write_bytes(bytes(64))
    folder(root / "dogs" / ".ipynb_checkpoints", {"x": 2})
    result = train.train_from_folder(root, 16, batch_size=4, epochs=1, base=None, widths=(4,), convs_per_block=1, verbose=1)
    out = capsys.readouterr().out
    assert "cats/broken.jpg: damaged image" in out and "ignored (system files" in out
    assert result.datasets.counts == {"train": 13, "validation": 3}


def test_training_command_quarantines_on_request(tmp_path, capsys):
    """``python -m helpers.train FOLDER --quarantine`` moves the damaged file aside with a log and trains on the rest."""

    root = folder(tmp_path / "pets", {"cats": 8, "dogs": 8})
    (root / "cats" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(40))
    status = command.main([str(root), "--scratch", "--image-size", "16", "--batch-size", "4", "--epochs", "1", "--widths", "4",
                         "--quarantine", "--quiet", "--output", str(tmp_path / "pets.keras")])
    assert status == 0
    moved = tmp_path / "pets_quarantine" / "cats" / "broken.jpg"
    assert moved.exists() and not (root / "cats" / "broken.jpg").exists()
    log = (tmp_path / "pets_quarantine" / "quarantine_log.csv").read_text()
    assert "broken.jpg" in log and "damaged image" in log


def test_prediction_command_skips_and_explains_the_same_files(tmp_path, bomb, capsys):
    """``python -m helpers.predict MODEL -d FOLDER`` on the same messy files: one line each, no traceback."""
    import keras

    from helpers import model_files, predict

    inputs = keras.Input((16, 16, 3))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(inputs))))
    model_path = model_files.save_classifier(model, tmp_path / "tiny.keras", ["cats", "dogs"])
    samples = tmp_path / "samples"
    files = mixed_class(samples)
    exif = Image.Exif()
    exif[0x0112] = 6
    photo(40, 20).save(samples / "sideways.jpg", exif=exif.tobytes())
    (samples / "broken.jpg").write_bytes((samples / "gray.jpg").read_bytes()[:200])
    (samples / "empty.jpg").write_bytes(b"")
    (samples / "page.jpg").write_text("<html><body>Not found</body></html>")
    shutil.copy(bomb, samples)
    for name in ("Thumbs.db", "desktop.ini", ".DS_Store"):
        (samples / name).write_bytes(bytes(16))
    (samples / "cats").mkdir()
    assert predict.main([str(model_path), "-d", str(samples)]) == 0
    out, err = capsys.readouterr()
    lines = {line.split(": ")[0].rsplit("/", 1)[-1]: line.split(": ", 1)[1] for line in out.splitlines()[:-2]}
    assert all(lines[name].split()[0] in ("cats", "dogs") for name in [*files, "sideways.jpg"]), lines
    assert lines["broken.jpg"] == "unreadable (damaged image (truncated: the file ends early, as after an interrupted download or copy)), skipped"
    assert lines["empty.jpg"] == "unreadable (empty file), skipped"
    assert lines["page.jpg"] == "unreadable (not an image (an HTML page, perhaps a failed download)), skipped"
    assert lines["huge.png"].startswith("unreadable (too large (more than 89 megapixels")
    assert out.splitlines()[-2:] == [
        f"{len(files) + 1} images predicted, 4 skipped",
        "note: ignored 3 system files (.DS_Store, Thumbs.db, desktop.ini); sub-folders are not read (cats): give one with -d",
    ]
    assert "Traceback" not in out + err
