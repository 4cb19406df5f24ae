"""Transfer learning: base assembly, preprocessing, freezing, fine-tuning and weight files."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from keras import layers

from helpers import errors, transfer, transfer_comparison
from helpers.data import weights
from helpers.data.folders import image_datasets
from helpers.errors import CourseError, TrainSettingError

IMAGENET = list(transfer.IMAGENET_BASES)
MOBILENET_FILE = weights.IMAGENET_WEIGHTS["MobileNetV2"].filename


def _small_size(name: str) -> tuple[int, int]:
    side = max(transfer.get_base(name).min_size, 32)
    return side, side


@pytest.fixture(scope="module")
def photo(real_dataset) -> np.ndarray:
    """One real photo (a cat from cats_and_dogs_filtered) as float32 0-255 pixels, 64x64, batch of one."""
    root = real_dataset("cats_and_dogs")
    image = keras.utils.load_img(root / "train" / "cats" / "cat.0.jpg", target_size=(64, 64))
    return keras.utils.img_to_array(image)[np.newaxis]


@pytest.fixture
def no_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every weight file's origin at a closed local port: the tests never download."""
    for name, archive in list(weights.IMAGENET_WEIGHTS.items()):
        dead = dataclasses.replace(archive, origins=(f"http://127.0.0.1:9/{archive.filename}",))
        monkeypatch.setitem(weights.IMAGENET_WEIGHTS, name, dead)


@pytest.mark.parametrize("name", IMAGENET + ["cifar10_cnn"])
def test_every_base_assembles_frozen_under_a_new_head(name):
    model = transfer.build_transfer_classifier(name, 3, _small_size(name), weights=None)
    assert model.output_shape == (None, 3)
    assert [layer.name for layer in model.layers][-3:] == ["pool", "dropout", "head"]
    assert model.get_layer(transfer.PREPROCESS_NAME).count_params() == 0
    assert transfer.trainable_layer_names(model) == [], "the base is frozen"
    assert [w.path for w in model.trainable_weights] == ["head/kernel", "head/bias"]


def test_the_head_is_built_in_one_place():
    from helpers.train import options as train_options

    own = transfer.cifar10_base(width=8, name="my_base")  # a base of your own: raw pixels in, feature maps out
    mine = train_options.transfer_builder(own)((32, 32, 3), 3)
    named = transfer.build_transfer_classifier("cifar10_cnn", 3, (32, 32), weights=None)
    assert [layer.name for layer in mine.layers][-3:] == [layer.name for layer in named.layers][-3:] == ["pool", "dropout", "head"]
    assert transfer.classifier_on is transfer.classifier_on, "the old name still imports"
    assert transfer.base_of(mine) is own and not own.trainable and mine.name == "my_base_transfer"
    assert transfer.PREPROCESS_NAME not in [layer.name for layer in mine.layers], "its preprocessing is inside it"


def test_two_classes_get_one_sigmoid_unit_and_binary_crossentropy():
    model = transfer.compile_classifier(transfer.build_transfer_classifier("cifar10_cnn", 2, (32, 32), weights=None))
    assert model.output_shape == (None, 1)
    assert model.loss == "binary_crossentropy"


@pytest.mark.parametrize("name", IMAGENET)
def test_each_base_gets_its_own_preprocess_input(name, photo):
    model = transfer.build_transfer_classifier(name, 2, _small_size(name), weights=None)
    module = getattr(keras.applications, transfer.get_base(name).module)
    ours = keras.ops.convert_to_numpy(model.get_layer(transfer.PREPROCESS_NAME)(photo))
    theirs = keras.ops.convert_to_numpy(module.preprocess_input(photo.copy()))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-4)


def test_the_preprocessing_differs_between_families(photo):
    run = {name: keras.ops.convert_to_numpy(transfer.preprocessing_model(name)(photo)) for name in ("VGG16", "Xception", "EfficientNetB0", "cifar10_cnn")}
    np.testing.assert_allclose(run["VGG16"][..., 0], photo[..., 2] - 103.939, atol=1e-3)  # BGR, minus the mean
    np.testing.assert_allclose(run["Xception"], photo / 127.5 - 1, atol=1e-5)
    np.testing.assert_allclose(run["EfficientNetB0"], photo)  # EfficientNet rescales inside the base
    np.testing.assert_allclose(run["cifar10_cnn"], photo / 255, atol=1e-6)


