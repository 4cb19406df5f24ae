"""train_from_folder and ``python -m helpers.train`` on real Caltech-101 images (tiny sizes keep it fast).

Generated images appear only in the edge case real data does not have in one place: a class of
two images, grayscale files among colour ones, and a batch larger than the whole folder.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import errors, model_files, train
from helpers.data import folders
from helpers.data.checks import rules
from helpers.errors import FolderError, TrainSettingError
from helpers.train import command, fit
from helpers.train import options as train_options

TINY = dict(image_size=32, epochs=1, base=None, widths=(8, 16), convs_per_block=1, verbose=0)  # the course CNN, tiny
GRAYSCALE = {"crab": ["image_0018.jpg", "image_0051.jpg", "image_0066.jpg"], "cup": ["image_0007.jpg", "image_0029.jpg", "image_0030.jpg"]}


@pytest.fixture(scope="module")
def caltech(real_dataset) -> Path:
    return real_dataset("caltech101")


@pytest.fixture
def small_split(tmp_path, caltech) -> Path:
    """Real crab and cup photos laid out as train/ and validation/ folders."""
    for split, files in (("train", slice(0, 16)), ("validation", slice(16, 21))):
        for name in ("crab", "cup"):
            (tmp_path / split / name).mkdir(parents=True)
            for path in sorted((caltech / name).iterdir())[files]:
                shutil.copy(path, tmp_path / split / name)
    return tmp_path


def test_class_counts_of_the_real_folder(caltech, tmp_path):
    counts = rules.class_counts(caltech)
    assert counts == {"crab": 73, "crayfish": 70, "cup": 57, "dalmatian": 67, "ewer": 85, "lobster": 41}
    assert rules.class_counts(caltech, ["cup", "crab"]) == {"cup": 57, "crab": 73}, "the order given is the label order"
    with pytest.raises(FolderError) as unknown:  # the wording: tests/test_bad_input.py (misspelt class names)
        rules.class_counts(caltech, ["crab", "cups"])
    assert "'cups'" in str(unknown.value) and ", ".join(counts) in str(unknown.value), "the unknown name, then the classes there are"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(caltech / "crab" / "image_0001.jpg", tmp_path / "a")
    with pytest.raises(FolderError) as empty:  # the wording: tests/test_scan.py (empty class folder)
        rules.class_counts(tmp_path)
    assert f"{tmp_path.name}/b " in str(empty.value), "the empty class folder, b/ (a/ has an image)"


def test_check_sizes_clamps_the_batch_and_notes_small_classes():
    """The wording of check_sizes's two notes and of its one-class error is checked here, once."""
    assert rules.check_sizes({"a": 73, "b": 57}, 32, 0.2) == (32, [])
    batch, notes = rules.check_sizes({"a": 10, "b": 2}, 64, 0.2)
    assert batch == 10 and len(notes) == 2
    assert notes[0] == "batch size 64 is larger than the 10 training images: using 10."
    assert notes[1] == ("class 'b' has only 2 images, fewer than the 5 a 20% validation split needs to hold out one: "
                        "training anyway, but it may have no validation image.")
    assert rules.check_sizes({"a": 4, "b": 4}, 8, 0.5, 0.25)[0] == 2, "test images are held out too"
    with pytest.raises(FolderError) as one_class:
        rules.check_sizes({"a": 10}, 8, 0.2)
    assert "at least two classes, not 1" in str(one_class.value) and "add class sub-folders" in str(one_class.value)
    with pytest.raises(errors.TrainSettingError):
        rules.check_sizes({"a": 10, "b": 10}, 0)


def test_train_two_real_classes_with_grayscale_photos(caltech, tmp_path):
    assert all(Image.open(caltech / name / file).mode == "L" for name, files in GRAYSCALE.items() for file in files)
    result = train.train_from_folder(caltech, classes=["crab", "cup"], test_split=0.2, save_to=tmp_path / "m.keras", **TINY)
    assert result.class_names == ["crab", "cup"]
    assert result.datasets.counts == {"train": 78, "validation": 26, "test": 26}
    assert set(result.metrics) == {"validation_accuracy", "validation_loss", "training_accuracy", "test_accuracy"}
    assert len(result.evaluation.y_true) == 26
    keras_accuracy = result.model.evaluate(result.datasets.validation, verbose=0, return_dict=True)["accuracy"]
    assert result.metrics["validation_accuracy"] == pytest.approx(keras_accuracy, abs=1e-6), "labels and predictions line up"
    assert len(result.test_evaluation.y_true) == 26 and result.best_epoch == 1 and result.seconds > 0
    assert "validation accuracy:" in result.report() and "precision" in result.report()
    assert repr(result).startswith("TrainResult(2 classes, validation accuracy ")
    # every image, grayscale ones included, reached the model as 32x32 RGB
    shapes = {tuple(x.shape[1:]) for split in (result.datasets.train, result.datasets.validation) for x, _ in split}
    assert shapes == {(32, 32, 3)}
    model, names = model_files.load_classifier(result.saved_to)
    assert names == ["crab", "cup"] and model.input_shape == (None, 32, 32, 3)


