"""The CIFAR-10 models, flip test-time augmentation and plots of notebook 03, on the real mini archive."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import keras
import numpy as np
import pytest

from helpers import augment, evaluate, models, plots
from helpers.data.arrays import load_cifar10
from helpers.data.registry import get_dataset
from helpers.evaluate import Evaluation
from helpers.train import callbacks as train_callbacks

CLASSES = list(get_dataset("cifar10").classes)


@pytest.fixture(scope="module")
def cifar_test_images(dataset_here):
    """The first 16 test images of the real CIFAR-10 mini archive, with their labels."""
    dataset_here("cifar10", "mini")
    _, (x_test, y_test) = load_cifar10("mini", verbose=False)
    return x_test[:16], y_test[:16]


def _layer_types(model: keras.Model) -> list[str]:
    """Class names of every layer, nested models (the augmentation block) included."""
    names = []
    for layer in model.layers:
        names.append(type(layer).__name__)
        if isinstance(layer, keras.Model):
            names.extend(_layer_types(layer))
    return names


def test_classic_cnn_has_the_documented_shape_and_size():
    model = models.cifar_classic_cnn()
    # conv 896 + conv 18,496 + conv 73,856 + dense 2,048*512+512 + output 5,130
    assert model.count_params() == 1_147_466
    assert model.output_shape == (None, 10)
    assert isinstance(model.layers[0], keras.layers.Rescaling), "takes raw 0-255 pixels"
    assert "BatchNormalization" not in _layer_types(model)


def test_modern_cnn_is_a_resnet9_whose_size_follows_its_width():
    model = models.cifar_modern_cnn()
    assert model.count_params() == 6_577_600  # Page's ResNet-9: 64-128-256-512 filters
    assert model.output_shape == (None, 10)
    assert models.cifar_modern_cnn(width=16, num_classes=5).count_params() == 413_424
    assert models.cifar_modern_cnn(width=16, num_classes=5).output_shape == (None, 5)


def test_modern_cnn_has_batch_norm_augmentation_and_residual_connections():
    types = _layer_types(models.cifar_modern_cnn(width=8))
    assert types.count("BatchNormalization") == 8
    assert {"RandomFlip", "RandomTranslation"} <= set(types)
    assert types.count("Add") == 2
    assert types[1] == "Rescaling", "takes raw 0-255 pixels"
    assert "RandomFlip" not in _layer_types(models.cifar_modern_cnn(width=8, augment=False))


def test_augmentation_acts_only_in_training(cifar_test_images):
    images, _ = cifar_test_images
    keras.utils.set_random_seed(1)
    augmentation = augment.cifar_augmentation()
    unchanged = keras.ops.convert_to_numpy(augmentation(images, training=False))
    assert np.array_equal(unchanged, images.astype("float32"))
    changed = keras.ops.convert_to_numpy(augmentation(images, training=True))
    assert changed.shape == images.shape and not np.array_equal(changed, images.astype("float32"))


def test_modern_cnn_predicts_the_same_twice_at_inference(cifar_test_images):
    images, _ = cifar_test_images
    model = models.cifar_modern_cnn(width=8)
    first = keras.ops.convert_to_numpy(model(images, training=False))
    second = keras.ops.convert_to_numpy(model(images, training=False))
    assert np.array_equal(first, second), "augmentation and batch norm must be fixed at inference"
    assert np.allclose(first.sum(axis=1), 1, atol=1e-5)


def test_per_class_table_compares_evaluations_side_by_side():
    y_true = np.array([0, 0, 1, 1])
    one = Evaluation(y_true, np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]]), ["cat", "dog"])
    two = Evaluation(y_true, np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]), ["cat", "dog"])
    lines = evaluate.per_class_table({"classic": one, "modern": two}).splitlines()
    assert lines[0].split() == ["class", "classic", "modern"]
    assert lines[1].split() == ["cat", "50.0%", "100.0%"]
    assert lines[2].split() == ["dog", "100.0%", "50.0%"]
    assert lines[3].split() == ["all", "75.0%", "75.0%"]


def test_plot_confused_pairs_shows_each_pair_most_confident_first(cifar_test_images):
    images, labels = cifar_test_images
    labels = labels.astype(int)
    ships, cats = np.flatnonzero(labels == 8), np.flatnonzero(labels == 3)  # real images of the mini archive
    assert (len(ships), len(cats)) == (3, 2)
    probabilities = np.full((len(labels), 10), 0.01)
    probabilities[np.arange(len(labels)), labels] = 0.91  # right, except for the made-up mistakes below
    for index, predicted, confidence in [*zip(ships, [0] * 3, (0.6, 0.9, 0.7)), *zip(cats, [5] * 2, (0.5, 0.8))]:
        probabilities[index] = 0.01
        probabilities[index, predicted] = confidence
    evaluation = Evaluation(labels, probabilities, CLASSES)
    pairs = evaluation.most_confused(3)
    assert pairs == [("ship", "airplane", 3), ("cat", "dog", 2)]
    fig = plots.plot_confused_pairs(images, evaluation, pairs, per_pair=4)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["ship → airplane (90%)", "ship → airplane (70%)", "ship → airplane (60%)", "",
                      "cat → dog (80%)", "cat → dog (50%)", "", ""]
    assert "Most-confused pairs" in fig.get_suptitle()


def test_standard_callbacks_without_reduce_lr_for_scheduled_optimizers(tmp_path: Path):
    default = [type(c).__name__ for c in train_callbacks.standard_callbacks("demo", root=tmp_path)]
    assert default == ["ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau", "TensorBoard"], "unchanged default"
    scheduled = [type(c).__name__ for c in train_callbacks.standard_callbacks("demo", root=tmp_path, reduce_lr=False)]
    assert scheduled == ["ModelCheckpoint", "EarlyStopping", "TensorBoard"]


def test_reduce_lr_on_plateau_cannot_drive_a_scheduled_optimizer(tmp_path: Path):
    """Why ``reduce_lr=False`` exists: Keras refuses to set the learning rate of a scheduled optimizer."""
    schedule = keras.optimizers.schedules.CosineDecay(0.1, decay_steps=10)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(schedule), "mse")
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=1e9)
    with pytest.raises(TypeError, match="not settable"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, callbacks=[plateau], verbose=0)