@pytest.mark.parametrize("name,unfreeze,bottom", [("MobileNetV2", 20, "Conv1"), ("cifar10_cnn", 4, "conv1")])
def test_fine_tune_unfreezes_the_top_and_keeps_batch_norm_in_inference_mode(photo, name, unfreeze, bottom):
    keras.utils.set_random_seed(0)
    model = transfer.build_transfer_classifier(name, 2, (64, 64), weights=None)
    transfer.compile_classifier(model)
    base = transfer.base_of(model)
    transfer.fine_tune(model, unfreeze, learning_rate=1e-3)
    names = transfer.trainable_layer_names(model)
    assert names and set(names) <= {layer.name for layer in base.layers[-unfreeze:]}
    assert all(not isinstance(base.get_layer(n), layers.BatchNormalization) for n in names)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(1e-3)

    snapshot = lambda variables: {v.path: keras.ops.convert_to_numpy(v).copy() for v in variables}  # noqa: E731
    batch_norms = snapshot(w for layer in base.layers if isinstance(layer, layers.BatchNormalization) for w in layer.weights)
    frozen = snapshot(base.get_layer(bottom).weights)
    # (A random MobileNetV2 with batch norm in inference mode outputs all-zero features, so nothing
    # can learn there; the small CIFAR-10 base shows the unfrozen convolution and the head learning.)
    learning = snapshot(base.get_layer(names[-1]).weights + model.get_layer("head").weights) if name == "cifar10_cnn" else {}
    images = np.concatenate([photo, photo[:, :, ::-1]])
    model.fit(images, np.array([0.0, 1.0]), epochs=2, batch_size=2, verbose=0)
    after = snapshot(model.weights)
    for path, value in {**batch_norms, **frozen}.items():
        np.testing.assert_array_equal(after[path], value, err_msg=f"{path} must not change")
    for path, value in learning.items():
        assert not np.allclose(after[path], value), f"{path} must learn"


def test_fine_tune_unfreezes_the_top_of_the_base_only():
    model = transfer.build_transfer_classifier("cifar10_cnn", 4, (32, 32), weights=None)
    assert transfer.trainable_layer_names(model) == []
    transfer.fine_tune(model, 4)
    assert transfer.trainable_layer_names(model) == ["conv3"]


def test_from_scratch_trains_every_layer():
    model = transfer.build_transfer_classifier("cifar10_cnn", 4, (32, 32), weights=None, freeze=False)
    assert transfer.trainable_layer_names(model) == ["conv1", "bn1", "conv2", "bn2", "conv3", "bn3"]


def test_a_saved_cifar10_base_is_reused(tmp_path):
    source = transfer.build_transfer_classifier("cifar10_cnn", 10, (32, 32), weights=None, freeze=False)
    path = transfer.save_base(source, tmp_path / "cifar10_base.weights.h5")
    reused = transfer.build_transfer_classifier("cifar10_cnn", 2, (48, 48), weights=path)
    for a, b in zip(transfer.base_of(source).weights, transfer.base_of(reused).weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    with pytest.raises(TrainSettingError):  # no ImageNet weights for it (the wording: tests/test_weights.py)
        transfer.build_transfer_classifier("cifar10_cnn", 2, (32, 32))
    with pytest.raises(CourseError, match=r"no weights file at .*absent\.weights\.h5; check the path, or pass weights='imagenet' or None"):
        transfer.build_transfer_classifier("cifar10_cnn", 2, (32, 32), weights=tmp_path / "absent.weights.h5")


def test_bad_names_and_sizes_say_what_to_do():
    with pytest.raises(CourseError, match=r"no base called 'MobileNet'; the course knows: .*MobileNetV2"):
        transfer.get_base("MobileNet")
    with pytest.raises(CourseError, match="at least 75x75 pixels, not 64x64; use a larger image_size"):
        transfer.build_transfer_classifier("InceptionV3", 2, (64, 64), weights=None)


def test_offline_without_a_mirror_names_the_file_and_the_setting(empty_cache, no_origin):
    with pytest.raises(errors.WeightsUnavailableError) as error:
        transfer.build_transfer_classifier("MobileNetV2", 2, (96, 96))
    message = str(error.value)
    assert MOBILENET_FILE in message and "COURSE_DATA_MIRROR" in message
    assert f"$KERAS_HOME/models/{MOBILENET_FILE}" in message
    assert "\n" not in message and message.count(". ") == 0, "one sentence"
    assert not (empty_cache / "models" / MOBILENET_FILE).exists()


def _legacy_weight_file(model: keras.Model, path: Path) -> Path:
    """Write ``model``'s weights in the legacy HDF5 layout of the keras.applications files."""
    from keras.src.legacy.saving import legacy_h5_format

    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)
    return path


