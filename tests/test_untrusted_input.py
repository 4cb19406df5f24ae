"""Bad input from someone else's files: labels, model files, mirrors and paths.

A labels CSV that points outside its folder, a model file that carries Python code, a mirror that
never answers or answers with the wrong thing, and printed commands with spaces in their paths. Each
ends in one sentence that says what happened and what to do; each test builds the bad input itself
(tiny generated images, a model with a ``Lambda`` layer, a local HTTP server on 127.0.0.1).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.data import labels_csv
from helpers.errors import FolderError

_SEEDS = itertools.count(900)


def photo(path: Path) -> Path:
    """A small smooth random RGB JPEG (a stand-in photo for edge-case tests only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    coarse = np.random.default_rng(next(_SEEDS)).integers(0, 255, (3, 4, 3), dtype=np.uint8)
    Image.fromarray(coarse, "RGB").resize((24, 16), Image.Resampling.BICUBIC).save(path, quality=90)
    return path


# --- 3. a labels CSV stays inside its root folder ----------------------------------------------------


@pytest.fixture
def csv_world(tmp_path: Path) -> dict[str, Path]:
    """A project folder with 8 photos and a CSV, and a 'private' folder beside it with 3 more photos."""
    project = tmp_path / "project"
    for label in ("a", "b"):
        for i in range(4):
            photo(project / label / f"{i}.jpg")
    private = tmp_path / "private"
    for i in range(3):
        photo(private / f"secret{i}.jpg")
    return {"project": project, "private": private}


def _csv(project: Path, extra: list[str]) -> Path:
    lines = ["path,label"] + [f"{label}/{i}.jpg,{label}" for label in ("a", "b") for i in range(4)] + extra
    (project / "labels.csv").write_text("\n".join(lines) + "\n")
    return project / "labels.csv"


def test_csv_rows_outside_the_root_are_refused_and_named(csv_world):
    project, private = csv_world["project"], csv_world["private"]
    os.symlink(private / "secret2.jpg", project / "a" / "link.jpg")  # a link inside the root that leads out
    csv_file = _csv(project, ["../private/secret0.jpg,a", f"{private / 'secret1.jpg'},b", "a/link.jpg,a"])
    with pytest.raises(FolderError) as error:
        labels_csv.read_labels_csv(csv_file)
    message = str(error.value)
    assert message.startswith("3 image file(s) listed in ") and "lie outside its root folder" in message
    assert "../private/secret0.jpg" in message and str(private / "secret1.jpg") in message and "a/link.jpg" in message
    assert "allow_outside_root=True" in message and "root=" in message and "\n" not in message and message.endswith(".")
    with pytest.raises(FolderError, match="lie outside its root folder"):  # the datasets refuse before reading any image
        labels_csv.csv_datasets(csv_file, (16, 16), 2, validation_split=0.25, verbose=False)
    # each kind alone is refused too
    for row in ("../private/secret0.jpg,a", f"{private / 'secret1.jpg'},b", "a/link.jpg,a", "a/../../private/secret0.jpg,a",
                "..\\private\\secret0.jpg,a"):  # the last as written on Windows
        with pytest.raises(FolderError, match=r"^1 image file\(s\) .* lie outside"):
            labels_csv.read_labels_csv(_csv(project, [row]))


def test_csv_rows_inside_the_root_are_read_whatever_their_spelling(csv_world, tmp_path):
    project = csv_world["project"]
    csv_file = _csv(project, [f"{project / 'a' / '0.jpg'},a", "./b/../b/1.jpg,b"])  # absolute inside, and a detour
    paths, labels = labels_csv.read_labels_csv(csv_file)
    assert len(paths) == 8, "the repeated rows are the same images"
    linked = tmp_path / "linked_project"
    os.symlink(project, linked)  # the root itself is a link: its files are still inside it
    assert len(labels_csv.read_labels_csv(linked / "labels.csv")[0]) == 8
    # a root= that holds them all makes the 'outside' rows inside
    (tmp_path / "all.csv").write_text("path,label\nproject/a/0.jpg,a\nprivate/secret0.jpg,b\n")
    assert len(labels_csv.read_labels_csv(tmp_path / "all.csv")[0]) == 2


def test_csv_rows_outside_the_root_are_read_when_allowed_and_named_in_the_summary(csv_world, capsys):
    project, private = csv_world["project"], csv_world["private"]
    csv_file = _csv(project, ["../private/secret0.jpg,a", f"{private / 'secret1.jpg'},b"])
    rows = labels_csv.read_labels_csv(csv_file, allow_outside_root=True)
    assert len(rows[0]) == 10 and sorted(path.name for path in rows.outside) == ["secret0.jpg", "secret1.jpg"]
    assert any("2 image(s) listed in labels.csv lie outside its root folder" in note and "secret0.jpg" in note
               for note in rows.notes(csv_file))
    splits = labels_csv.csv_datasets(csv_file, (16, 16), 2, validation_split=0.2, allow_outside_root=True)
    out = capsys.readouterr().out
    assert "10 images listed (2 of them outside the root folder, allowed), all readable" in out
    assert "note: 2 image(s) listed in labels.csv lie outside its root folder" in out
    assert sum(splits.counts.values()) == 10


# --- 4. a model file that carries code is named as such -----------------------------------------------


def _coded_model():
    import keras

    inputs = keras.Input((4,))
    doubled = keras.layers.Lambda(lambda t: t * 2.0, name="doubled")(inputs)  # code stored in the file
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(doubled))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_a_model_file_with_code_is_refused_as_code_not_as_damage(tmp_path, suffix, capsys):
    import warnings

    import keras

    from helpers import model_files
    from helpers.data.paths import pretty_path
    from helpers.errors import ModelFileError, UntrustedModelError

    model, path = _coded_model(), tmp_path / f"someone_elses{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if suffix == ".keras":
            model_files.save_classifier(model, path, ["cats", "dogs"])
        else:
            model.save(path)
    calls = []
    for class_names in (None, ["cats", "dogs"]):  # .h5: named as code before the class names are asked for
        with pytest.raises(UntrustedModelError) as error:
            model_files.load_classifier(path, class_names)
        calls.append(str(error.value))
    message = calls[0]
    assert isinstance(error.value, ModelFileError) and calls[0] == calls[1] and "\n" not in message
    assert message.startswith(f"{pretty_path(path)} contains Python code (a Lambda layer's function)")
    assert "the course did not run it" in message and "only if you trust whoever made the file" in message
    assert "safe_mode=False" in message
    assert ("enable_unsafe_deserialization" in message) == (suffix == ".keras"), "it does not open .h5 files in Keras 3.15"
    for wrong in ("damaged", "newer Keras", "tf_keras", "Keras 2"):
        assert wrong not in message, f"no message sends an untrusted file down a route that runs its code ({wrong!r})"
    # the route the message gives works, for a trusted file
    if suffix == ".keras":
        loaded, names = model_files.load_classifier(path, safe_mode=False)
    else:
        loaded = keras.models.load_model(path, safe_mode=False, compile=False)
        loaded, names = model_files.load_classifier(model_files.save_classifier(loaded, tmp_path / "trusted.keras", ["cats", "dogs"]),
                                                    safe_mode=False)
    x = np.ones((1, 4), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert names == ["cats", "dogs"]


def test_a_keras_2_h5_file_with_a_lambda_is_named_as_code_too(tmp_path):
    """Keras 2 stored a lambda as [bytecode, defaults, closure] with function_type 'lambda' (Keras 3 converts it, then refuses)."""
    import json
    import warnings

    import h5py
    import keras

    from helpers import model_files
    from helpers.errors import UntrustedModelError

    path = tmp_path / "keras2.h5"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _coded_model().save(path)
    with h5py.File(path, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        [layer] = [layer for layer in config["config"]["layers"] if layer["class_name"] == "Lambda"]
        code = layer["config"]["function"]["config"]["code"]
        layer["config"].update(function=[code, None, None], function_type="lambda", module="__main__")
        handle.attrs["model_config"] = json.dumps(config)
    with pytest.raises(ValueError, match="arbitrary code execution"):  # what Keras itself says of this file
        keras.models.load_model(path, compile=False)
    with pytest.raises(UntrustedModelError, match=r"keras2\.h5 contains Python code \(a Lambda layer's function\).*did not run it"):
        model_files.load_classifier(path)


def test_a_model_file_with_code_stops_the_prediction_command_in_one_sentence(tmp_path, capsys):
    from helpers import model_files, predict

    path = model_files.save_classifier(_coded_model(), tmp_path / "shared model.keras", ["cats", "dogs"])
    photo(tmp_path / "x.jpg")
    assert predict.main([str(path), "-f", str(tmp_path / "x.jpg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "contains Python code" in err and "Traceback" not in err and err.count("\n") == 1


def test_a_model_file_naming_a_custom_layer_says_so(tmp_path):
    import keras

    from helpers import model_files
    from helpers.errors import ModelFileError

    @keras.saving.register_keras_serializable(package="untrusted_test")
    class Twice(keras.layers.Layer):
        def call(self, x):
            return x * 2

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(Twice()(inputs)))
    path = model_files.save_classifier(model, tmp_path / "custom.keras", ["a", "b"])
    del keras.saving.get_custom_objects()["untrusted_test>Twice"]  # another program: it does not define Twice
    with pytest.raises(ModelFileError) as error:
        model_files.load_classifier(path)
    message = str(error.value)
    assert "uses a custom layer or function (Twice)" in message and "register_keras_serializable" in message
    assert "damaged" not in message and "\n" not in message


# --- 5. downloads fail fast and truthfully ---------------------------------------------------------


def _demo(filename: str, size: int | None = 4096):
    from helpers.data.registry import Archive, DatasetInfo

    return DatasetInfo(name="demo", title="test", full=Archive(filename, filename, (), ("a" * 64,), 1, size), mini=None)


@pytest.fixture
def silent_server():
    """An address on 127.0.0.1 that takes connections and never answers (the kernel accepts; nobody reads)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_mirror_that_never_answers_is_dropped_after_a_short_stated_timeout(empty_cache, silent_server, monkeypatch, capsys):
    import time

    from helpers.data import download, fetch_file
    from helpers.errors import DatasetUnavailableError

    monkeypatch.setattr(download, "MIRROR_TIMEOUT_S", 2.0)
    monkeypatch.setattr(fetch_file, "_unanswered", {})
    # two addresses on the same silent host: the second is skipped, not waited for
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{silent_server}/one;{silent_server}/two")
    info = _demo("set.zip")
    import keras  # noqa: F401 - imported before the clock starts (a busy machine takes seconds to import it)

    start = time.monotonic()
    with pytest.raises(DatasetUnavailableError) as error:
        download.fetch_archive(info, info.full)
    elapsed = time.monotonic() - start
    message, out = str(error.value), capsys.readouterr().out
    assert 1.9 < elapsed < 3.9, f"one timeout of 2 s, not one per address nor a minute: {elapsed:.1f} s"
    assert f"{silent_server}/one/demo/set.zip (no answer within 2 s)" in message
    assert f"{silent_server}/two/demo/set.zip (skipped: no answer within 2 s a moment ago)" in message
    assert "no answer within 2 s: dropped it." in out and "\n" not in message and "Traceback" not in message
    assert not any((empty_cache / "datasets").iterdir()), "no partial file"


def test_a_mirror_that_does_not_answer_a_head_request_is_not_asked_again(empty_cache, silent_server, monkeypatch):
    import time

    from helpers.data import download, fetch_file
    from helpers.data.registry import Archive, DatasetInfo

    monkeypatch.setattr(fetch_file, "_unanswered", {})
    monkeypatch.setenv("COURSE_DATA_MIRROR", silent_server)
    mini = Archive("mini.zip", "mini.zip", (), ("b" * 64,), 1, 10)
    info = DatasetInfo(name="demo", title="test", full=_demo("set.zip").full, mini=mini)
    start = time.monotonic()
    assert not download.mini_reachable(info)
    assert 4.5 < time.monotonic() - start < 7, "the HEAD request waits 5 s, no more"
    assert fetch_file.recently_unanswered(f"{silent_server}/demo/set.zip") == "no answer within 5 s"
    start = time.monotonic()
    assert not download.mini_reachable(info)
    assert time.monotonic() - start < 1, "the silent mirror is not asked again"


class _Wrong:
    """Handlers for a server that answers with the wrong thing."""

    @staticmethod
    def serve(body: bytes, content_type: str, announced: int | None = None):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(announced if announced is not None else len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    @staticmethod
    def fetch_message(monkeypatch, body: bytes, content_type: str, filename: str, error: type, announced: int | None = None) -> str:
        """Serve ``body`` as the only mirror, fetch a demo archive ``filename`` from it, and return the ``error`` it raises."""
        from helpers.data import download

        server, address = _Wrong.serve(body, content_type, announced)
        monkeypatch.setenv("COURSE_DATA_MIRROR", address)
        info = _demo(filename)
        try:
            with pytest.raises(error) as raised:
                download.fetch_archive(info, info.full, verbose=False)
        finally:
            server.shutdown()
            server.server_close()
        return str(raised.value)


def test_a_mirror_that_serves_an_html_page_is_described_before_the_checksum_verdict(empty_cache, monkeypatch):
    from helpers.data import download, fetch_file
    from helpers.errors import ChecksumError

    page = b"<!DOCTYPE html><html><body>Please log in to the Wi-Fi</body></html>"
    calls = []
    real = fetch_file.download_file
    monkeypatch.setattr(download, "download_file", lambda url, staging, **options: (calls.append(url), real(url, staging, **options))[1])
    message = _Wrong.fetch_message(monkeypatch, page, "text/html; charset=utf-8", "set.zip", ChecksumError)
    assert f"(got HTTP 200, {len(page)} bytes of text/html (an HTML page), expected 4,096 bytes: not the archive)" in message
    assert "serves something else than the archive" in message and "different version" not in message
    assert message.index("HTML page") < message.index("checksum never matched") or "checksum" not in message.split("(got")[1]
    assert len(calls) == 1, "an HTML page is not fetched a second time"


def test_a_file_cut_short_is_described(empty_cache, monkeypatch):
    from helpers.errors import DatasetUnavailableError

    message = _Wrong.fetch_message(monkeypatch, b"\x1f\x8b" + bytes(98), "application/gzip", "set.tar.gz", DatasetUnavailableError,
                                   announced=4096)
    assert "set.tar.gz" in message and ("100 out of 4096 bytes" in message or "cut short" in message), message


def test_a_right_sized_file_with_another_checksum_may_be_another_version(empty_cache, monkeypatch):
    from helpers.errors import ChecksumError

    message = _Wrong.fetch_message(monkeypatch, b"\x1f\x8b" + bytes(4094), "application/gzip", "set.tar.gz", ChecksumError)
    assert "(got HTTP 200, 4,096 bytes of application/gzip (gzip data), expected 4,096 bytes, the right size; checksum mismatch" in message
    assert "may hold a different version" in message


# --- 6. printed commands quote paths with spaces ---------------------------------------------------


def test_shell_path_quotes_what_a_shell_would_split_and_keeps_home_expandable(tmp_path, monkeypatch):
    import shlex

    from helpers.data.paths import shell_path

    monkeypatch.setenv("HOME", str(tmp_path))
    assert shell_path("runs/a.keras") == "runs/a.keras"
    assert shell_path(tmp_path / "my photos" / "cats") == "~/'my photos/cats'"
    assert shell_path("/data/it's here", pretty=False) == shlex.quote("/data/it's here")
    assert shlex.split(f"python -m helpers.train {shell_path('/a b/c d', pretty=False)}")[-1] == "/a b/c d"


def test_printed_commands_survive_a_copy_into_a_shell(tmp_path):
    import shlex

    from helpers.course import pack_index
    from helpers.course.__main__ import serve_instructions
    from helpers.errors import CourseError

    folder = tmp_path / "class room" / "mirror"
    lines = serve_instructions(folder).splitlines()
    serve = next(line for line in lines if "http.server" in line)
    assert shlex.split(serve)[-1] == str(folder)
    export = next(line for line in lines if "as a folder on this machine" in line)
    assert shlex.split(export.split(":  ", 1)[1])[-1] == f"COURSE_DATA_MIRROR={folder.resolve()}"
    with pytest.raises(CourseError) as error:
        pack_index.verify(folder)
    assert shlex.split(str(error.value).split("pack it first with: ", 1)[1]) == ["python", "-m", "helpers.course", "pack", str(folder)]


def test_the_splits_advice_quotes_its_terminal_command(tmp_path):
    import shlex

    from helpers.data.checks.layout import check_not_splits
    from helpers.data.checks.scan import scan_folder

    root = tmp_path / "my pets"
    for split in ("train", "validation"):
        for label in ("cats", "dogs"):
            photo(root / split / label / "0.jpg")
    with pytest.raises(FolderError) as error:
        check_not_splits(scan_folder(root))
    command = str(error.value).split("(in a terminal: ", 1)[1].rsplit(")", 1)[0]
    words = shlex.split(command)
    assert words[:3] == ["python", "-m", "helpers.train"] and len(words) == 6
    assert words[3].endswith("my pets/train") and words[5].endswith("my pets/validation") and words[4] == "--validation-dir"


def test_a_404_page_is_described_with_its_status_size_and_type(empty_cache, tmp_path, monkeypatch, serve):
    from helpers.data import download
    from helpers.errors import DatasetUnavailableError

    (tmp_path / "empty").mkdir()
    with serve(tmp_path / "empty") as address:
        monkeypatch.setenv("COURSE_DATA_MIRROR", address)
        info = _demo("set.zip")
        with pytest.raises(DatasetUnavailableError) as error:
            download.fetch_archive(info, info.full, verbose=False)
    assert f"{address}/demo/set.zip (HTTP Error 404: File not found (the answer: " in str(error.value)
    assert "bytes of text/html)" in str(error.value)


def test_the_one_call_refuses_csv_rows_outside_the_root_before_training(csv_world, monkeypatch):
    import helpers.train as train

    csv_file = _csv(csv_world["project"], [f"{csv_world['private'] / 'secret0.jpg'},a"])
    monkeypatch.setattr(train, "_train", lambda *a, **k: pytest.fail("trained on a CSV that names files outside its root"))
    with pytest.raises(FolderError, match="lie outside its root folder"):
        train.train_from_csv(csv_file, 32, base=None, verbose=0)


@pytest.mark.parametrize("flag, allowed", [([], False), (["--allow-outside-root"], True)])
def test_the_command_passes_allow_outside_root_to_train_from_csv(csv_world, monkeypatch, flag, allowed):
    import helpers.train as train
    from helpers.train import command

    seen = {}

    def fake_train_from_csv(source, image_size, **kwargs):
        seen.update(kwargs)
        raise FolderError("stop here: the settings are what this test checks")

    monkeypatch.setattr(train, "train_from_csv", fake_train_from_csv)
    csv_file = _csv(csv_world["project"], [])
    command.main([str(csv_file), *flag])
    assert seen["allow_outside_root"] is allowed
