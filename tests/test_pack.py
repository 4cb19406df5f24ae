"""The classroom mirror: ``python -m helpers.course pack``, served over HTTP, used by ``fetch`` with an empty cache."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.course import pack, pack_index
from helpers.course.__main__ import main
from helpers.course.pack_index import verify
from helpers.data import registry
from helpers.data.arrays import load_cifar10
from helpers.data.download import fetch, mirror_candidates
from helpers.data.registry import get_dataset
from helpers.data.weights import IMAGENET_WEIGHTS
from helpers.errors import ChecksumError, PackError

REPO = Path(__file__).resolve().parents[1]
QUICK_FILES = {
    "mnist/mnist.npz", "cifar10/cifar-10-mini-python.tar.gz", "cats_and_dogs/cats_and_dogs_filtered.zip",
    "flower_photos/flower_photos-mini.tgz", "caltech101/caltech-101-mini.tar.gz",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The default (workshop) pack, made offline from the test Keras cache and mirror, by the real command."""
    if not (os.environ.get("KERAS_HOME") and os.environ.get("COURSE_DATA_MIRROR")):
        pytest.skip("the shared Keras cache and course mirror are not beside this checkout")
    folder = tmp_path_factory.mktemp("classroom") / "mirror"
    folder.mkdir()
    (folder / "notes.txt").write_text("the instructor's own file")
    run = subprocess.run(
        [sys.executable, "-m", "helpers.course", "pack", str(folder), "--offline"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    return folder, run


def test_pack_lays_out_the_quick_files_and_indexes_what_is_missing(packed):
    folder, run = packed
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    for relative in QUICK_FILES:
        assert (folder / relative).is_file(), relative
    index = json.loads((folder / "index.json").read_text())
    entries = {entry["file"]: entry for entry in index["items"]}
    assert index["generator"] == pack_index.GENERATOR and index["profile"] == "workshop"
    for relative in QUICK_FILES:
        entry = entries[relative]
        assert entry["status"] == "ok" and entry["required"]
        assert entry["sha256"] == _sha256(folder / relative) and entry["bytes"] == (folder / relative).stat().st_size
        assert entry["notebooks"] and entry["what"]
    assert "02_mnist_cnn" in entries["mnist/mnist.npz"]["notebooks"]
    # Offline, the full archives and the ImageNet weights are listed as missing, optional, with a reason.
    cifar_full = entries["cifar10/cifar-10-python.tar.gz"]
    assert cifar_full["status"] == "missing" and not cifar_full["required"]
    assert "--offline" in cifar_full["reason"] and cifar_full["sha256"] == ""
    assert "MISSING, optional" in run.stdout
    # The light ImageNet weights come from the Keras cache, checked by their sha256; the large bases' are not packed.
    for base in pack_index.LIGHT_BASES:
        relative = "models/" + IMAGENET_WEIGHTS[base].filename
        weights = entries[relative]
        assert weights["status"] == "ok" and not weights["required"] and weights["checked_by"] == "sha256"
        assert weights["sha256"] == _sha256(folder / relative) == IMAGENET_WEIGHTS[base].hashes[0]
        assert "06_transfer_learning" in weights["notebooks"]
    assert "models/" + IMAGENET_WEIGHTS["MobileNetV2"].filename not in entries
    page = (folder / "index.html").read_text()
    assert pack_index.GENERATOR in page and '<a href="caltech101/caltech-101-mini.tar.gz">' in page
    assert f"python -m http.server 8000 --directory {folder}" in run.stdout
    assert "export COURSE_DATA_MIRROR=http://<your-ip>:8000" in run.stdout
    assert (folder / "notes.txt").read_text() == "the instructor's own file", "files it did not write are left alone"
    assert not list(folder.rglob("*.part"))


def test_learners_fetch_from_the_served_pack_with_an_empty_cache(packed, empty_cache, monkeypatch, capsys, serve):
    folder, _ = packed
    with serve(folder) as address:
        monkeypatch.setenv("COURSE_DATA_MIRROR", address)
        caltech = fetch("caltech101")  # quick profile: the mini archive, found with a HEAD request
        (x_train, y_train), (x_test, _) = load_cifar10()
        mnist = fetch("mnist")
    output = capsys.readouterr().out
    assert f"from {address}/caltech101/caltech-101-mini.tar.gz" in output
    assert sorted(p.name for p in caltech.iterdir()) == ["crab", "crayfish", "cup", "dalmatian", "ewer", "lobster"]
    assert x_train.shape == (5_000, 32, 32, 3) and x_test.shape == (1_000, 32, 32, 3) and len(y_train) == 5_000
    # Every file came over HTTP into the empty cache and was checked against the registry.
    datasets = empty_cache / "datasets"
    assert _sha256(datasets / "caltech-101-mini.tar.gz") == get_dataset("caltech101").mini.hashes[0]
    assert _sha256(datasets / "cifar-10-mini-python.tar.gz") == get_dataset("cifar10").mini.hashes[0]
    assert _sha256(mnist) == get_dataset("mnist").full.hashes[0]


def test_the_pack_also_works_as_a_mirror_folder(packed, empty_cache, monkeypatch):
    folder, _ = packed
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(folder))
    for item in pack_index.plan("quick"):
        if item.relative in QUICK_FILES:
            urls, _ = mirror_candidates(item.info, item.archive)
            assert urls[0] == (folder / item.relative).resolve().as_uri()
    assert (fetch("caltech101", verbose=False) / "cup").is_dir()


def test_a_pack_can_be_made_from_another_classroom_mirror(packed, empty_cache, tmp_path, monkeypatch, capsys, serve):
    folder, _ = packed
    with serve(folder) as address:
        monkeypatch.setenv("COURSE_DATA_MIRROR", address)
        assert main(["pack", str(tmp_path / "copy"), "--profile", "quick", "--only", "caltech101", "--offline"]) == 0
    (entry,) = json.loads((tmp_path / "copy" / "index.json").read_text())["items"]
    assert entry["status"] == "ok" and entry["source"] == f"{address}/caltech101/caltech-101-mini.tar.gz", "from the other mirror"
    assert f"Downloading caltech101/caltech-101-mini.tar.gz (5 MB) from {entry['source']}" in capsys.readouterr().out
    copied = tmp_path / "copy" / "caltech101" / "caltech-101-mini.tar.gz"
    assert _sha256(copied) == get_dataset("caltech101").mini.hashes[0]
    assert not list(empty_cache.rglob("*.tar.gz")), "packing reads the Keras cache, never fills it"


def test_every_packed_path_is_where_the_downloads_look(tmp_path, monkeypatch):
    # HTTP: the course asks a mirror for <mirror>/<dataset>/<file> and <mirror>/models/<weight file>.
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://classroom:8000")
    for item in pack_index.plan("all"):
        urls, _ = mirror_candidates(item.info, item.archive)
        assert urls == [f"http://classroom:8000/{item.relative}"]
    # Folder: weight files included (here only their place is checked: no weight file is reachable offline).
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(tmp_path))
    for item in pack_index.plan("all"):
        (tmp_path / item.relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / item.relative).touch()
        urls, _ = mirror_candidates(item.info, item.archive)
        assert urls[0] == (tmp_path / item.relative).resolve().as_uri()
    assert len({item.relative for item in pack_index.plan("all")}) == len(pack_index.plan("all")), "no two files share a place"