def test_a_weight_file_in_a_mirror_folder_is_fetched_checked_and_used(empty_cache, no_origin, tmp_path, monkeypatch):
    keras.utils.set_random_seed(1)
    donor = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3))
    served = _legacy_weight_file(donor, tmp_path / "mirror" / "models" / MOBILENET_FILE)
    md5 = hashlib.md5(served.read_bytes()).hexdigest()
    archive = dataclasses.replace(weights.IMAGENET_WEIGHTS["MobileNetV2"], hashes=(md5,), size=served.stat().st_size)
    monkeypatch.setitem(weights.IMAGENET_WEIGHTS, "MobileNetV2", archive)
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(tmp_path / "mirror"))

    model = transfer.build_transfer_classifier("MobileNetV2", 2, (48, 48))
    cached = empty_cache / "models" / MOBILENET_FILE
    assert cached.is_file() and weights.weights_cached("MobileNetV2")
    for a, b in zip(donor.weights, transfer.base_of(model).weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


def test_a_weight_file_without_a_published_digest_is_checked_by_size(empty_cache, no_origin, tmp_path, monkeypatch):
    assert weights.IMAGENET_WEIGHTS["MobileNetV2"].hashes == (), "Keras publishes no digest for it"
    wrong = tmp_path / "mirror" / "models" / MOBILENET_FILE
    wrong.parent.mkdir(parents=True)
    wrong.write_bytes(b"<html>not a weight file</html>")
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(errors.WeightsUnavailableError):
        weights.fetch_weights("MobileNetV2")
    assert not (empty_cache / "models" / MOBILENET_FILE).exists()


def test_weight_files_are_the_ones_keras_applications_asks_for():
    import inspect

    for name, archive in weights.IMAGENET_WEIGHTS.items():
        spec = transfer.get_base(name)
        module = getattr(keras.applications, spec.module)
        source = inspect.getsource(inspect.getmodule(getattr(module, spec.constructor or name)))
        assert archive.origins[0].endswith("/" + archive.filename) and archive.keras_fname == archive.filename
        assert archive.cache_subdir == "models" and not archive.extract
        for digest in archive.hashes:
            if len(digest) == 32:  # the light bases' files are checked by the sha256 of the real files instead
                assert digest in source, f"{name}: {digest} is the md5 Keras checks"
    assert set(weights.IMAGENET_WEIGHTS) == set(transfer.IMAGENET_BASES), "a weight file for every ImageNet base, and only for them"
    # Keras names the MobileNet files by alpha and size: the course uses the 224 px file at every size.
    assert weights.IMAGENET_WEIGHTS["MobileNetV2-0.35"].filename == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5"
    assert weights.IMAGENET_WEIGHTS["MobileNet-0.25"].filename == "mobilenet_2_5_224_tf_no_top.h5"


# --------------------------------------------------------------------------- the light bases, with their real weights
LIGHT_FIRST_CONV = {"MobileNetV2-0.35": "Conv1", "MobileNetV2-0.5": "Conv1", "MobileNet-0.25": "conv1"}


@pytest.mark.parametrize("name", transfer.LIGHT_BASES)
def test_a_light_base_is_built_offline_with_its_real_imagenet_weights_at_any_size(name):
    if not weights.weights_cached(name):
        pytest.skip("the light ImageNet weight files are not in this Keras cache")
    spec = transfer.get_base(name)
    model = transfer.build_transfer_classifier(name, 2, (160, 160))  # Keras alone would look for a 160 px file
    base = transfer.base_of(model)
    assert base.name == name and model.output_shape == (None, 1) and transfer.trainable_layer_names(model) == []
    layer = LIGHT_FIRST_CONV[name]
    with h5py.File(weights.weights_path(name), "r") as handle:
        kernel = np.asarray(handle[layer][f"{layer}/kernel:0"])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(base.get_layer(layer).kernel), kernel)
    assert base.get_layer(layer).kernel.shape[-1] == {0.35: 16, 0.5: 16, 0.25: 8}[spec.alpha], "alpha thins the layers"
    assert name in transfer.IMAGENET_BASES and name in transfer.LIGHT_BASES


