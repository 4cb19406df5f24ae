"""Bad input, part three (issue 22, items 3-6): files from someone else.

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

from helpers import data
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
        data.read_labels_csv(csv_file)
    message = str(error.value)
    assert message.startswith("3 image file(s) listed in ") and "lie outside its root folder" in message
    assert "../private/secret0.jpg" in message and str(private / "secret1.jpg") in message and "a/link.jpg" in message
    assert "allow_outside_root=True" in message and "root=" in message and "\n" not in message and message.endswith(".")
    with pytest.raises(FolderError, match="lie outside its root folder"):  # the datasets refuse before reading any image
        data.csv_datasets(csv_file, (16, 16), 2, validation_split=0.25, verbose=False)
    # each kind alone is refused too
    for row in ("../private/secret0.jpg,a", f"{private / 'secret1.jpg'},b", "a/link.jpg,a", "a/../../private/secret0.jpg,a"):
        with pytest.raises(FolderError, match=r"^1 image file\(s\) .* lie outside"):
            data.read_labels_csv(_csv(project, [row]))


def test_csv_rows_inside_the_root_are_read_whatever_their_spelling(csv_world, tmp_path):
    project = csv_world["project"]
    csv_file = _csv(project, [f"{project / 'a' / '0.jpg'},a", "./b/../b/1.jpg,b"])  # absolute inside, and a detour
    paths, labels = data.read_labels_csv(csv_file)
    assert len(paths) == 8, "the repeated rows are the same images"
    linked = tmp_path / "linked_project"
    os.symlink(project, linked)  # the root itself is a link: its files are still inside it
    assert len(data.read_labels_csv(linked / "labels.csv")[0]) == 8
    # a root= that holds them all makes the 'outside' rows inside
    (tmp_path / "all.csv").write_text("path,label\nproject/a/0.jpg,a\nprivate/secret0.jpg,b\n")
    assert len(data.read_labels_csv(tmp_path / "all.csv")[0]) == 2


def test_csv_rows_outside_the_root_are_read_when_allowed_and_named_in_the_summary(csv_world, capsys):
    project, private = csv_world["project"], csv_world["private"]
    csv_file = _csv(project, ["../private/secret0.jpg,a", f"{private / 'secret1.jpg'},b"])
    rows = data.read_labels_csv(csv_file, allow_outside_root=True)
    assert len(rows[0]) == 10 and sorted(path.name for path in rows.outside) == ["secret0.jpg", "secret1.jpg"]
    assert any("2 image(s) listed in labels.csv lie outside its root folder" in note and "secret0.jpg" in note
               for note in rows.notes(csv_file))
    splits = data.csv_datasets(csv_file, (16, 16), 2, validation_split=0.2, allow_outside_root=True)
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
    assert message.startswith(f"{model_files.pretty_path(path)} contains Python code (a Lambda layer's function)")
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
