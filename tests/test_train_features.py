"""The one call's CPU recipe (helpers.train.features): a frozen base's features computed once, a head fitted on them.

Generated images and features only: two colours of squares a base tells apart, noise it cannot,
a folder "too large" for a tiny memory budget.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpers import model_files, train, transfer
from helpers.data import weights
from helpers.train import features
from helpers.train import options as train_options


def _folder(root, classes=("blue", "red"), per_class=20, noise=False, seed=0):
    """Generated photos: each class a colour of square on grey (or, with ``noise``, the same noise for every class)."""
    rng = np.random.default_rng(seed)
    colours = {"blue": (30, 60, 220), "red": (220, 40, 30), "green": (40, 200, 60)}
    for name in classes:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 255, (48, 48, 3), dtype=np.uint8) if noise else np.full((48, 48, 3), 128, np.uint8)
            if not noise:
                x, y = rng.integers(0, 20, 2)
                pixels[y:y + 24, x:x + 24] = colours[name]
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


@pytest.fixture
def light_weights():
    if not weights.weights_cached("MobileNetV2-0.35"):
        pytest.skip("the light ImageNet weight files are not in this Keras cache")


def test_the_head_is_a_logistic_regression_copied_into_dense_weights():
    rng = np.random.default_rng(0)
    for classes in (2, 3):
        x = rng.normal(size=(120, 10)).astype("float32") * 3 + 5
        y = np.arange(120) % classes
        x[np.arange(120), y] += 12  # feature k says class k
        kernel, bias, record, held_out = features.fit_head(x[:90], y[:90], np.arange(90), classes)
        assert kernel.shape == (10, 1 if classes == 2 else classes) and bias.shape == (kernel.shape[1],)
        losses = record["validation_log_loss"]
        assert record["C"] == min(losses, key=losses.get), "cross-validation chooses the strength"
        assert held_out.shape == (90, classes) and (held_out.argmax(axis=1) == y[:90]).mean() > 0.9
        logits = x[90:] @ kernel + bias
        predicted = (logits[:, 0] > 0).astype(int) if classes == 2 else logits.argmax(axis=1)
        assert (predicted == y[90:]).mean() > 0.9, "the folded-in standardisation keeps the model right on raw features"


def test_a_photo_and_its_mirror_image_never_fall_on_both_sides_of_a_fold():
    y = np.arange(40) % 2
    photo = np.tile(np.arange(20), 2)
    for train_rows, test_rows in features._folds(y, photo, 5):
        assert not set(photo[train_rows]) & set(photo[test_rows])


def test_held_out_scores_are_honest_where_the_features_are_noise():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(80, 30)).astype("float32"), np.arange(80) % 2
    _, _, _, held_out = features.fit_head(x, y, np.arange(80), 2)
    assert (held_out.argmax(axis=1) == y).mean() < 0.7, "a row is never scored by a head that trained on it"


def test_one_class_among_the_training_photos_predicts_it():
    x, y = np.ones((6, 4), "float32"), np.zeros(6, int)
    kernel, bias, record, _ = features.fit_head(x, y, np.arange(6), 3)
    assert record["C"] is None and int(np.argmax(x @ kernel + bias, axis=1)[0]) == 0


def test_which_calls_the_recipe_can_honour():
    assert features.possible(True, {}) and features.possible(False, {"patience": 10, "learning_rate": 1e-3, "run_dir": "x"})
    assert not features.possible(lambda images: images, {}), "an augmentation layer of your own needs epochs"
    assert not features.possible(True, {"schedule": "cosine"}) and not features.possible(True, {"callbacks": [object()]})
    assert train_options.choose_defaults("auto", "imagenet", None, None, None, None).recipe == "epochs", "only when asked for"


def test_the_defaults_choose_the_features_recipe_on_a_cpu(monkeypatch):
    monkeypatch.setattr(weights, "weights_cached", lambda base: True)
    chosen = train_options.choose_defaults("auto", "imagenet", None, None, None, None, features=True)
    assert (chosen.base, chosen.image_size, chosen.recipe, chosen.mirror, chosen.fine_tune_epochs) == ("MobileNetV2-0.5", (224, 224), "features", True, 0)
    assert chosen.line().startswith("Base: MobileNetV2-0.5 with ImageNet weights (quick profile, CPU): 224x224 px, "
                                    "its features computed once per photo and its mirror image")
    assert train_options.choose_defaults("auto", "imagenet", None, 5, None, None, features=True).recipe == "epochs", "epochs given"
    assert train_options.choose_defaults("auto", "imagenet", None, None, 2, None, features=True).base == "MobileNetV2-0.35", "fine-tuning asked for"
    assert train_options.choose_defaults(None, "imagenet", None, None, None, None, features=True).recipe == "epochs", "base=None"
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setattr("helpers.profile.gpu_names", lambda: ["a GPU"])
    assert train_options.choose_defaults("auto", "imagenet", None, None, None, None, features=True).recipe == "epochs", "a GPU: as before"


def test_features_too_large_for_memory_fall_back_to_epochs_and_say_so(monkeypatch):
    monkeypatch.setattr(weights, "weights_cached", lambda base: True)
    chosen = train_options.choose_defaults("auto", "imagenet", None, None, None, None, features=True)
    notes: list[str] = []
    assert features.check_memory(chosen, {"a": 500, "b": 500}, 0.2, None, notes) is chosen and not notes
    switched = features.check_memory(chosen, {"a": 500, "b": 500}, 0.2, None, notes, budget=1000)
    assert switched.recipe == "epochs" and switched.epochs > 0 and "training epoch by epoch instead" in notes[0]


def test_the_one_call_fits_a_head_on_features_and_saves_one_model_for_raw_photos(tmp_path, light_weights, monkeypatch, capsys):
    monkeypatch.setattr(train_options, "AUTO_BASES", {**train_options.AUTO_BASES, "features": ("MobileNetV2-0.35",)})
    folder = _folder(tmp_path / "squares")
    result = train.train_from_folder(folder, 32, verbose=1, save_to=tmp_path / "squares.keras")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == train_options.Choices(**result.choices).line() and result.choices["recipe"] == "features"
    assert result.metrics["validation_accuracy"] >= 0.85 and result.epochs == 1 and "cached features" in lines[-1]
    model, names = model_files.load_classifier(tmp_path / "squares.keras")
    assert names == ["blue", "red"] and transfer.base_of(model).name == "MobileNetV2-0.35"
    photos = np.stack([np.asarray(Image.open(folder / name / "0.png").resize((32, 32)), "float32") for name in names])
    assert list((np.asarray(model(photos))[:, 0] > 0.5).astype(int)) == [0, 1], "the saved model takes raw photos"
    assert not any((tmp_path / "runs").glob("*")), "no run folder: nothing to resume"


def test_classes_the_base_cannot_separate_get_a_note(tmp_path, light_weights, monkeypatch):
    monkeypatch.setattr(train_options, "AUTO_BASES", {**train_options.AUTO_BASES, "features": ("MobileNetV2-0.35",)})
    rows = []
    folder = _folder(tmp_path / "noise", classes=("blue", "green", "red"), per_class=30, noise=True)
    for path in sorted(folder.rglob("*.png")):
        rows.append(f"{path.relative_to(folder).as_posix()},{path.parent.name}")
    (folder / "labels.csv").write_text("path,label\n" + "\n".join(rows) + "\n")
    result = train.train_from_csv(folder / "labels.csv", 32, augment=False, verbose=0)
    assert result.choices["recipe"] == "features" and not result.choices["mirror"]
    assert any("barely separate these classes" in note for note in result.notes)


def test_ctrl_c_during_the_features_says_there_is_nothing_to_resume(tmp_path, monkeypatch, capsys):
    from helpers.train import command

    def interrupted(*args, **kwargs):
        features.last_run_computed_features = True  # as train_on_features sets it
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "train_from_folder", interrupted)
    folder = _folder(tmp_path / "squares", per_class=2)
    status = command.main([str(folder), "--output", str(tmp_path / "squares.keras"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 130 and "Traceback" not in err and err.strip().splitlines()[-1] == features.INTERRUPTED
