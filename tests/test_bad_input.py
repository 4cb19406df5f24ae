"""Bad input a learner can cause: each kind ends in one clear message, never in a
traceback nor in a silently wrong result. Each test builds the bad input (tiny generated images: these
are edge cases, not lessons) and asserts on the error class or on the structured result.
"""

from __future__ import annotations

import itertools
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import errors, model_files, predict
from helpers.data import folders, labels_csv, registry
from helpers.data.checks import rules
from helpers.data.checks.scan import scan_folder
from helpers.errors import CourseError, FolderError, TrainingDivergedError, TrainSettingError
from helpers.train import callbacks as train_callbacks
from helpers.train import command

SIZE = (16, 16)
_SEEDS = itertools.count(500)


def photo(path: Path) -> Path:
    """A small smooth random RGB JPEG (a stand-in photo for edge-case tests only)."""
    coarse = np.random.default_rng(next(_SEEDS)).integers(0, 255, (3, 4, 3), dtype=np.uint8)
    Image.fromarray(coarse, "RGB").resize((24, 16), Image.Resampling.BICUBIC).save(path, quality=90)
    return path


def folder(root: Path, layout: dict[str, int]) -> Path:
    for name, count in layout.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            photo(root / name / f"{i:03d}.jpg")
    return root


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))


# --- links: followed once or not at all, never a traceback ---------------------------------------


def test_a_link_named_jpg_that_points_nowhere_is_skipped_and_named(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5})
    (root / "cats" / "gone.jpg").symlink_to(tmp_path / "deleted.jpg")
    scan = scan_folder(root)
    assert [(p.path.name, p.kind) for p in scan.problems] == [("gone.jpg", "unreadable")]
    assert "which does not exist" in scan.problems[0].reason and not scan.keras_ready
    splits = folders.image_datasets(root, SIZE, 4, validation_split=0.2, verbose=False)
    x_train, _ = folders.dataset_arrays(splits.train)  # Keras's own loader would stop here with NotFoundError
    x_val, _ = folders.dataset_arrays(splits.validation)
    assert len(x_train) + len(x_val) == 10


def test_link_loops_and_links_between_classes_count_each_photo_once(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5})
    (root / "cats" / "up").symlink_to(root, target_is_directory=True)  # a loop: the dataset inside a class
    (root / "dogs" / "cats_too").symlink_to(root / "cats", target_is_directory=True)  # another class inside this one
    (root / "dogs" / "same.jpg").symlink_to(root / "cats" / "000.jpg")  # one photo in two classes
    outside = folder(tmp_path / "drive", {"more": 2})
    (root / "dogs" / "more").symlink_to(outside / "more", target_is_directory=True)  # outside: followed once
    scan = scan_folder(root)
    assert scan.counts == {"cats": 5, "dogs": 7}
    assert sorted(p.name for p in scan.links_not_followed) == ["cats_too", "up"]
    assert scan.repeated == {root / "dogs" / "same.jpg": root / "cats" / "000.jpg"}
    assert any("not followed, so no photo counts twice" in note for note in scan.notes)
    splits = folders.image_datasets(root, SIZE, 4, validation_split=0.25, verbose=False)
    images = np.concatenate([folders.dataset_arrays(splits.train)[0], folders.dataset_arrays(splits.validation)[0]])
    assert len(images) == 12 and len(np.unique(images.reshape(12, -1), axis=0)) == 12, "no photo twice"


def test_a_class_folder_linked_to_an_unplugged_drive_is_named(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    (root / "hamsters").symlink_to(tmp_path / "usb" / "hamsters", target_is_directory=True)
    scan = scan_folder(root)
    assert scan.class_names == ["cats", "dogs"]
    assert any(note.startswith("hamsters is a link to ") and "not a class" in note for note in scan.notes)


def test_a_pipe_named_jpg_is_a_problem_and_does_not_hang(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5})
    os.mkfifo(root / "dogs" / "pipe.jpg")
    scan = scan_folder(root)
    assert [p.path.name for p in scan.problems] == ["pipe.jpg"] and scan.counts == {"cats": 5, "dogs": 5}