def test_packing_again_checks_and_copies_nothing(packed, monkeypatch, capsys):
    folder, _ = packed
    stamps = {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file() and "index" not in path.name}

    def no_copy(*args):
        raise AssertionError("a file already packed was copied again")

    monkeypatch.setattr(shutil, "copyfile", no_copy)  # how download_file copies from a folder
    assert main(["pack", str(folder), "--offline", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok (already packed)") == len(QUICK_FILES) + len(pack_index.LIGHT_BASES), "the light weights too"
    assert {path: path.stat().st_mtime_ns for path in stamps} == stamps, "no packed file was rewritten"
    after = {path for path in folder.rglob("*") if path.is_file() and "index" not in path.name}
    assert after == set(stamps), "no file was added or removed"
    assert main(["verify", str(folder)]) == 0


def test_a_damaged_file_is_detected_kept_and_replaced(tmp_path, monkeypatch, capsys, serve, dataset_here):
    dataset_here("caltech101", "mini")  # packed from the Keras cache or a mirror, never downloaded
    folder = tmp_path / "mirror"
    assert main(["pack", str(folder), "--profile", "quick", "--only", "caltech101", "--offline", "--quiet"]) == 0
    packed_file = folder / "caltech101" / "caltech-101-mini.tar.gz"
    good = packed_file.read_bytes()
    damaged = good[:1000] + bytes(b ^ 0xFF for b in good[1000:1100]) + good[1100:]  # same size, flipped bytes
    packed_file.write_bytes(damaged)
    capsys.readouterr()

    assert main(["verify", str(folder)]) == 1
    problems = verify(folder)  # the one wording test of verify's message: what is wrong, and what to do
    assert problems == ["caltech101/caltech-101-mini.tar.gz is damaged: its checksum does not match; run pack again to replace it."]
    assert problems[0] in capsys.readouterr().out

    with monkeypatch.context() as env, serve(folder) as address:  # a learner's machine: the damage is caught there too
        env.setenv("KERAS_HOME", str(tmp_path / "learner"))
        env.setenv("COURSE_DATA_MIRROR", address)
        with pytest.raises(ChecksumError):  # its wording: tests/test_download.py
            fetch("caltech101", "mini", verbose=False)
        assert not list((tmp_path / "learner" / "datasets").iterdir()), "the bad copy never reaches the cache"

    assert main(["pack", str(folder), "--profile", "quick", "--only", "caltech101", "--offline", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "was damaged (wrong checksum): moved it aside to caltech-101-mini.tar.gz.corrupt" in out
    assert packed_file.read_bytes() == good
    assert (folder / "caltech101" / "caltech-101-mini.tar.gz.corrupt").read_bytes() == damaged, "kept, not deleted"
    assert main(["verify", str(folder)]) == 0


def test_a_missing_required_file_exits_1_with_a_reason_and_no_traceback(tmp_path, capsys):
    folder = tmp_path / "mirror"
    assert main(["pack", str(folder), "--profile", "full", "--only", "cifar10", "--offline"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    (entry,) = json.loads((folder / "index.json").read_text())["items"]
    assert entry["status"] == "missing" and entry["required"] and entry["file"] == "cifar10/cifar-10-python.tar.gz"
    assert "--offline" in entry["reason"], "why it is missing: the public origin was not tried"
    assert "NOT COMPLETE" in captured.out and f"missing cifar10 (full): {entry['reason']}" in captured.out, "the reason is printed"


def test_pack_refuses_to_replace_what_it_did_not_write(tmp_path, capsys):
    (tmp_path / "index.html").write_text("<html>the school's own page</html>")
    assert main(["pack", str(tmp_path), "--offline"]) == 2
    err = capsys.readouterr().err  # the one wording test of this PackError: what is wrong, and what to do
    assert err.startswith(f"{PackError.__name__}: ") and err.count("\n") == 1
    assert "index.html was not written by this command" in err and "pack into another folder, or move that file away first." in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]
    assert (tmp_path / "index.html").read_text() == "<html>the school's own page</html>"
    assert main(["pack", str(tmp_path / "index.html")]) == 2
    assert main(["pack", str(tmp_path), "--only", "imagenet"]) == 2
    err = capsys.readouterr().err  # the one wording test of plan's unknown-name PackError: the name, and the names it knows
    assert err.startswith(f"{PackError.__name__}: ") and "'imagenet'" in err and "it knows: " in err and "caltech101" in err


def test_a_folder_packed_under_the_earlier_command_name_is_packed_again(tmp_path, capsys):
    (tmp_path / "index.json").write_text(json.dumps({"generator": pack.EARLIER_GENERATORS[0], "items": []}))
    assert main(["pack", str(tmp_path), "--profile", "full", "--only", "cifar10", "--offline", "--quiet"]) == 1, "missing, not refused"
    assert "PackError" not in capsys.readouterr().err
    assert json.loads((tmp_path / "index.json").read_text())["generator"] == pack_index.GENERATOR


def test_the_old_data_command_names_the_new_one_without_loading_it():
    """``python -m helpers.data pack|verify`` moved to ``python -m helpers.course``: one sentence, status 2, nothing packed."""
    code = (
        "import sys\nfrom helpers.data.__main__ import main\nstatus = main(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m.startswith('helpers.course')))\nsys.exit(status)"
    )
    for argv in (["pack", "class room", "--offline"], ["verify", "mirror"]):
        run = subprocess.run([sys.executable, "-c", code, *argv], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 2 and run.stdout == "[]\n", run.stdout + run.stderr
        assert run.stderr.count("\n") == 1 and run.stderr.rstrip().endswith(f"python -m helpers.course {shlex.join(argv)}"), run.stderr
    assert not (REPO / "class room").exists() and not (REPO / "mirror").exists()


def test_profiles():
    quick = {item.relative: item.required for item in pack_index.plan("quick")}
    assert {name for name, required in quick.items() if required} == QUICK_FILES
    assert {name for name, required in quick.items() if not required} == {
        "models/" + IMAGENET_WEIGHTS[base].filename for base in pack_index.LIGHT_BASES
    }
    workshop = {item.relative: item.required for item in pack_index.plan("workshop")}
    assert workshop["flower_photos/flower_photos.tgz"] is False and workshop["flower_photos/flower_photos-mini.tgz"]
    full = {item.relative: item.required for item in pack_index.plan("full")}
    assert "cifar10/cifar-10-mini-python.tar.gz" not in full and full["cifar10/cifar-10-python.tar.gz"]
    assert sum(name.startswith("models/") for name in full) == len(IMAGENET_WEIGHTS)
    assert all(item.required for item in pack_index.plan("all") if item.variant != "imagenet")


def test_notebook_uses_are_read_from_the_notebooks(tmp_path):
    uses = pack_index.notebooks_using()
    assert set(uses) >= {*registry.DATASETS, pack_index.WEIGHTS_FOLDER}, "every dataset is used by some notebook"
    assert "04_cats_vs_dogs_augmentation" in uses["cats_and_dogs"]
    assert pack_index.notebooks_using(tmp_path) == pack_index.NOTEBOOKS_FALLBACK


def test_light_bases_are_the_transfer_modules():
    from helpers import transfer

    assert pack_index.LIGHT_BASES == transfer.LIGHT_BASES
    assert set(IMAGENET_WEIGHTS) == set(transfer.IMAGENET_BASES)


def test_a_failed_download_is_named_with_the_servers_reason(tmp_path, monkeypatch, capsys, serve):
    """Pack fetches through download.download_file (Keras's get_file); an HTTP error is said in one line."""
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    with serve(tmp_path / "empty") as address:
        monkeypatch.setenv("COURSE_DATA_MIRROR", address)
        (item,) = pack_index.plan("quick", only=["caltech101"])
        result = pack.pack_item(item, tmp_path / "mirror", offline=True, verbose=True)
    assert result.status == "missing" and result.sha256 == "" and result.reason.startswith("Not in the Keras cache or a mirror")
    assert capsys.readouterr().out.splitlines()[-1].startswith("  failed: HTTP Error 404: ")
    assert not list((tmp_path / "mirror").rglob("*.part")), "no partial file is left"


def test_pack_gives_a_mirror_the_short_timeout_and_an_origin_the_long_one(tmp_path, monkeypatch):
    """A silent classroom mirror costs MIRROR_TIMEOUT_S when packing too, not the origins' minute."""
    from helpers.data import download

    asked = []

    def silent(url, staging, *, progress=True, timeout=download.ORIGIN_TIMEOUT_S):
        asked.append((url, timeout))
        raise OSError("timed out")

    monkeypatch.setattr(pack, "download_file", silent)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("COURSE_DATA_MIRROR", "http://127.0.0.1:9/course_data")
    (item,) = pack_index.plan("quick", only=["cifar10"])
    pack.pack_item(item, tmp_path / "mirror", offline=False, verbose=False)
    timeouts = {("mirror" if url.startswith("http://127.0.0.1:9/") else "origin"): t for url, t in asked}
    assert timeouts.get("mirror") == download.MIRROR_TIMEOUT_S < download.ORIGIN_TIMEOUT_S
    assert all(t == download.ORIGIN_TIMEOUT_S for url, t in asked if url in item.archive.origins)
