"""The in-memory loaders read the real MNIST and CIFAR-10 files (from the shared cache and mirror)."""

import numpy as np
import pytest

from helpers.data.arrays import load_cifar10, load_mnist


def test_mnist_matches_the_published_counts(dataset_here):
    dataset_here("mnist")
    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=False)
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def cifar_mini(monkeypatch, course_mirror):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    return load_cifar10("mini", verbose=False)


def test_cifar10_mini_has_the_documented_subset(cifar_mini):
    (x_train, y_train), (x_test, y_test) = cifar_mini
    assert x_train.shape == (5_000, 32, 32, 3) and x_test.shape == (1_000, 32, 32, 3)
    assert np.bincount(y_train).tolist() == [508, 515, 478, 484, 527, 469, 497, 512, 518, 492]
    assert np.bincount(y_test).tolist() == [103, 89, 100, 103, 90, 86, 112, 102, 106, 109]


def test_cifar10_pixels_match_keras_own_reader(cifar_mini):
    """Same channel order and orientation as keras.datasets.cifar10 (channels last)."""
    from keras.src.datasets.cifar import load_batch

    from helpers.data.paths import datasets_dir

    (x_train, y_train), _ = cifar_mini
    batch = datasets_dir() / "cifar-10-mini-python_extracted" / "cifar-10-batches-py" / "data_batch_1"
    keras_x, keras_y = load_batch(str(batch))
    assert np.array_equal(keras_x.transpose(0, 2, 3, 1), x_train)
    assert np.array_equal(np.asarray(keras_y), y_train)


def test_cifar10_profile_is_passed_down_not_read(monkeypatch, course_mirror):
    """load_cifar10(profile="quick") in a full-profile run: the mini archive, as the quick profile would load it."""
    monkeypatch.setenv("COURSE_PROFILE", "full")
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(course_mirror))
    (x_train, _), (x_test, _) = load_cifar10(profile="quick", verbose=False)
    assert x_train.shape == (5_000, 32, 32, 3) and x_test.shape == (1_000, 32, 32, 3)