def test_a_file_that_cannot_be_read_is_a_problem_and_not_cached(tmp_path, monkeypatch):
    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5})
    locked = root / "cats" / "002.jpg"
    real_read = Path.read_bytes

    def read_bytes(self):
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    scan = scan_folder(root)
    assert [(p.path, p.kind) for p in scan.problems] == [(locked, "unreadable")] and "Permission denied" in scan.problems[0].reason
    monkeypatch.setattr(Path, "read_bytes", real_read)  # permissions fixed (a chmod keeps the modification time)
    assert scan_folder(root).ok, "the failed read was not cached"


# --- folders laid out wrongly ---------------------------------------------------------------------


def test_a_root_of_splits_is_refused_with_the_folders_to_pass(tmp_path):
    root = tmp_path / "pets"
    folder(root / "train", {"cats": 3, "dogs": 3})
    folder(root / "validation", {"cats": 2, "dogs": 2})
    for call in (lambda: rules.class_counts(root), lambda: folders.image_datasets(root, SIZE, validation_split=0.2, verbose=False)):
        with pytest.raises(FolderError) as error:
            call()
        message = str(error.value)
        assert "look like the splits of a dataset" in message and "pets/train" in message and "pets/validation" in message
    assert rules.class_counts(root, ["train", "validation"]) == {"train": 6, "validation": 4}, "asked for by name: allowed"


def test_train_from_folder_refuses_a_root_of_splits_before_training(tmp_path, monkeypatch):
    from helpers import train

    root = tmp_path / "pets"
    folder(root / "train", {"cats": 3, "dogs": 3})
    folder(root / "test", {"cats": 2, "dogs": 2})
    monkeypatch.setattr(train, "fit_and_evaluate", lambda *a, **k: pytest.fail("trained anyway"))
    with pytest.raises(FolderError, match="pass .*pets/train as the folder"):
        train.train_from_folder(root, 16, epochs=1, base=None, verbose=0)


def test_a_validation_folder_with_a_class_the_training_folder_lacks(tmp_path):
    root = tmp_path / "pets"
    folder(root / "train", {"cats": 4, "dogs": 4})
    folder(root / "validation", {"cats": 2, "dogs": 2, "hamsters": 2, "mice": 1})
    with pytest.raises(FolderError) as error:
        folders.image_datasets(root / "train", SIZE, 4, validation_dir=root / "validation", verbose=False)
    assert "lacks: hamsters, mice" in str(error.value)
    with pytest.raises(FolderError, match="is the training folder itself"):
        folders.image_datasets(root / "train", SIZE, 4, validation_dir=root / "train" / ".." / "train", verbose=False)


def test_too_few_images_for_the_split_is_said_before_keras_fails(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 2, "dogs": 2})
    with pytest.raises(TrainSettingError) as error:
        folders.image_datasets(root, SIZE, 4, validation_split=0.2, verbose=False)
    assert "leaves the validation split empty" in str(error.value) and "at least 5" in str(error.value)
    with pytest.raises(TrainSettingError):
        rules.check_sizes(rules.class_counts(root), 4, 0.2)
    assert rules.split_sizes(10, 0.2, 0.1) == {"training": 7, "validation": 2, "test": 1}
    with pytest.raises(TrainSettingError, match="leaves the test split empty"):
        rules.check_split(10, 0.2, 0.05)
    assert isinstance(error.value, ValueError), "still a ValueError, as before the course named it"


def test_misspelt_or_mistyped_class_names_get_a_suggestion(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 3, "dogs": 3})
    with pytest.raises(FolderError, match=r"no sub-folder 'dgos' \(did you mean 'dogs'\?\)"):
        scan_folder(root, ["cats", "dgos"])
    with pytest.raises(FolderError, match=r"did you mean 'cats'"):
        rules.class_counts(root, ["Cats", "dogs"])
    with pytest.raises(FolderError, match=r"takes a list of class names, such as classes=\['cats', 'dogs'\]"):
        scan_folder(root, "cats,dogs")
    with pytest.raises(FolderError, match="names 'cats' more than once"):
        scan_folder(root, ["cats", "dogs", "cats"])
    with pytest.raises(CourseError, match=r"did you mean 'caltech101'"):
        registry.get_dataset("caltech_101")