def test_a_light_base_comes_from_a_mirror_into_an_empty_cache(empty_cache, no_origin, monkeypatch):
    import os

    shared = Path(os.environ.get("COURSE_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
    source = shared / "keras_home" / "models" / weights.IMAGENET_WEIGHTS["MobileNetV2-0.35"].filename
    if not source.is_file():
        pytest.skip("the shared Keras cache is not beside this checkout")
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(shared / "keras_home"))  # a copy of ~/.keras serves as a mirror
    model = transfer.build_transfer_classifier("MobileNetV2-0.35", 3, (128, 128))
    assert weights.weights_cached("MobileNetV2-0.35") and model.output_shape == (None, 3)
    assert hashlib.sha256((empty_cache / "models" / source.name).read_bytes()).hexdigest() == weights.IMAGENET_WEIGHTS["MobileNetV2-0.35"].hashes[0]


# --------------------------------------------------------------------------- runs and comparisons


@pytest.fixture(scope="module")
def tiny_cats_dogs(real_dataset):
    """64 training and 32 validation photos of cats and dogs at 32x32: a real, very small run."""
    root = real_dataset("cats_and_dogs")
    return image_datasets(root / "train", (32, 32), 16, validation_dir=root / "validation", label_mode="binary",
                          max_train=64, max_eval=32, verbose=False)


def test_available_weights_finds_a_mirrored_file_and_the_comparison_trains_it(empty_cache, no_origin, tmp_path, monkeypatch, capsys, tiny_cats_dogs):
    donor = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3))
    served = _legacy_weight_file(donor, tmp_path / "mirror" / "models" / MOBILENET_FILE)
    archive = dataclasses.replace(weights.IMAGENET_WEIGHTS["MobileNetV2"], size=served.stat().st_size)
    monkeypatch.setitem(weights.IMAGENET_WEIGHTS, "MobileNetV2", archive)
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(tmp_path / "mirror"))
    assert transfer_comparison.available_weights(["MobileNetV2", "VGG16"]) == {"MobileNetV2": True, "VGG16": False}
    out = capsys.readouterr().out
    assert "ready" in out and "UNAVAILABLE" in out and MOBILENET_FILE in out
    # where the weights are reachable, the comparison trains and fills in accuracy and seconds per epoch
    results = transfer_comparison.compare_bases({"cats": tiny_cats_dogs}, bases=("MobileNetV2", "VGG16"),
                                          available={"MobileNetV2": True}, epochs=1, fine_tune_epochs=1)
    assert results[0].accuracy is not None and results[0].seconds_per_epoch > 0 and results[0].note == ""
    assert results[1].accuracy is None and results[1].note == transfer_comparison.UNAVAILABLE == "weights unavailable"


def test_available_weights_says_when_none_can_be_fetched(empty_cache, no_origin, capsys):
    assert transfer_comparison.available_weights(("MobileNetV2", "EfficientNetB0")) == {"MobileNetV2": False, "EfficientNetB0": False}
    out = capsys.readouterr().out  # the one wording test of this line: what is missing, and what is still shown
    assert out.count("UNAVAILABLE") == 2 and "No ImageNet weights could be fetched" in out and "still lists every base's size" in out


