"""Data augmentation with Keras preprocessing layers, for training data only.

Older tutorials augmented images with ``ImageDataGenerator``, which Keras 3 no longer has::

    # Keras 2 (removed in Keras 3)
    train_datagen = ImageDataGenerator(
        rescale=1.0 / 255, rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
        shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode="nearest",
    )

:func:`augmentation_layers` gives the same transformations as layers. ``rescale`` is not among
them: the course's models start with ``Rescaling(1/255)`` themselves. Random layers change images
only when called with ``training=True``; :func:`augment_dataset` (or the ``augmentation=`` option
of :func:`helpers.data.folders.image_datasets`) applies them to the training batches, inside the
``tf.data`` pipeline, so validation and test images stay exactly as they are.

The course's augmentation presets all live here: :func:`augmentation_layers` (the old tutorial's
settings, or any mix of them), :func:`folder_augmentation` (what ``train_from_folder(augment=True)``
uses), :func:`cifar_augmentation` (flips and 4-pixel shifts for 32x32 photos, notebooks 03 and 07)
and :func:`digit_augmentation_layers` (small rotations, zooms and shifts without flips, for digits).

Introduced in ``04_cats_vs_dogs_augmentation.ipynb``.
"""

from __future__ import annotations

import keras
from keras import layers


def augmentation_layers(
    rotation: float = 40,
    shift: float = 0.2,
    shear: float = 0.2,
    zoom: float = 0.2,
    horizontal_flip: bool = True,
    fill_mode: str = "nearest",
    seed: int | None = None,
    name: str = "augmentation",
) -> keras.Sequential:
    """The old tutorial's augmentation as Keras 3 layers (defaults: its settings).

    ========================================  ==================================================
    ``ImageDataGenerator`` argument           layer
    ========================================  ==================================================
    ``rotation_range=40`` (degrees)           ``RandomRotation(40 / 360, fill_mode="nearest")``
    ``width/height_shift_range=0.2``          ``RandomTranslation(0.2, 0.2, fill_mode="nearest")``
    ``shear_range=0.2``                       ``RandomShear(x_factor=0.2, fill_mode="nearest")``
    ``zoom_range=0.2`` (80% to 120%)          ``RandomZoom(0.2, 0.2, fill_mode="nearest")``
    ``horizontal_flip=True``                  ``RandomFlip("horizontal")``
    ========================================  ==================================================

    Notes:
        ``RandomRotation`` takes a fraction of a full turn, so 40 degrees is ``40 / 360``.
        ``shear_range`` was an angle in radians when the 2016 tutorial was written (Keras 1; from
        Keras 2.1.3 it meant degrees, so 0.2 then sheared almost nothing); 0.2 radians moves a row
        by about 0.2 of the image height, which is what ``RandomShear(x_factor=0.2)`` does.
        ``ImageDataGenerator`` zoomed width and height independently; so does ``RandomZoom(0.2, 0.2)``.

    Args:
        rotation: largest rotation, in degrees (0 to skip).
        shift: largest shift, as a fraction of width and height (0 to skip).
        shear: largest horizontal shear, as a fraction of the image (0 to skip).
        zoom: largest zoom in or out, as a fraction (0 to skip).
        horizontal_flip: flip left-right at random (right for photos; wrong for digits or text).
        fill_mode: how pixels moved in from outside the image are filled.
        seed: fixes the random transformations (``None``: follow ``keras.utils.set_random_seed``).
    """
    steps: list[layers.Layer] = []
    if rotation:
        steps.append(layers.RandomRotation(rotation / 360, fill_mode=fill_mode, seed=seed))
    if shift:
        steps.append(layers.RandomTranslation(shift, shift, fill_mode=fill_mode, seed=seed))
    if shear:
        steps.append(layers.RandomShear(x_factor=shear, fill_mode=fill_mode, seed=seed))
    if zoom:
        steps.append(layers.RandomZoom(zoom, zoom, fill_mode=fill_mode, seed=seed))
    if horizontal_flip:
        steps.append(layers.RandomFlip("horizontal", seed=seed))
    return keras.Sequential(steps, name=name)


def folder_augmentation() -> keras.Sequential:
    """What ``train_from_folder(augment=True)`` applies: flips, rotations up to 30 degrees, shifts of 0.1, zooms of 0.2.

    The old tutorial's layers (:func:`augmentation_layers`) without its shear, and with milder
    rotations and shifts, for photos of objects of any kind.
    """
    return augmentation_layers(rotation=30, shift=0.1, shear=0, zoom=0.2, horizontal_flip=True)


def cifar_augmentation(shift: float = 0.125, name: str = "augmentation") -> keras.Sequential:
    """Random horizontal flips and shifts of up to ``shift`` of the image size (4 pixels on CIFAR-10).

    Introduced in ``03_cifar10_cnn.ipynb`` (also ``helpers.augment.cifar_augmentation``). The shift reflects the image at its borders and moves
    whole pixels (``interpolation="nearest"``): the Keras-layer form of the classic "pad by 4 and
    take a random 32x32 crop". Like every Keras augmentation layer it only acts when called with
    ``training=True`` (inside ``fit``); at evaluation and prediction it passes images through unchanged.
    """
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomTranslation(shift, shift, fill_mode="reflect", interpolation="nearest"),
        ],
        name=name,
    )


def digit_augmentation_layers() -> list[layers.Layer]:
    """Rotations up to 10 degrees, zooms and shifts of 0.1, with black fill and no flips (a mirrored 2 is no digit).

    Used by :func:`helpers.models.mnist_strong_cnn` (``07_ensembles.ipynb``, full profile). A list, so that a
    ``keras.Sequential`` builder can splice the layers in among its own.
    """
    return [
        layers.RandomRotation(10 / 360, fill_mode="constant"),
        layers.RandomZoom(0.1, 0.1, fill_mode="constant"),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
    ]


def augment_dataset(dataset, augmentation: keras.Layer):
    """Apply ``augmentation`` to every batch of a training dataset, a new variant each epoch.

    The layers run inside the ``tf.data`` pipeline (on the CPU; ``prefetch`` keeps the next batch
    ready while the model trains on this one) with ``training=True``. The batches are augmented one
    after the other, not with ``num_parallel_calls``: the random layers draw from one seed stream, and
    parallel calls would take its draws in a different order on every run, so that
    ``keras.utils.set_random_seed`` could no longer repeat a run. Use it on the training split only;
    ``dataset`` should be batched and, ideally, already cached, so the cache holds the original
    images and not one frozen variant.
    """
    import tensorflow as tf

    return dataset.map(lambda x, y: (augmentation(x, training=True), y)).prefetch(tf.data.AUTOTUNE)