def test_impossible_settings_say_what_to_use(tmp_path):
    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5, "mice": 5})
    cases = [
        (dict(image_size=(0, 16)), "1 pixel or more"),
        (dict(image_size="big"), "such as (180, 180)"),
        (dict(batch_size=0), "1 or more"),
        (dict(label_mode="categorial"), "did you mean 'categorical'"),
        (dict(label_mode="binary"), "exactly two classes, not 3"),
        (dict(validation_split=1.2), "between 0 and 1"),
        (dict(max_train=0), "max_train must be a whole number of images, 1 or more"),
    ]
    for change, words in cases:
        options = dict(image_size=SIZE, batch_size=4, validation_split=0.2, verbose=False) | change
        with pytest.raises(TrainSettingError) as error:
            folders.image_datasets(root, **options)
        assert words in str(error.value), (change, str(error.value))
    for change, words in [(dict(learning_rate=-1e-3), "learning_rate must be more than 0 (for example 1e-3), not -0.001"),
                          (dict(clipnorm=0.0), "clipnorm must be more than 0"), (dict(patience=-1), "patience must be 0 or more"),
                          (dict(fine_tune_epochs=2.5), "must be a whole number"), (dict(learning_rate="fast"), "such as 1e-3")]:
        with pytest.raises(TrainSettingError, match=words.replace("(", r"\(").replace(")", r"\)")):
            rules.check_training_numbers(**change)
    rules.check_training_numbers(learning_rate=1e20, patience=0, clipnorm=None)  # unwise, but not impossible
    with pytest.raises(TrainSettingError, match="variant='full'"):
        registry.get_dataset("caltech101").archive("huge")


def test_split_settings_are_checked_in_one_place(tmp_path):
    """rules.check_split_settings: the one check of validation_split / validation_dir / test_split, one error type."""
    check = rules.check_split_settings
    assert check(0.2, 0.1) == pytest.approx(0.3) and check(None, 0.5, tmp_path) == 0.5 and check(0.2, 0) == 0.2
    assert check(None, None, needs="nothing") == 0 and check(0.2, needs="validation_split") == 0.2
    bad = [
        dict(validation_split=None),                                      # neither
        dict(validation_split=0.2, validation_dir=tmp_path),              # both
        dict(validation_split=0.0), dict(validation_split=1.2), dict(validation_split="0.2"), dict(validation_split=True),
        dict(validation_split=0.7, test_split=0.4),                       # the sum
        dict(validation_dir=tmp_path, test_split=1.0),
        dict(validation_split=None, needs="validation_split"),            # a CSV file has no second folder
        dict(validation_split=0.2, validation_dir=tmp_path, needs="validation_split"),
        dict(needs="everything"),
    ]
    for settings in bad:
        with pytest.raises(TrainSettingError):
            check(**settings)
    with pytest.raises(TrainSettingError) as error:
        check(0.7, 0.4)
    assert str(error.value) == "validation_split + test_split must be between 0 and 1 (for example 0.2 and 0.1), not 1.1."
    with pytest.raises(TrainSettingError) as error:
        check(None, None)
    assert "Give exactly one of validation_split" in str(error.value) and "not both or neither" in str(error.value)
    with pytest.raises(TrainSettingError) as error:
        check(None, 2, tmp_path)
    assert str(error.value) == "test_split must be between 0 and 1 (for example 0.5), not 2."
    # the data modules use it: the same error type from a folder and a CSV file
    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5})
    csv_file = labels_csv.write_labels_csv([(p, p.parent.name) for p in sorted(root.rglob("*.jpg"))], tmp_path / "labels.csv")
    for call in (lambda: folders.image_datasets(root, SIZE, validation_split=0.6, test_split=0.5, verbose=False),
                 lambda: labels_csv.csv_datasets(csv_file, SIZE, validation_split=0.9, test_split=0.2, verbose=False)):
        with pytest.raises(TrainSettingError, match="between 0 and 1"):
            call()