def test_tiny_class_grayscale_and_a_batch_larger_than_the_data(tmp_path, capsys):
    """The three cases where the old tutorial's script failed, in one folder (generated images)."""
    rng = np.random.default_rng(0)
    for name, modes in (("colour", ["RGB"] * 8 + ["L"] * 2), ("tiny", ["L", "RGB"])):
        (tmp_path / name).mkdir()
        for i, mode in enumerate(modes):
            pixels = rng.integers(0, 255, (20, 24, 3 if mode == "RGB" else 1), dtype=np.uint8)
            Image.fromarray(pixels.squeeze()).save(tmp_path / name / f"{i}.{'png' if mode == 'L' else 'jpg'}")
    result = train.train_from_folder(tmp_path, 16, batch_size=64, epochs=1, base=None, widths=(4,), convs_per_block=1, verbose=1)
    out = capsys.readouterr().out
    assert result.notes == rules.check_sizes({"colour": 10, "tiny": 2}, 64, 0.2)[1], "check_sizes's two notes (their wording: the test above)"
    assert all(f"note: {note}" in out for note in result.notes), "each note is printed"
    assert result.datasets.counts == {"train": 10, "validation": 2}
    assert {tuple(x.shape) for x, _ in result.datasets.train} == {(10, 16, 16, 3)}


def test_validation_folder(small_split):
    result = train.train_from_folder(small_split / "train", validation_split=None, validation_dir=small_split / "validation", **TINY)
    assert result.datasets.counts == {"train": 32, "validation": 10}
    shutil.rmtree(small_split / "validation" / "cup")
    with pytest.raises(FolderError) as missing:
        train.train_from_folder(small_split / "train", validation_split=None, validation_dir=small_split / "validation", **TINY)
    assert "'cup'" in str(missing.value) and "validation" in str(missing.value), "the class the validation folder lacks, and that folder"


@pytest.mark.parametrize(
    "options, error, setting",  # the setting the message names (the wordings: tests/test_bad_input.py and the tests above)
    [
        (dict(epochs=0), TrainSettingError, "epochs"),
        (dict(validation_split=0.2, validation_dir="x"), TrainSettingError, "validation_dir"),
        (dict(validation_split=None), TrainSettingError, "validation_dir"),
        (dict(validation_split=0.7, test_split=0.4), TrainSettingError, "validation_split + test_split"),
        (dict(classes=["crab"]), FolderError, "classes="),
    ],
)
def test_settings_that_cannot_work_fail_before_training(caltech, options, error, setting, monkeypatch):
    monkeypatch.setattr(train, "fit_and_evaluate", lambda *a, **k: pytest.fail("reached training"))
    with pytest.raises(error) as raised:
        train.train_from_folder(caltech, **{**TINY, **options})
    assert setting in str(raised.value)


def test_a_model_of_your_own(caltech):
    import keras

    own = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    result = train.train_from_folder(caltech, classes=["crab", "cup"], model=own, augment=False, **{**TINY, "base": "auto"})
    assert result.model is own and result.choices["base"] is None and result.choices["why"] == "your model"


