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
of :func:`helpers.data.image_datasets`) applies them to the training batches, inside the
``tf.data`` pipeline, so validation and test images stay exactly as they are.

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


def augment_dataset(dataset, augmentation: keras.Layer):
    """Apply ``augmentation`` to every batch of a training dataset, a new variant each epoch.

    The layers run inside the ``tf.data`` pipeline (on the CPU, in parallel with training) with
    ``training=True``. Use it on the training split only; ``dataset`` should be batched and,
    ideally, already cached, so the cache holds the original images and not one frozen variant.
    """
    import tensorflow as tf

    return dataset.map(
        lambda x, y: (augmentation(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE
    ).prefetch(tf.data.AUTOTUNE)