# --- CSV files as spreadsheets save them ----------------------------------------------------------


def _rows(tmp_path: Path) -> list[tuple[str, str]]:
    root = folder(tmp_path / "imgs", {"a": 5, "b": 5})
    return [(p.relative_to(tmp_path).as_posix(), "café" if p.parent.name == "a" else "bière") for p in sorted(root.rglob("*.jpg"))]


@pytest.mark.parametrize("encoding, separator", [("cp1252", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", ";"),
                                                 ("utf-8", "\t"), ("utf-16", ",")])
def test_csv_files_saved_by_excel_are_read(tmp_path, encoding, separator):
    rows = _rows(tmp_path)
    text = f"path{separator}label\r\n" + "".join(f"{p}{separator}{label}\r\n" for p, label in rows) + f"{separator}\r\n\r\n"
    (tmp_path / "labels.csv").write_bytes(text.encode(encoding))
    read = labels_csv.read_labels_csv(tmp_path / "labels.csv")
    paths, labels = read
    assert sorted(set(labels)) == ["bière", "café"] and len(paths) == 10
    assert read.encoding == ("cp1252" if encoding == "cp1252" else "utf-16" if encoding == "utf-16" else "utf-8")
    assert any("Windows-1252" in note for note in read.notes(tmp_path / "labels.csv")) == (encoding == "cp1252")


def test_csv_duplicates_and_conflicting_labels_are_reported_and_dropped(tmp_path, capsys):
    rows = _rows(tmp_path)
    doubled = rows + [rows[0], rows[0], (rows[1][0], "bière"), ("./" + rows[2][0], rows[2][1])]
    csv_file = labels_csv.write_labels_csv(doubled, tmp_path / "labels.csv")
    read = labels_csv.read_labels_csv(csv_file)
    first, second, third = (tmp_path / rows[i][0] for i in range(3))
    assert len(read[0]) == 10 and read.repeated == {first: 3, third: 2}
    assert read.conflicts == {second: ["café", "bière"]} and read[1][read[0].index(second)] == "café"
    splits = labels_csv.csv_datasets(csv_file, SIZE, 2, validation_split=0.3)
    out = capsys.readouterr().out
    assert "listed more than once" in out and "listed under two labels" in out
    assert splits.counts == {"train": 7, "validation": 3}
    train_x, _ = folders.dataset_arrays(splits.train)
    val_x, _ = folders.dataset_arrays(splits.validation)
    assert not any(np.array_equal(v, t) for v in val_x for t in train_x), "no image in both training and validation"


def test_csv_with_a_misspelt_label_and_a_text_that_is_not_csv(tmp_path):
    csv_file = labels_csv.write_labels_csv(_rows(tmp_path), tmp_path / "labels.csv")
    with pytest.raises(FolderError, match=r"did you mean 'café'"):
        labels_csv.read_labels_csv(csv_file, classes=["cafe", "bière"])
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(FolderError, match="is not a text file"):
        labels_csv.read_labels_csv(tmp_path / "binary.csv")
    (tmp_path / "nul.csv").write_bytes(b"path,label\n\0\0\0,a\n")
    with pytest.raises(FolderError, match="NUL bytes"):
        labels_csv.read_labels_csv(tmp_path / "nul.csv")
    (tmp_path / "huge.csv").write_text("path,label\n" + "x" * 200_000 + ",a\n")
    with pytest.raises(FolderError, match="cannot be read as CSV near line"):
        labels_csv.read_labels_csv(tmp_path / "huge.csv")


# --- training: a loss that explodes without becoming NaN --------------------------------------------


def test_a_loss_that_explodes_without_nan_stops_like_nan():
    import types

    callback = train_callbacks.StopOnNaN(announce=False)
    callback.set_model(types.SimpleNamespace(optimizer=types.SimpleNamespace(learning_rate=10.0), stop_training=False))
    callback.on_train_begin()
    callback.on_epoch_begin(0)
    callback.on_batch_end(0, {"loss": 0.69})
    callback.on_batch_end(1, {"loss": 900.0})
    assert not callback.model.stop_training, "a bumpy loss is not a diverged one"
    callback.on_batch_end(2, {"loss": 1e17})
    assert callback.model.stop_training
    assert callback.message.startswith("The training loss exploded to 1e+17 (from 0.69 at the start) at batch 3 of epoch 1")
    assert "Lower learning_rate (for example to 1)" in callback.message


def test_an_exploding_loss_ends_training_with_the_diverged_error(tmp_path):
    import keras

    from helpers import train

    root = folder(tmp_path / "pets", {"cats": 8, "dogs": 8})

    def exploding(shape, classes):  # a huge L2 penalty and a huge learning rate: the loss grows without bound
        inputs = keras.Input(shape)
        x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(inputs))
        outputs = keras.layers.Dense(classes, activation="softmax", kernel_regularizer=keras.regularizers.L2(10.0))(x)
        return keras.Model(inputs, outputs)

    with pytest.raises(TrainingDivergedError) as error:
        train.train_from_folder(root, 16, batch_size=4, epochs=3, model=exploding, base=None, learning_rate=50.0, augment=False,
                                verbose=0)
    assert str(error.value).startswith("The training loss exploded to "), "caught while still finite, before any NaN"


