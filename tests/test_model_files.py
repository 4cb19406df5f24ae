"""Class names travel inside the .keras file; unusable files give one clear ModelFileError.

Each message of helpers.model_files has its one wording test here: what is wrong, and what to do.
"""

import json
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import model_files, models
from helpers.errors import CourseError, ModelFileError


@pytest.fixture(scope="module")
def small_model() -> keras.Model:
    return models.cats_dogs_cnn((96, 96, 3))


def test_round_trip_keeps_class_names_and_weights(tmp_path, small_model):
    path = model_files.save_classifier(small_model, tmp_path / "sub" / "cats_vs_dogs.keras", ["cats", "dogs"])
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read(model_files.CLASS_NAMES_ENTRY)) == {"class_names": ["cats", "dogs"]}
    model, class_names = model_files.load_classifier(path)
    assert class_names == ["cats", "dogs"]
    x = np.random.default_rng(0).uniform(0, 255, (2, 96, 96, 3)).astype("float32")
    assert np.allclose(model.predict(x, verbose=0), small_model.predict(x, verbose=0), atol=1e-6)


def test_plain_keras_still_loads_the_file(tmp_path, small_model):
    path = model_files.save_classifier(small_model, tmp_path / "m.keras", ["cats", "dogs"])
    assert keras.models.load_model(path).count_params() == small_model.count_params()


def test_softmax_models_need_one_name_per_output(tmp_path):
    model = models.cats_dogs_cnn((96, 96, 3), num_classes=3)
    model_files.save_classifier(model, tmp_path / "three.keras", ["a", "b", "c"])
    assert model_files.read_class_names(tmp_path / "three.keras") == ["a", "b", "c"]
    with pytest.raises(ModelFileError, match="3 classes but 2 class names.*pass one name per class"):
        model_files.save_classifier(model, tmp_path / "bad.keras", ["a", "b"])


def test_saving_needs_the_keras_suffix(tmp_path, small_model):
    with pytest.raises(ModelFileError, match=r"ending in \.keras, not 'm\.h5'"):
        model_files.save_classifier(small_model, tmp_path / "m.h5", ["cats", "dogs"])


@pytest.mark.parametrize(
    "name, content, wrong, to_do",  # (the wordings of the legacy and damaged files: the tests below)
    [
        ("missing.keras", None, "There is no model file", "check the path, or train and save a model first"),
        ("old_model.h5", b"\x89HDF\r\n\x1a\n", "legacy Keras 2 HDF5 file", ""),
        ("notes.txt", b"hello", "is not a .keras model file", "give a file written by save_classifier"),
        ("broken.keras", b"not a zip", "is damaged or incomplete", ""),
    ],
)
def test_unusable_files_give_one_clear_sentence(tmp_path, name, content, wrong, to_do):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelFileError) as error:
        model_files.load_classifier(path)
    message = str(error.value)
    assert name in message and wrong in message and to_do in message and "\n" not in message


def test_a_model_saved_without_class_names_is_explained(tmp_path, small_model):
    small_model.save(tmp_path / "plain.keras")
    assert model_files.read_class_names(tmp_path / "plain.keras") is None
    with pytest.raises(ModelFileError, match="plain.keras holds a model but no class names.*save it again with save_classifier"):
        model_files.load_classifier(tmp_path / "plain.keras")


def _notebook_04_cnn(image_size: tuple[int, int], filters: tuple[int, ...]) -> keras.Model:
    """The CNN that notebook 04 writes in plain Keras: its model cell, run with one profile's settings."""
    from types import SimpleNamespace

    notebook = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "04_cats_vs_dogs_augmentation.ipynb").read_text())
    [cell] = [source for source in ("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
              if 'name="cats_dogs_cnn"' in source]
    namespace = {"keras": keras, "layers": keras.layers, "settings": SimpleNamespace(image_size=image_size, filters=filters)}
    exec(cell.replace("model.summary()", ""), namespace)
    return namespace["model"]


@pytest.mark.parametrize("size, filters, parameters", [((64, 64), (16, 32, 64, 128), 360_609), ((150, 150), (32, 64, 128, 128), 3_453_121)])
def test_cats_dogs_cnn_is_notebook_04s_cnn(size, filters, parameters):
    ours = models.cats_dogs_cnn((*size, 3), filters=filters)
    notebook = _notebook_04_cnn(size, filters)
    assert [type(layer) for layer in ours.layers] == [type(layer) for layer in notebook.layers]
    assert [layer.count_params() for layer in ours.layers] == [layer.count_params() for layer in notebook.layers]
    assert ours.count_params() == notebook.count_params() == parameters
    assert ours.output_shape == notebook.output_shape == (None, 1) and ours.name == notebook.name


def test_cats_dogs_cnn_defaults_to_the_full_profile_and_refuses_too_small_images():
    assert models.cats_dogs_cnn().count_params() == 3_453_121, "150x150, filters (32, 64, 128, 128)"
    assert models.cats_dogs_cnn((96, 96, 3), num_classes=5).output_shape == (None, 5)
    models.cats_dogs_cnn((46, 46, 3))  # the smallest images four conv-pool blocks take
    with pytest.raises(CourseError, match="45x45 pixels are too small for 4 conv-pool blocks; use larger images"):
        models.cats_dogs_cnn((45, 45, 3))


def test_a_truncated_keras_file_is_called_damaged(tmp_path, small_model):
    path = model_files.save_classifier(small_model, tmp_path / "m.keras", ["cats", "dogs"])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a copy or a save cut short
    with pytest.raises(ModelFileError, match=r"m\.keras is damaged or incomplete \([\d,]+ bytes.*save or copy it again") as error:
        model_files.load_classifier(path)
    assert "\n" not in str(error.value)


def test_a_legacy_h5_file_written_by_keras_loads_with_its_class_names_given(tmp_path, small_model, capsys):
    import warnings

    path = tmp_path / "old.h5"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small_model.save(path)  # Keras 3 still writes the legacy format when asked
    with pytest.raises(ModelFileError, match=r"legacy Keras 2 HDF5 file, which holds no class names; pass them.*class_names=\[\.\.\.\]"):
        model_files.load_classifier(path)
    model, names = model_files.load_classifier(path, class_names=["cats", "dogs"])
    assert names == ["cats", "dogs"] and "old.h5 is a legacy HDF5 file that Keras 3 could read" in capsys.readouterr().out
    x = np.random.default_rng(0).uniform(0, 255, (2, 96, 96, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), small_model.predict(x, verbose=0), atol=1e-6)
    converted = model_files.save_classifier(model, tmp_path / "new.keras", names)  # the conversion the note suggests
    assert model_files.load_classifier(converted)[1] == ["cats", "dogs"]


def test_a_legacy_h5_file_keras_3_cannot_read_is_explained(tmp_path):
    from helpers import transfer

    model = transfer.build_transfer_classifier("cifar10_cnn", 3, (32, 32), weights=None)  # holds an ops layer (x / 255)
    model.save(tmp_path / "ops.h5")
    with pytest.raises(ModelFileError, match=r"could not read the legacy HDF5 file .*ops\.h5 .*load it with Keras 2 \(tf_keras\)"):
        model_files.load_classifier(tmp_path / "ops.h5", class_names=["a", "b", "c"])
    (tmp_path / "cut.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(ModelFileError) as cut:  # the same message (its wording: just above), for a cut-short file
        model_files.load_classifier(tmp_path / "cut.h5", class_names=["a", "b"])
    assert "legacy HDF5 file" in str(cut.value) and "cut.h5" in str(cut.value)
