"""The prediction command: real cats_and_dogs photos for the happy path, made-up files for the edge cases."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import model_files, models, predict
from helpers.data import download
from helpers.errors import CourseError

SIZE = (96, 96)


@pytest.fixture(scope="module")
def photos() -> dict[str, list[Path]]:
    root = download.fetch("cats_and_dogs", verbose=False)
    return {name: sorted((root / "validation" / name).iterdir())[:2] for name in ("cats", "dogs")}


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> Path:
    model = models.cats_dogs_cnn(SIZE + (3,))
    return model_files.save_classifier(model, tmp_path_factory.mktemp("model") / "cats_vs_dogs.keras", ["cats", "dogs"])


@pytest.fixture
def folder(tmp_path, photos) -> Path:
    """Two real photos, a damaged JPEG, a Thumbs.db, an empty file and a hidden file."""
    samples = tmp_path / "samples"
    samples.mkdir()
    for path in (photos["cats"][0], photos["dogs"][0]):
        shutil.copy(path, samples)
    (samples / "broken.jpg").write_bytes(photos["cats"][1].read_bytes()[:1500])
    (samples / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (samples / "empty.png").write_bytes(b"")
    (samples / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return samples


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m helpers.predict ARGS`` in a new process: the entry point itself, with TensorFlow's start-up."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-m", "helpers.predict", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """The same command run in this process (``predict.main``), which saves a TensorFlow start-up per call."""

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        status = predict.main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)

    return run


def test_class_probabilities_from_sigmoid_and_softmax():
    assert np.allclose(predict.class_probabilities(np.array([[0.9], [0.2]])), [[0.1, 0.9], [0.8, 0.2]])
    softmax = np.array([[0.2, 0.5, 0.3]])
    assert np.array_equal(predict.class_probabilities(softmax), softmax)


def test_load_image_converts_to_rgb_and_resizes(tmp_path, photos):
    photo = predict.load_image(photos["dogs"][0], SIZE)
    assert photo.shape == (96, 96, 3) and photo.dtype == np.float32 and photo.max() > 1
    Image.new("L", (40, 30), 128).save(tmp_path / "gray.png")
    Image.new("RGBA", (50, 20), (255, 0, 0, 100)).save(tmp_path / "rgba.png")
    Image.new("P", (20, 20)).save(tmp_path / "palette.gif")
    for name in ("gray.png", "rgba.png", "palette.gif"):
        assert predict.load_image(tmp_path / name, SIZE).shape == (96, 96, 3), name
    assert np.allclose(predict.load_image(tmp_path / "gray.png", SIZE), 128)
    assert predict.load_image(photos["dogs"][0], (28, 28), channels=1).shape == (28, 28, 1)


def test_load_image_matches_the_training_pipeline(photos):
    """The command resizes exactly as image_dataset_from_directory did during training."""
    import keras

    path = photos["cats"][0]
    dataset = keras.utils.image_dataset_from_directory(
        path.parent.parent, image_size=SIZE, batch_size=None, shuffle=False, verbose=False
    )
    index = dataset.file_paths.index(str(path))
    training_image = np.asarray(next(iter(dataset.skip(index).take(1)))[0])
    assert np.abs(predict.load_image(path, SIZE) - training_image).mean() < 1.0


@pytest.mark.parametrize("name", ["broken.jpg", "Thumbs.db", "empty.png"])
def test_unreadable_files_raise_a_course_error(folder, name):
    with pytest.raises(CourseError):
        predict.load_image(folder / name, SIZE)


def test_predict_images_reports_unreadable_files_and_goes_on(folder, model_path):
    model, class_names = model_files.load_classifier(model_path)
    paths = predict.files_in(folder)
    assert [p.name for p in paths] == ["broken.jpg", "cat.2000.jpg", "dog.2000.jpg", "empty.png"], "system files left out"
    results = {p.path.name: p for p in predict.predict_images(model, class_names, paths + [folder / "Thumbs.db"], top_k=2)}
    for name in ("cat.2000.jpg", "dog.2000.jpg"):
        assert results[name].error is None and results[name].label in class_names
        assert [label for label, _ in results[name].top] in (["cats", "dogs"], ["dogs", "cats"])
        assert sum(p for _, p in results[name].top) == pytest.approx(1.0) and results[name].probability >= 0.5
    assert "damaged image" in results["broken.jpg"].error
    assert results["Thumbs.db"].error == "not an image" and results["empty.png"].error == "empty file"
    assert str(results["Thumbs.db"]).endswith("Thumbs.db: unreadable (not an image), skipped")


def test_top_k_for_a_softmax_model(tmp_path, photos):
    model = models.cats_dogs_cnn(SIZE + (3,), num_classes=3)
    [result] = predict.predict_images(model, ["a", "b", "c"], [photos["cats"][0]], top_k=2)
    assert len(result.top) == 2 and result.top[0][1] >= result.top[1][1]


def test_cli_file_mode(model_path, photos, tmp_path):
    shutil.copy(photos["dogs"][1], tmp_path)
    name = photos["dogs"][1].name
    done = run_module(str(model_path), "-f", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[-1] == "1 image predicted"
    label, probability = lines[0].removeprefix(f"{name}: ").split()
    assert label in ("cats", "dogs") and 50.0 <= float(probability.rstrip("%")) <= 100.0
    assert "Traceback" not in done.stderr


def test_cli_directory_mode_skips_unreadable_files(model_path, folder, run_cli):
    done = run_cli(str(model_path), "-d", "samples", "--top-k", "2", cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-2:] == ["2 images predicted, 2 skipped", "note: ignored 2 system files (.DS_Store, Thumbs.db)"]
    by_file = {line.split(":")[0]: line for line in lines[:-2]}
    assert sorted(by_file) == sorted(f"samples/{n}" for n in ["broken.jpg", "cat.2000.jpg", "dog.2000.jpg", "empty.png"])
    assert by_file["samples/empty.png"] == "samples/empty.png: unreadable (empty file), skipped"
    assert "cats" in by_file["samples/cat.2000.jpg"] and "dogs" in by_file["samples/cat.2000.jpg"], "top 2 of 2"


def test_cli_exit_statuses_for_nothing_predicted_and_for_errors(model_path, folder, tmp_path, run_cli):
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    shutil.move(folder / "broken.jpg", only_bad)
    done = run_cli(str(model_path), "-d", "bad", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout.strip().splitlines()[-1] == "0 images predicted, 1 skipped"
    (tmp_path / "old.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    for args, message in [
        (("missing.keras", "-d", "bad"), "There is no model file at missing.keras"),
        (("old.h5", "-d", "bad"), "legacy Keras 2 HDF5 file"),
        ((str(model_path), "-d", "nowhere"), "nowhere is not a folder"),
    ]:
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
