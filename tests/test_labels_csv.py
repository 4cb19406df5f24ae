"""Datasets and training from a CSV file of path,label rows, on real flower and Caltech-101 photos."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from helpers import train
from helpers.data import folders, labels_csv
from helpers.errors import FolderError, TrainSettingError
from helpers.train import command

#: Caltech-101 mini's six categories, merged into three labels that no folder has.
GROUPS = {"crab": "crustacean", "crayfish": "crustacean", "lobster": "crustacean", "cup": "vessel", "ewer": "vessel", "dalmatian": "dog"}


@pytest.fixture(scope="module")
def flowers(real_dataset) -> Path:
    return real_dataset("flower_photos")


@pytest.fixture(scope="module")
def caltech(real_dataset) -> Path:
    return real_dataset("caltech101")


@pytest.fixture
def flowers_csv(tmp_path, flowers) -> Path:
    """20 real photos of each of three flowers, paths relative to the flower_photos folder."""
    rows = [(path, name) for name in ("daisy", "roses", "tulips") for path in sorted((flowers / name).iterdir())[:20]]
    return labels_csv.write_labels_csv(rows, tmp_path / "labels.csv", relative_to=flowers)


def test_write_and_read_back(flowers_csv, flowers):
    lines = flowers_csv.read_text().splitlines()
    assert lines[0] == "path,label" and lines[1].startswith("daisy/") and lines[1].endswith(",daisy") and len(lines) == 61
    paths, labels = labels_csv.read_labels_csv(flowers_csv, root=flowers)
    assert len(paths) == 60 and all(path.is_file() for path in paths) and labels[:1] == ["daisy"]
    paths, labels = labels_csv.read_labels_csv(flowers_csv, root=flowers, classes=["tulips"])
    assert len(paths) == 20 and set(labels) == {"tulips"}


def test_splits_like_a_folder(flowers_csv, flowers, capsys):
    splits = labels_csv.csv_datasets(flowers_csv, (32, 32), 8, validation_split=0.2, test_split=0.1, root=flowers)
    assert splits.class_names == ["daisy", "roses", "tulips"] and splits.image_size == (32, 32)
    assert splits.counts == {"train": 42, "validation": 12, "test": 6}
    assert "validation     12 images" in capsys.readouterr().out
    x, y = next(iter(splits.train))
    assert tuple(x.shape) == (8, 32, 32, 3) and y.dtype.name == "int32" and float(np.max(x)) > 1.0
    _, y_test = folders.dataset_arrays(splits.test)
    assert len(splits.test_files) == 6 and len(y_test) == 6
    assert [["daisy", "roses", "tulips"][label] for label in y_test] == [Path(f).parent.name for f in splits.test_files]
    again = labels_csv.csv_datasets(flowers_csv, (32, 32), 8, validation_split=0.2, test_split=0.1, root=flowers, verbose=False)
    assert again.test_files == splits.test_files, "same seed, same split"


def test_images_are_read_exactly_as_image_dataset_from_directory_reads_them(tmp_path, caltech):
    """Grayscale JPEGs become RGB, and resizing matches Keras's own loader."""
    import keras

    files = [caltech / "cup" / "image_0007.jpg", caltech / "cup" / "image_0001.jpg"]  # grayscale, colour
    (tmp_path / "only" / "cup").mkdir(parents=True)
    for path in files:
        shutil.copy(path, tmp_path / "only" / "cup")
    csv_file = labels_csv.write_labels_csv([(path, "cup") for path in files] * 2, tmp_path / "labels.csv")
    mine = labels_csv.csv_datasets(csv_file, (40, 30), 4, validation_split=0.5, verbose=False, classes=["cup"],
                             allow_outside_root=True)  # absolute paths into the Keras cache, outside the CSV's folder
    theirs = keras.utils.image_dataset_from_directory(tmp_path / "only", image_size=(40, 30), batch_size=None, shuffle=False, verbose=False)
    expected = {Path(f).name: np.asarray(x) for f, (x, _) in zip(theirs.file_paths, theirs)}
    images = [np.asarray(x) for split in (mine.train, mine.validation) for batch, _ in split for x in batch]
    assert all(image.shape == (40, 30, 3) for image in images)
    assert any(np.array_equal(image, expected["image_0007.jpg"]) for image in images)
    assert any(np.array_equal(image, expected["image_0001.jpg"]) for image in images)


