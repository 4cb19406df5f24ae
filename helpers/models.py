"""Build models: the CNNs the course trains from scratch.

Each builder returns an uncompiled :class:`keras.Model` that takes raw ``uint8`` pixels: the
first layer rescales them to [0, 1], so the same model can be fed straight from a dataset or from
an image file at prediction time.
"""

from __future__ import annotations

import keras
from keras import layers


def mnist_cnn(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int = 10,
    dropout: float = 0.5,
    name: str = "mnist_cnn",
) -> keras.Model:
    """The classic MNIST CNN: conv-pool-conv-pool-dense-dropout-softmax.

    Introduced in ``02_mnist_cnn.ipynb``.

    Args:
        input_shape: height, width, channels of one image.
        num_classes: number of output classes.
        dropout: fraction of the dense layer's units dropped during training.
    """
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Rescaling(1.0 / 255),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name=name,
    )
