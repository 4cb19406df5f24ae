"""helpers.files: the one atomic-write rule (a process-safe temporary name beside the file, then os.replace)."""

import json
import multiprocessing
import os

import pytest

from helpers import files


def test_write_atomically_writes_text_bytes_and_json_and_leaves_nothing_else(tmp_path):
    files.write_atomically(tmp_path / "a.txt", "héllo\n")
    files.write_atomically(tmp_path / "b.bin", b"\x00\x01")
    files.write_json_atomically(tmp_path / "c.json", {"x": [1, 2]}, indent=1)
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.json").read_text() == json.dumps({"x": [1, 2]}, indent=1) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin", "c.json"], "no temporary file is left"


def test_temporary_names_are_hidden_unique_and_carry_the_process_and_suffix(tmp_path):
    target = tmp_path / "model.keras"
    names = {files.temporary_beside(target, ".partial.keras") for _ in range(100)}
    assert len(names) == 100
    for name in names:
        assert name.parent == tmp_path and name.name.startswith(".model.keras.") and name.name.endswith(".partial.keras")
        assert f".{os.getpid()}." in name.name
        assert not name.exists(), "only a name: nothing is created"


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary(tmp_path):
    target = tmp_path / "record.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.replacing(target) as partial:
        partial.write_text("half of the ne")
        raise RuntimeError("killed meanwhile")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_replacing_moves_what_the_block_wrote_into_place(tmp_path):
    target = tmp_path / "copy.png"
    target.write_bytes(b"old")
    with files.replacing(target, suffix=".png") as partial:
        assert partial.suffix == ".png" and partial != target
        partial.write_bytes(b"new")
        assert target.read_bytes() == b"old", "the file changes only when the block ends"
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["copy.png"]


def test_a_missing_folder_is_an_os_error_and_leaves_nothing(tmp_path):
    with pytest.raises(OSError):
        files.write_atomically(tmp_path / "missing" / "a.txt", "x")
    assert list(tmp_path.iterdir()) == []


def _write_many(path: str, marker: str) -> None:
    for _ in range(40):
        files.write_atomically(path, marker * 20_000)


def test_two_processes_writing_one_file_never_mix(tmp_path):
    target = tmp_path / "shared.txt"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(target), marker)) for marker in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    text = target.read_text()
    assert text in ("a" * 20_000, "b" * 20_000), "the file is one writer's whole text"
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"], "no temporary file is left"