def test_label_modes(flowers_csv, flowers):
    one_hot = labels_csv.csv_datasets(flowers_csv, (16, 16), 4, root=flowers, label_mode="categorical", verbose=False)
    assert tuple(next(iter(one_hot.validation))[1].shape) == (4, 3)
    binary = labels_csv.csv_datasets(flowers_csv, (16, 16), 4, root=flowers, classes=["roses", "daisy"], label_mode="binary", verbose=False)
    assert binary.class_names == ["roses", "daisy"] and tuple(next(iter(binary.validation))[1].shape) == (4, 1)
    with pytest.raises(TrainSettingError, match="needs exactly two classes, not 3; use label_mode='int' or 'categorical'"):
        labels_csv.csv_datasets(flowers_csv, root=flowers, label_mode="binary")


def test_problems_are_named(tmp_path, flowers_csv, flowers):
    """The one wording test of each CSV message: what is wrong (with the file, line or label) and what to do."""
    with pytest.raises(FolderError, match=r"no CSV file at .*missing\.csv; check the path"):
        labels_csv.read_labels_csv(tmp_path / "missing.csv")
    with pytest.raises(FolderError, match=r"^60 image file\(s\) listed in .*labels\.csv do not exist.*relative paths start at .*change it with root="):
        labels_csv.read_labels_csv(flowers_csv)  # relative paths, read from the CSV's own folder
    with pytest.raises(FolderError, match="No row of .*labels.csv has the label 'sunflowers'.*its labels are: daisy, roses, tulips"):
        labels_csv.read_labels_csv(flowers_csv, root=flowers, classes=["sunflowers"])
    (tmp_path / "bad.csv").write_text("file,kind\nx.jpg,a\n")
    with pytest.raises(FolderError, match=r"no label column: .*'path,label' \(found: file, kind\); or pass label_column="):
        labels_csv.read_labels_csv(tmp_path / "bad.csv")
    (tmp_path / "gap.csv").write_text("path,label\ndaisy/x.jpg,\n")
    with pytest.raises(FolderError, match="^Line 2 of .*gap.csv has an empty label; fill it in or delete the line"):
        labels_csv.read_labels_csv(tmp_path / "gap.csv")
    (tmp_path / "empty.csv").write_text("path,label\n")
    with pytest.raises(FolderError, match="empty.csv lists no images; add one 'path,label' line per image"):
        labels_csv.read_labels_csv(tmp_path / "empty.csv")
    # flow_from_dataframe's column names are understood too
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(flowers_csv.read_text().replace("path,label", "filename,class", 1))
    assert len(labels_csv.read_labels_csv(aliases, root=flowers)[0]) == 60


def test_train_on_labels_no_folder_has(tmp_path, caltech):
    rows = [(path, GROUPS[path.parent.name]) for path in sorted(caltech.glob("*/*.jpg"))]
    csv_file = labels_csv.write_labels_csv(rows, tmp_path / "groups.csv", relative_to=caltech)
    result = train.train_from_csv(csv_file, 32, root=caltech, epochs=1, base=None, widths=(8, 16), convs_per_block=1, verbose=0)
    assert result.class_names == ["crustacean", "dog", "vessel"]
    assert result.datasets.counts == {"train": 315, "validation": 78}
    assert result.evaluation.confusion().sum() == 78
    keras_accuracy = result.model.evaluate(result.datasets.validation, verbose=0, return_dict=True)["accuracy"]
    assert result.metrics["validation_accuracy"] == pytest.approx(keras_accuracy, abs=1e-6), "labels and predictions line up"
    with pytest.raises(TypeError, match="validation_dir"):
        train.train_from_csv(csv_file, root=caltech, validation_dir=caltech)


def test_command_line_accepts_a_csv_file(tmp_path, caltech, capsys):
    rows = [(path, GROUPS[path.parent.name]) for name in ("crab", "cup") for path in sorted((caltech / name).iterdir())[:12]]
    csv_file = labels_csv.write_labels_csv(rows, tmp_path / "groups.csv", relative_to=caltech)
    output = tmp_path / "groups.keras"
    status = command.main([str(csv_file), "--scratch", "--root", str(caltech), "--image-size", "24", "--epochs", "1", "--widths", "4",
                         "--batch-size", "100", "--output", str(output), "--quiet"])
    out = capsys.readouterr().out
    assert status == 0 and output.is_file()
    assert "note: batch size 100 " in out and "using 20." in out  # check_sizes's note (its wording: tests/test_train.py)
    assert "crustacean" in out and "vessel" in out and "saved the model and its 2 class names" in out
