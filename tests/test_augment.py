"""The old tutorial's augmentation as Keras layers, on a real cats_and_dogs photo."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import augment
from helpers.predict import load_image


@pytest.fixture(scope="module")
def photo(real_dataset) -> np.ndarray:
    root = real_dataset("cats_and_dogs")
    return load_image(sorted((root / "train" / "cats").iterdir())[0], (64, 64))


def test_layers_match_the_image_data_generator_settings():
    layers = {type(layer).__name__: layer for layer in augment.augmentation_layers().layers}
    assert list(layers) == ["RandomRotation", "RandomTranslation", "RandomShear", "RandomZoom", "RandomFlip"]
    assert layers["RandomRotation"].factor == pytest.approx((-40 / 360, 40 / 360))
    assert layers["RandomTranslation"].height_factor == layers["RandomTranslation"].width_factor == 0.2
    assert layers["RandomShear"].x_factor == (-0.2, 0.2)
    assert layers["RandomZoom"].height_factor == layers["RandomZoom"].width_factor == 0.2
    assert layers["RandomFlip"].mode == "horizontal"
    fill_modes = {layer.fill_mode for layer in augment.augmentation_layers().layers if hasattr(layer, "fill_mode")}
    assert fill_modes == {"nearest"}


def test_zero_settings_leave_out_their_layer():
    kept = augment.augmentation_layers(rotation=0, shear=0, horizontal_flip=False).layers
    assert [type(layer).__name__ for layer in kept] == ["RandomTranslation", "RandomZoom"]


def test_only_training_calls_change_the_image(photo):
    layers = augment.augmentation_layers(seed=1)
    batch = photo[None]
    assert np.array_equal(np.asarray(layers(batch, training=False)), batch), "validation/test images pass unchanged"
    changed = np.asarray(layers(batch, training=True))
    assert changed.shape == batch.shape and not np.allclose(changed, batch)
    assert changed.min() >= 0 and changed.max() <= 255.5, "fill_mode='nearest' adds no black borders or overflow"


def test_augment_dataset_gives_new_variants_every_epoch(photo):
    labels = np.array([0, 1], dtype="int32")
    dataset = tf.data.Dataset.from_tensor_slices((np.stack([photo, photo[:, ::-1]]), labels)).batch(2).cache()
    augmented = augment.augment_dataset(dataset, augment.augmentation_layers())
    (first, y1), (second, y2) = next(iter(augmented)), next(iter(augmented))
    assert np.array_equal(y1, labels) and np.array_equal(y2, labels), "labels untouched"
    assert not np.allclose(first, second), "a different random variant on each pass"


def test_plot_of_nine_augmentations(photo):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import plots

    fig = plots.show_augmentations(photo, augment.augmentation_layers(seed=3), n=9)
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert len(titles) == 10 and titles[0] == "original"
    keras.utils.set_random_seed(0)


def test_every_preset_lives_in_augment_and_the_builders_use_them():
    from helpers import models
    from helpers.train import _augmentation

    assert augment.cifar_augmentation is augment.cifar_augmentation, "notebook 03's name is the augment preset"
    assert [type(layer).__name__ for layer in augment.cifar_augmentation().layers] == ["RandomFlip", "RandomTranslation"]
    digits = [type(layer).__name__ for layer in augment.digit_augmentation_layers()]
    assert digits == ["RandomRotation", "RandomZoom", "RandomTranslation"], "no flip: a mirrored digit is no digit"
    strong = [type(layer).__name__ for layer in models.mnist_strong_cnn(width=8).layers]
    assert strong[1:4] == digits, "after Rescaling, the digit preset's layers, spliced in"
    folder = [type(layer).__name__ for layer in _augmentation(True).layers]
    assert folder == [type(layer).__name__ for layer in augment.folder_augmentation().layers]
    assert folder == ["RandomRotation", "RandomTranslation", "RandomZoom", "RandomFlip"], "train_from_folder: no shear"


def test_augment_dataset_repeats_a_run_under_the_same_seed(photo):
    """The batches are augmented in order (no parallel calls), so set_random_seed repeats every draw."""

    def augmented() -> np.ndarray:
        keras.utils.set_random_seed(7)
        layers = augment.augmentation_layers(shear=0)
        dataset = tf.data.Dataset.from_tensor_slices((np.stack([photo] * 16), np.zeros(16))).batch(4)
        return np.concatenate([x.numpy() for x, _ in augment.augment_dataset(dataset, layers)])

    first, second = augmented(), augmented()
    assert np.array_equal(first, second), "the same seed gives the same augmented batches"
    assert not np.allclose(first[0], photo), "and they are augmented"
