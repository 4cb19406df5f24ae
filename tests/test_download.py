"""The download layer: mirror first, checked, no partial file ever used, clear messages."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from helpers.data import download, fetch_file, paths
from helpers.data.download import choose_variant, fetch
from helpers.data.paths import pretty_path
from helpers.data.registry import Archive, DatasetInfo, get_dataset
from helpers.errors import ChecksumError, DatasetUnavailableError, SettingError

CALTECH = get_dataset("caltech101")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _png_zip(path: Path, count: int) -> Path:
    """A zip of tiny generated PNGs, for edge cases of the content check only."""
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(count):
            buffer = io.BytesIO()
            Image.new("RGB", (4, 4), (i, 0, 0)).save(buffer, "PNG")
            archive.writestr(f"set/class/{i}.png", buffer.getvalue())
    return path


def _one_off(archive: Archive, name: str = "demo") -> DatasetInfo:
    return DatasetInfo(name=name, title="test", full=archive, mini=None)


def test_fetch_from_a_mirror_folder_fills_the_keras_cache(empty_cache, course_mirror, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    root = fetch("caltech101", "mini")
    assert root == empty_cache / "datasets" / "caltech-101-mini_extracted" / "101_ObjectCategories"
    assert sorted(p.name for p in root.iterdir()) == ["crab", "crayfish", "cup", "dalmatian", "ewer", "lobster"]
    assert sum(1 for _ in root.rglob("*.jpg")) == 393
    assert "Fetching caltech-101-mini.tar.gz" in capsys.readouterr().out
    # A second call uses the cache: no new fetch, no re-extraction.
    marker = root.parent / ".course-extracted"
    stamp = marker.stat().st_mtime_ns
    assert fetch("caltech101", "mini") == root
    assert "Fetching" not in capsys.readouterr().out
    assert marker.stat().st_mtime_ns == stamp


def test_fetch_over_http_from_a_classroom_mirror(empty_cache, course_mirror, monkeypatch, serve):
    with serve(course_mirror) as address:
        monkeypatch.setenv("COURSE_DATA_MIRROR", address)
        assert download.mini_reachable(CALTECH)
        root = fetch("caltech101", "mini", verbose=False)
    assert (root / "dalmatian").is_dir()


def test_a_damaged_cached_file_is_moved_aside_and_fetched_again(empty_cache, course_mirror, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    target = empty_cache / "datasets" / "caltech-101-mini.tar.gz"
    target.parent.mkdir(parents=True)
    good = (course_mirror / "caltech101" / "caltech-101-mini.tar.gz").read_bytes()
    target.write_bytes(good[: len(good) // 2])  # an interrupted download
    fetch("caltech101", "mini", verbose=False)
    assert _sha256(target) == CALTECH.mini.hashes[0]
    aside = target.with_name(target.name + ".corrupt")
    assert aside.stat().st_size == len(good) // 2, "the damaged file is kept, not deleted"
    assert "moved it to caltech-101-mini.tar.gz.corrupt" in capsys.readouterr().out


def test_move_without_overwriting_never_overwrites(tmp_path):
    """paths.move_without_overwriting: the one way a bad file is set aside, with the two namings learners see."""
    from helpers.data.paths import move_without_overwriting

    damaged = tmp_path / "set.zip"
    for number, expected in enumerate(["set.zip.corrupt", "set.zip.corrupt-2", "set.zip.corrupt-3"]):
        damaged.write_bytes(bytes([number]))
        assert move_without_overwriting(damaged).name == expected and not damaged.exists()
    assert (tmp_path / "set.zip.corrupt").read_bytes() == b"\x00", "the first one is kept"
    (tmp_path / "cats").mkdir()
    for number, expected in enumerate(["a.jpg", "a-1.jpg", "a-2.jpg"]):
        (tmp_path / "cats" / "a.jpg").write_bytes(bytes([number]))
        moved = move_without_overwriting(tmp_path / "cats" / "a.jpg", tmp_path / "aside" / "cats" / "a.jpg")
        assert moved == tmp_path / "aside" / "cats" / expected and moved.read_bytes() == bytes([number])


def test_checksum_mismatch_is_fetched_twice_then_reported(empty_cache, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror" / "demo"
    mirror.mkdir(parents=True)
    (mirror / "wrong.tar.gz").write_bytes(b"\x1f\x8b" + bytes(8))  # gzip of the right size: perhaps another version
    # (an HTML page or a file cut short is not fetched twice: tests/test_untrusted_input.py)
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror.parent))
    calls = []
    real = fetch_file.download_file
    monkeypatch.setattr(download, "download_file", lambda url, staging, **options: (calls.append(url), real(url, staging, **options))[1])
    info = _one_off(Archive("wrong.tar.gz", "wrong.tar.gz", (), ("a" * 64,), 1, 10))
    with pytest.raises(ChecksumError, match="wrong.tar.gz.*checksum never matched.*place a good copy at") as error:
        download.fetch_archive(info, info.full, verbose=False)
    assert len(calls) == 2 and "may hold a different version" in str(error.value)
    assert "(got 10 bytes (gzip data), expected 10 bytes, the right size; checksum mismatch)" in str(error.value)
    assert "\n" not in str(error.value)
    assert list((empty_cache / "datasets").iterdir()) == [], "neither the bad file nor a .part is left"


def test_offline_without_a_mirror_says_what_to_do(empty_cache):
    with pytest.raises(DatasetUnavailableError) as error:
        fetch("caltech101", "mini")
    message = str(error.value)
    assert "caltech-101-mini.tar.gz" in message and "'caltech101'" in message
    assert "COURSE_DATA_MIRROR" in message and "$KERAS_HOME/datasets/caltech-101-mini.tar.gz" in message
    assert "Traceback" not in message and "\n" not in message


def test_dead_origin_leaves_no_partial_file(empty_cache):
    info = _one_off(Archive("gone.zip", "gone.zip", ("http://127.0.0.1:9/gone.zip",), ("a" * 64,), 1, 10))
    with pytest.raises(DatasetUnavailableError, match="http://127.0.0.1:9/gone.zip"):
        download.fetch_archive(info, info.full, verbose=False)
    assert not any((empty_cache / "datasets").iterdir())


def test_mirror_folder_without_the_file_is_named(empty_cache, tmp_path, monkeypatch):
    (tmp_path / "classroom").mkdir()
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{tmp_path / 'classroom'};{tmp_path / 'absent'}")
    with pytest.raises(DatasetUnavailableError) as error:
        fetch("caltech101", "mini")
    assert "has no caltech101/caltech-101-mini.tar.gz" in str(error.value)
    assert "absent does not exist" in str(error.value)


def test_content_check_accepts_an_unhashed_origin_copy_with_the_right_image_count(empty_cache, tmp_path, monkeypatch):
    source = _png_zip(tmp_path / "set.zip", 5)
    good = _one_off(Archive("set.zip", "set.zip", (source.as_uri(),), ("a" * 64,), 5, None, root="set", content_check=True))
    assert download.fetch_archive(good, good.full, verbose=False).is_file()
    root = download.extract_archive(good, good.full, empty_cache / "datasets" / "set.zip")
    assert len(list(root.rglob("*.png"))) == 5
    (empty_cache / "datasets" / "set.zip").unlink()
    wrong = _one_off(Archive("set.zip", "set.zip", (source.as_uri(),), ("a" * 64,), 6, None, content_check=True))
    with pytest.raises(ChecksumError):
        download.fetch_archive(wrong, wrong.full, verbose=False)


def test_the_other_variant_in_the_cache_is_not_treated_as_damage(empty_cache, tmp_path, monkeypatch):
    mini_file = _png_zip(tmp_path / "mini.zip", 2)
    mini = Archive("m.zip", "same.zip", (), (_sha256(mini_file),), 2, None)
    full = Archive("f.zip", "same.zip", (), ("b" * 64,), 9, None)
    info = DatasetInfo(name="demo", title="t", full=full, mini=mini)
    target = empty_cache / "datasets" / "same.zip"
    target.parent.mkdir(parents=True)
    shutil.copyfile(mini_file, target)
    with pytest.raises(DatasetUnavailableError):
        download.fetch_archive(info, full, verbose=False)
    assert target.is_file() and not target.with_name("same.zip.corrupt").exists()


def test_re_extracts_when_the_archive_changes(empty_cache, tmp_path):
    for count in (3, 4):
        source = _png_zip(tmp_path / f"v{count}.zip", count)
        target = empty_cache / "datasets" / "v.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        info = _one_off(Archive("v.zip", "v.zip", (), (_sha256(source),), count, None, root="set"))
        root = download.extract_archive(info, info.full, target)
        assert len(list(root.rglob("*.png"))) == count


def test_choose_variant(empty_cache, course_mirror, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    assert choose_variant("caltech101") == "full", "no mini reachable: fall back to the full archive"
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    assert choose_variant("caltech101") == "mini"
    assert choose_variant("mnist") == "full"
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert choose_variant("caltech101") == "full"
    with pytest.raises(SettingError):
        choose_variant("caltech101", "tiny")
    # The caller can pass the profile down; the run's profile is then not read.
    assert choose_variant("caltech101", profile="quick") == "mini"
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    assert choose_variant("caltech101", profile="full") == "full"
    assert choose_variant("caltech101", "mini", profile="full") == "mini", "an explicit variant wins"
    with pytest.raises(SettingError):
        choose_variant("caltech101", profile="fast")
    assert fetch("caltech101", profile="quick", verbose=False).parent.name == "caltech-101-mini_extracted"


def test_mirror_entries_are_parsed_in_one_place(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_DATA_MIRROR", f" http://classroom:8000/ ;file://{tmp_path}/a;~/b;;")
    assert paths.mirrors() == ["http://classroom:8000/", f"file://{tmp_path}/a", "~/b"]
    parsed = paths.parsed_mirrors()
    assert [(m.url, m.folder) for m in parsed] == [("http://classroom:8000", None), (None, tmp_path / "a"), (None, tmp_path / "b")]
    assert paths.parse_mirror("https://x.org/data").url == "https://x.org/data"


def test_pretty_path_hides_the_machine(empty_cache):
    assert pretty_path(empty_cache / "datasets" / "x") == "$KERAS_HOME/datasets/x"
    assert pretty_path(Path.home() / "data") == "~/data"


def test_unwritable_keras_home_falls_back_like_keras(tmp_path, monkeypatch):
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(locked))
    real_access = os.access
    monkeypatch.setattr(download.os, "access", lambda path, mode: False if Path(path) == locked else real_access(path, mode))
    assert paths.cache_dir() == Path("/tmp/.keras")


def test_download_file_falls_back_to_tmp_keras_when_the_folder_is_not_writable(tmp_path, monkeypatch, serve):
    import os

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "f.bin").write_bytes(b"12345")
    locked = tmp_path / "locked"
    (locked / "sub").mkdir(parents=True)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == locked else real_access(path, mode))
    staging = locked / "sub" / "f.bin.part"
    with serve(tmp_path / "site") as address:
        fetch_file.download_file(f"{address}/f.bin", staging, progress=False)
        with pytest.raises(OSError) as error:
            fetch_file.download_file(f"{address}/gone.bin", staging, progress=False)
    assert staging.read_bytes() == b"12345", "Keras wrote to /tmp/.keras; the file was moved where it was asked for"
    assert not Path("/tmp/.keras/sub/f.bin.part").exists()
    assert fetch_file.error_reason(error.value).startswith("HTTP Error 404: ")


def test_pretty_path_is_relative_when_close(tmp_path, monkeypatch):
    (tmp_path / "repo" / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo" / "notebooks")
    assert pretty_path(tmp_path / "shared" / "course_data") == "../../shared/course_data"


def test_folders_that_are_not_classes_are_set_aside(empty_cache, tmp_path, capsys):
    source = tmp_path / "set.zip"
    _png_zip(source, 2)
    with zipfile.ZipFile(source, "a") as archive:
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4)).save(buffer, "PNG")
        archive.writestr("set/BACKGROUND_Google/0.png", buffer.getvalue())
    target = empty_cache / "datasets" / "set.zip"
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    info = DatasetInfo(
        name="demo", title="t", full=Archive("set.zip", "set.zip", (), (_sha256(source),), 3, None, root="set"),
        mini=None, exclude=("BACKGROUND_Google",),
    )
    root = download.extract_archive(info, info.full, target)
    assert sorted(p.name for p in root.iterdir()) == ["class"]
    assert (root.parent / "not-classes" / "BACKGROUND_Google" / "0.png").is_file(), "moved, not deleted"
    assert "BACKGROUND_Google is not a class" in capsys.readouterr().out


def test_a_mirror_folder_copy_prints_no_machine_path(empty_cache, course_mirror, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    fetch("caltech101", "mini")
    assert "file://" not in capsys.readouterr().out


def test_fetching_and_unpacking_hold_the_files_lock(empty_cache, monkeypatch):
    """Every fetch and every unpack runs with its file's lock held: another holder has to wait (here: gives up at once)."""
    from filelock import FileLock, Timeout

    info = CALTECH
    held: list[str] = []

    def busy(guarded: Path) -> bool:
        try:
            FileLock(download.lock_file(guarded)).acquire(timeout=0)
        except Timeout:
            return True
        return False

    def fetch_work(info, archive, target, verbose):
        held.append(f"fetch {busy(target)}")
        return target

    def unpack_work(info, archive, path, folder):
        held.append(f"unpack {busy(folder)}")
        return folder

    monkeypatch.setattr(download, "_fetch_locked", fetch_work)
    monkeypatch.setattr(download, "_extract_locked", unpack_work)
    target = download.fetch_archive(info, info.mini, verbose=False)
    download.extract_archive(info, info.mini, target)
    assert held == ["fetch True", "unpack True"]
    assert not busy(target), "released afterwards"
    assert (empty_cache / ".locks" / f"{target.parent.name}-{target.name}.lock").is_file(), "in the cache, outside the data"


def test_two_processes_fetching_at_once_share_one_copy(empty_cache, course_mirror, monkeypatch, tmp_path):
    """Two notebooks (or the test suite's two workers) asking for the same dataset at once both get it, unpacked once."""
    import subprocess
    import sys

    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    code = "from helpers.data.download import fetch; print(fetch('caltech101', 'mini', verbose=False))"
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [run.communicate(timeout=300) + (run.returncode,) for run in runs]
    root = empty_cache / "datasets" / "caltech-101-mini_extracted" / "101_ObjectCategories"
    assert [(out.strip(), code) for out, _, code in results] == [(str(root), 0)] * 2, [err[-500:] for _, err, _ in results]
    assert sum(1 for _ in root.rglob("*.jpg")) == 393
    assert not list((empty_cache / "datasets").glob("*.part"))
