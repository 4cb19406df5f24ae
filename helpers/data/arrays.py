"""Loaders for the datasets that fit in memory as NumPy arrays: MNIST and CIFAR-10.

Both return ``(x_train, y_train), (x_test, y_test)`` with uint8 images (channels last) and
integer labels, exactly like ``keras.datasets.mnist.load_data()`` and
``keras.datasets.cifar10.load_data()``, but through the course's registry, so they work from a
mirror or an offline cache.

Introduced in ``02_mnist_cnn.ipynb`` (MNIST) and ``03_cifar10_cnn.ipynb`` (CIFAR-10).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from helpers.data.download import choose_variant, fetch, run_profile

Split = tuple[np.ndarray, np.ndarray]

#: How many images of each CIFAR-10 file the quick profile keeps (the mini archive's composition).
CIFAR10_QUICK_ROWS = 1_000


def load_mnist(verbose: bool = True) -> tuple[Split, Split]:
    """Load MNIST: 60,000 training and 10,000 test digits, 28x28 uint8, labels 0-9.

    The same file and hash as ``keras.datasets.mnist.load_data()``.
    """
    path = fetch("mnist", verbose=verbose)
    with np.load(path, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _read_cifar_batch(path: Path) -> Split:
    """Read one CIFAR-10 pickle file into ``(images, labels)``: (N, 32, 32, 3) uint8, (N,) uint8."""
    with open(path, "rb") as handle:
        batch = pickle.load(handle, encoding="bytes")
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    labels = np.asarray(batch[b"labels"], dtype=np.uint8)
    return images, labels


def load_cifar10(variant: str = "auto", verbose: bool = True, *, profile: str | None = None) -> tuple[Split, Split]:
    """Load CIFAR-10 as arrays: images (N, 32, 32, 3) uint8 and labels (N,) uint8.

    Args:
        variant: ``"full"`` (50,000 / 10,000 images), ``"mini"`` (5,000 / 1,000, the quick
            profile's archive) or ``"auto"``. When the quick profile has to use the full archive,
            it keeps the same images the mini archive holds: the first 1,000 of each file.
        profile: ``"quick"`` or ``"full"``, for ``"auto"`` and that subset (default: the run's profile).
    """
    variant = choose_variant("cifar10", variant, profile=profile)
    root = fetch("cifar10", variant, verbose=verbose)
    quick_from_full = variant == "full" and run_profile(profile) == "quick"
    rows = CIFAR10_QUICK_ROWS if quick_from_full else None

    train = [_read_cifar_batch(path) for path in sorted(root.glob("data_batch_*"))]
    x_train = np.concatenate([images[:rows] for images, _ in train])
    y_train = np.concatenate([labels[:rows] for _, labels in train])
    x_test, y_test = _read_cifar_batch(root / "test_batch")
    return (x_train, y_train), (x_test[:rows], y_test[:rows])