# --- saving: checked before training, never half a file ---------------------------------------------


@pytest.fixture
def small_model():
    import keras

    inputs = keras.Input((16, 16, 3))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(inputs))
    return keras.Model(inputs, outputs)


def test_check_writable_before_training(tmp_path, monkeypatch):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(errors.ModelFileError, match="is a file, not a folder"):
        model_files.check_writable(blocker / "runs" / "m.keras")
    with pytest.raises(errors.ModelFileError, match="is a folder"):
        model_files.check_writable(tmp_path)
    with pytest.raises(errors.ModelFileError, match="ending in .keras"):
        model_files.check_writable(tmp_path / "m.h5")
    assert model_files.check_writable(tmp_path / "new" / "deeper" / "m.keras") == tmp_path / "new" / "deeper" / "m.keras"
    assert not (tmp_path / "new").exists(), "nothing created by the check"
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)  # a read-only folder (tests may run as root)
    with pytest.raises(errors.ModelFileError, match=r"\(Permission denied\); choose a folder you can write to"):
        model_files.check_writable(tmp_path / "m.keras")


def test_train_from_folder_checks_the_output_before_training(tmp_path, monkeypatch):
    from helpers import train

    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5})
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(train, "fit_and_evaluate", lambda *a, **k: pytest.fail("trained before finding it cannot save"))
    with pytest.raises(errors.ModelFileError):
        train.train_from_folder(root, 16, epochs=1, base=None, verbose=0, save_to=tmp_path / "file" / "pets.keras")


def test_an_interrupted_save_leaves_the_old_model_whole(tmp_path, small_model, monkeypatch):
    path = model_files.save_classifier(small_model, tmp_path / "m.keras", ["cats", "dogs"])
    before = path.read_bytes()

    def interrupted(self, filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"PK half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(type(small_model), "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model_files.save_classifier(small_model, path, ["cats", "dogs"])
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.keras"]


# --- the terminal and Jupyter ---------------------------------------------------------------------


def test_ctrl_c_in_the_training_command_says_where_the_run_is(tmp_path, monkeypatch, capsys):
    from helpers import train

    run = tmp_path / "run"
    (run / "backup").mkdir(parents=True)
    (run / "backup" / "training_metadata.json").write_text(json.dumps({"epoch": 3}))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "train_from_folder", interrupted)
    root = folder(tmp_path / "pets", {"cats": 5, "dogs": 5})
    try:
        status = command.main([str(root), "--run-dir", str(run), "--output", str(tmp_path / "pets.keras"), "--quiet"])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C ended the command with a KeyboardInterrupt traceback")
    err = capsys.readouterr().err
    assert status == 130 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Interrupted: the run is saved in ") and "go on from epoch 4" in err
    assert train_callbacks.interrupted_message(None).startswith("Interrupted: nothing was saved")