def test_train_transfer_runs_both_phases_and_the_scratch_baseline(tiny_cats_dogs, tmp_path):
    keras.utils.set_random_seed(0)
    base_file = transfer.save_base(transfer.build_transfer_classifier("cifar10_cnn", 10, weights=None), tmp_path / "b.weights.h5")
    model, result = transfer_comparison.train_transfer("cifar10_cnn", tiny_cats_dogs, base_file, dataset="cats", epochs=2, fine_tune_epochs=1, verbose=0)
    assert (result.base, result.dataset, result.image_size, result.parameters) == ("cifar10_cnn", "cats", (32, 32), 93_920)
    head, fine = ({key: values[:2] for key, values in result.history.items()}, {key: values[2:] for key, values in result.history.items()})
    assert (result.frozen_accuracy, result.fine_tuned_accuracy) == (transfer_comparison.best_accuracy(head), transfer_comparison.best_accuracy(fine))
    assert result.accuracy == result.fine_tuned_accuracy and result.fine_tune_from_epoch == 2
    assert len(result.history["val_accuracy"]) == 3 and result.seconds_per_epoch > 0
    assert transfer.trainable_layer_names(model) == ["conv2", "conv3"], "the recipe's top two stages, batch norm frozen"
    scratch_model, scratch = transfer_comparison.train_transfer("cifar10_cnn", tiny_cats_dogs, None, epochs=2, fine_tune_epochs=1, verbose=0)
    assert scratch.note == "from scratch" and scratch.fine_tuned_accuracy is None and len(scratch.history["val_accuracy"]) == 3
    assert len(transfer.trainable_layer_names(scratch_model)) == 6, "every layer of the base learns"


def test_the_reported_accuracy_is_the_epoch_with_the_lowest_validation_loss():
    history = {"val_loss": [0.9, 0.5, 0.7], "val_accuracy": [0.5, 0.6, 0.8]}
    assert transfer_comparison.best_accuracy(history) == 0.6
    callback = transfer_comparison.keep_best(7)
    assert (callback.monitor, callback.patience, callback.restore_best_weights) == ("val_loss", 7, True)


def test_from_fits_joins_the_two_phases(tiny_cats_dogs):
    model = transfer.compile_classifier(transfer.build_transfer_classifier("cifar10_cnn", 2, (32, 32), weights=None))
    head = model.fit(tiny_cats_dogs.train, validation_data=tiny_cats_dogs.validation, epochs=2, verbose=0)
    fine = model.fit(tiny_cats_dogs.train, validation_data=tiny_cats_dogs.validation, epochs=3, initial_epoch=2, verbose=0)
    result = transfer_comparison.TransferResult.from_fits(model, "cats", head, fine)
    assert (result.base, result.image_size, result.fine_tune_from_epoch) == ("cifar10_cnn", (32, 32), 2)
    assert result.history["val_accuracy"] == head.history["val_accuracy"] + fine.history["val_accuracy"]
    assert result.fine_tuned_accuracy == transfer_comparison.best_accuracy(fine.history)


def test_offline_comparison_lists_every_base_and_why_it_has_no_accuracy():
    datasets = {"cats vs dogs": None, "flowers": None}
    results = transfer_comparison.compare_bases(datasets, bases=("MobileNetV2", "EfficientNetB0"), available={"EfficientNetB0": True})
    assert [(r.base, r.dataset, r.note) for r in results] == [
        ("MobileNetV2", "cats vs dogs", "weights unavailable"), ("MobileNetV2", "flowers", "weights unavailable"),
        ("EfficientNetB0", "cats vs dogs", "not trained in this profile"), ("EfficientNetB0", "flowers", "not trained in this profile"),
    ]
    assert results[0].parameters == 2_257_984 and results[0].image_size == (224, 224)
    extra = transfer_comparison.TransferResult("cifar10_cnn", "cats vs dogs", (32, 32), 93_920, frozen_accuracy=0.6, fine_tuned_accuracy=0.65)
    table = transfer_comparison.comparison_table(results + [extra]).splitlines()
    assert table[0].split()[:5] == ["base", "native", "input", "parameters", "cats"]
    assert table[2].split()[:5] == ["MobileNetV2", "224x224", "2,257,984", "weights", "unavailable"]
    assert table[-1].split() == ["cifar10_cnn", "32x32", "93,920", "65.0%", "–"]