def test_python_m_helpers_train_starts():
    """The one run of ``python -m helpers.train`` in a new process (``--help`` loads no Keras); the rest call command.main."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    shown = subprocess.run([sys.executable, "-m", "helpers.train", "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: python -m helpers.train") and "FOLDER" in shown.stdout, "it names the folder argument"


def test_command_line_trains_saves_and_predict_reads_the_model(caltech, tmp_path, monkeypatch, capsys):
    """The old workflow end to end: train from a terminal, then predict with -d (both commands' main, in this process)."""
    from helpers import predict

    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    status = command.main([
        str(caltech), "--classes", "crab,cup", "--image-size", "32", "--epochs", "2", "--scratch",
        "--widths", "8,16", "--batch-size", "16", "--output", "models/crab_cup.keras", "--quiet",
    ])
    trained = capsys.readouterr()
    assert status == 0, trained.err
    assert train_options.choose_defaults(None, "imagenet", 32, 2, None, 16).line() in trained.out, "what was chosen, first"
    assert "validation accuracy:" in trained.out and "precision" in trained.out, "the validation report"
    assert "Epoch 1/2" not in trained.out, "--quiet: no line per epoch"
    assert "saved the model and its 2 class names to models/crab_cup.keras" in trained.out
    unseen = tmp_path / "unseen"
    unseen.mkdir()
    for name in ("crab", "cup"):
        shutil.copy(caltech / name / GRAYSCALE[name][0], unseen / f"{name}.jpg")
    status = predict.main(["models/crab_cup.keras", "-d", "unseen"])
    predicted = capsys.readouterr()
    assert status == 0, predicted.err
    lines = predicted.out.strip().splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["unseen/crab.jpg", "unseen/cup.jpg"]
    assert all(line.split(": ")[1].split()[0] in ("crab", "cup") for line in lines[:2])
    assert lines[-1] == "2 images predicted"


def test_command_line_errors_are_one_line(tmp_path, capsys):
    assert command.main([str(tmp_path / "nowhere"), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "is not a folder" in err
    assert command.main([str(tmp_path), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "sub-folders" in err
    with pytest.raises(SystemExit):
        command.main([str(tmp_path), "--image-size", "big"])


def test_the_three_steps_by_hand_match_the_one_call(caltech):
    """Data → model → fit, each step a thing to look at, then the same in one call: the same model and figures."""
    import keras

    options = dict(classes=["crab", "cup"], validation_split=0.2, seed=7)
    keras.utils.set_random_seed(7)
    datasets = folders.image_datasets(caltech, (32, 32), 32, **options, verbose=False)
    model = train.build_classifier((32, 32, 3), len(datasets.class_names), widths=(8, 16), convs_per_block=1)
    assert isinstance(model, keras.Model) and model.output_shape == (None, 2) and model.name == "folder_cnn"
    by_hand = fit.fit_and_evaluate(datasets, model=model, epochs=1, verbose=0)
    one_call = train.train_from_folder(caltech, 32, **options, epochs=1, base=None, widths=(8, 16), convs_per_block=1,
                                       augment=False, verbose=0)
    assert one_call.model.count_params() == model.count_params()
    assert one_call.datasets.counts == by_hand.datasets.counts == {"train": 104, "validation": 26}
    assert one_call.class_names == by_hand.class_names == ["crab", "cup"]


def test_an_option_no_step_takes_is_a_type_error_naming_the_options(caltech):
    with pytest.raises(TypeError, match="widht") as raised:
        train.train_from_folder(caltech, widht=(8,))
    assert "widths" in str(raised.value) and "quarantine" in str(raised.value) and "patience" in str(raised.value)
    with pytest.raises(errors.TrainSettingError, match="quarantine works with a folder"):
        train.train_from_csv("labels.csv", quarantine=True)


def test_every_command_line_option_is_an_option_of_the_python_call():
    """API/CLI parity: each flag sets a keyword of train_from_folder or of one of its steps, or is the CLI's own."""
    import inspect

    from helpers.train.command import _parser

    named = inspect.signature(train.train_from_folder).parameters
    api = {name for name, p in named.items() if p.kind is not p.VAR_KEYWORD} | {n for names in train.STEP_OPTIONS.values() for n in names}
    api |= {"root", "allow_outside_root"}  # train_from_csv's
    cli_only = {"help", "source", "scratch", "random_weights", "no_augment", "output", "quiet"}  # base=None, weights=None, augment, save_to, verbose
    flags = {action.dest for action in _parser()._actions}
    assert flags - cli_only <= api, f"flags with no Python option: {sorted(flags - cli_only - api)}"
    python_only = {"directory", "model", "max_train", "strategy", "mixed_precision", "callbacks", "convs_per_block",
                   "fine_tune_layers", "fine_tune_learning_rate", "verbose", "save_to", "augment", "weights"}
    options = api - {"root", "allow_outside_root"} - python_only
    assert options <= flags, f"options with no flag: {sorted(options - flags)}"


def test_the_model_step_is_build_classifier_and_its_second_check_is_quiet(capfd):
    """train_from_folder checks the base before loading data, then builds with build_classifier, which checks again: silently."""
    from helpers.data import weights
    from helpers.train import options as train_options

    if not weights.weights_cached("MobileNetV2-0.35"):
        pytest.skip("the light ImageNet weight files are not in this Keras cache")
    train_options.check_base("MobileNetV2-0.35", "imagenet")
    capfd.readouterr()
    train_options.check_base("MobileNetV2-0.35", "imagenet")
    assert capfd.readouterr() == ("", ""), "nothing new on stdout or stderr"