def test_a_course_error_in_jupyter_is_one_line(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            shell.run_cell(f"from helpers.data.checks import scan\nscan.scan_folder({str(tmp_path / 'nowhere')!r})")
    finally:
        InteractiveShell.clear_instance()
    shown = captured.stdout + captured.stderr
    assert "FolderError: " in shown and "is not a folder; check the path." in shown
    assert "Traceback" not in shown and "scan.py" not in shown


def test_the_prediction_command_on_bad_inputs(tmp_path, small_model, capsys):
    import keras

    model_path = model_files.save_classifier(small_model, tmp_path / "m.keras", ["cats", "dogs"])
    samples = tmp_path / "samples"
    samples.mkdir()
    photo(samples / "ok.jpg")
    (samples / "gone.jpg").symlink_to(tmp_path / "deleted.jpg")
    (samples / "sub").mkdir()
    assert predict.main([str(model_path), "-d", str(samples)]) == 0
    out = capsys.readouterr().out
    assert "gone.jpg: unreadable (a link to" in out and "1 image predicted, 1 skipped" in out
    assert predict.main([str(model_path), "-f", str(samples / "sub")]) == 1
    assert "a folder, not an image file; give it with -d" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert predict.main([str(model_path), "-d", str(tmp_path / "empty")]) == 2
    assert "holds no files to predict" in capsys.readouterr().err
    inputs = keras.Input((784,))
    flat = model_files.save_classifier(keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs)),
                                       tmp_path / "mlp.keras", ["a", "b"])
    assert predict.main([str(flat), "-d", str(samples)]) == 2
    err = capsys.readouterr().err
    assert "not images (height, width, channels)" in err and "Traceback" not in err
    with zipfile.ZipFile(model_path) as archive:
        assert model_files.CLASS_NAMES_ENTRY in archive.namelist()


# --- more kinds: paths as learners type them, workbooks, copies across folders -----------------------


def test_home_paths_archives_and_near_misses(tmp_path, monkeypatch):
    import shutil

    root = folder(tmp_path / "flower_photos", {"daisy": 3, "roses": 3})
    monkeypatch.setenv("HOME", str(tmp_path))
    assert rules.class_counts("~/flower_photos") == {"daisy": 3, "roses": 3}, "~ is expanded, as in a terminal"
    archive = shutil.make_archive(str(tmp_path / "flowers"), "zip", root)
    with pytest.raises(FolderError, match="is an archive, not a folder: extract it first"):
        scan_folder(archive)
    with pytest.raises(FolderError, match=r"is not a folder \(did you mean 'flower_photos'\?\)"):
        rules.class_counts(tmp_path / "flower_photo")
    with pytest.raises(FolderError, match="is a file, not a folder"):
        folders.image_datasets(root / "daisy" / "000.jpg", SIZE, validation_split=0.2)


def test_csv_as_spreadsheets_write_it(tmp_path):
    rows = _rows(tmp_path)
    text = "Path,Label\n" + "".join(f"{p.replace('/', chr(92))},{label}\n" for p, label in rows)  # Windows separators
    (tmp_path / "labels.csv").write_text(text, encoding="utf-8")
    paths, labels = labels_csv.read_labels_csv(tmp_path / "labels.csv")
    assert len(paths) == 10 and all(p.is_file() for p in paths)
    (tmp_path / "labels.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(FolderError, match="is a spreadsheet workbook, not a CSV file"):
        labels_csv.read_labels_csv(tmp_path / "labels.xlsx")


def test_validation_copies_of_training_photos_are_left_out(tmp_path, capsys):
    import shutil

    root = tmp_path / "pets"
    folder(root / "train", {"cats": 4, "dogs": 4})
    folder(root / "validation", {"cats": 2, "dogs": 2})
    shutil.copy(root / "train" / "cats" / "001.jpg", root / "validation" / "cats" / "copy.jpg")
    splits = folders.image_datasets(root / "train", SIZE, 4, validation_dir=root / "validation")
    assert "1 validation image(s) are copies of training images, e.g. copy.jpg = 001.jpg" in capsys.readouterr().out
    assert splits.counts == {"train": 8, "validation": 4}
