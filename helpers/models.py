"""Build models: the CNNs the course trains from scratch, and the rule for their output layer.

Each builder returns an uncompiled :class:`keras.Model` that takes raw ``uint8`` pixels: the
first layer rescales them to [0, 1], so the same model can be fed straight from a dataset or from
an image file at prediction time.

The output rule is written here once: two classes get **one sigmoid unit** (the probability of
class 1, trained with ``binary_crossentropy``), more classes a softmax (trained with
``sparse_categorical_crossentropy``): :func:`output_units`, :func:`output_layer`,
:func:`classes_for_units`, :func:`classes_of`, :func:`is_sigmoid_output` and :func:`loss_for`.
:mod:`helpers.transfer`, :mod:`helpers.train.options`, :mod:`helpers.model_files` and
:mod:`helpers.predict` all ask these.
"""

from __future__ import annotations

import keras
from keras import layers

from helpers.augment import cifar_augmentation, digit_augmentation_layers
from helpers.language import _


# --------------------------------------------------------------------------- the output layer: one sigmoid unit for two classes
def output_units(num_classes: int) -> tuple[int, str]:
    """The output layer's ``(units, activation)``: ``(1, "sigmoid")`` for two classes, else ``(num_classes, "softmax")``."""
    return (1, "sigmoid") if num_classes == 2 else (num_classes, "softmax")


def classes_for_units(units: int) -> int:
    """How many classes ``units`` outputs stand for: the inverse of :func:`output_units` (one sigmoid unit stands for two)."""
    return 2 if units == 1 else units


def is_sigmoid_output(units: int) -> bool:
    """True when ``units`` outputs are the single sigmoid unit of a two-class model (its output ``p`` is P(class 1))."""
    return output_units(classes_for_units(units)) == (units, "sigmoid")  # two softmax units are not


def output_layer(num_classes: int, name: str | None = None) -> layers.Dense:
    """The dense output layer for ``num_classes`` (:func:`output_units`), in float32 even under mixed precision."""
    units, activation = output_units(num_classes)
    return layers.Dense(units, activation=activation, dtype="float32", name=name)


def classes_of(model: keras.Model) -> int:
    """How many classes a classifier's output stands for (a single sigmoid unit stands for two)."""
    return classes_for_units(int(model.output_shape[-1]))


def loss_for(model: keras.Model) -> str:
    """``binary_crossentropy`` for a single sigmoid output, else ``sparse_categorical_crossentropy`` (integer labels)."""
    return "binary_crossentropy" if is_sigmoid_output(int(model.output_shape[-1])) else "sparse_categorical_crossentropy"


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
            layers.Dense(num_classes, activation="softmax", dtype="float32"),
        ],
        name=name,
    )


def cifar_classic_cnn(
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    dropout: float = 0.5,
    name: str = "cifar_classic_cnn",
) -> keras.Model:
    """The CIFAR-10 CNN of the older Keras tutorials: conv32-pool-conv64-pool-conv128-flatten-dense512-softmax.

    Introduced in ``03_cifar10_cnn.ipynb`` as the baseline: no batch normalisation, no augmentation.
    Convolutions use ``"valid"`` padding, so a 32x32 image shrinks to 4x4x128 = 2,048 numbers
    before the dense layer, which holds most of the 1,147,466 parameters.

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
            layers.Conv2D(128, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(num_classes, activation="softmax", dtype="float32"),
        ],
        name=name,
    )


def _conv_bn(x: keras.KerasTensor, filters: int, pool: bool = False) -> keras.KerasTensor:
    """3x3 convolution (no bias: batch norm adds its own) -> batch norm -> ReLU [-> 2x2 max pooling]."""
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
    x = layers.ReLU()(x)
    return layers.MaxPooling2D()(x) if pool else x


def _residual(x: keras.KerasTensor, filters: int) -> keras.KerasTensor:
    """Two conv-bn blocks whose output is added to their input (a residual connection)."""
    return layers.Add()([x, _conv_bn(_conv_bn(x, filters), filters)])


def cifar_modern_cnn(
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    width: int = 64,
    augment: bool = True,
    logit_scale: float = 0.125,
    name: str = "cifar_resnet9",
) -> keras.Model:
    """A ResNet-9-style CNN for 32x32 images, with batch norm and augmentation built in.

    Introduced in ``03_cifar10_cnn.ipynb``. The design is David Page's ResNet-9 ("How to train
    your ResNet", Myrtle.ai, 2018), which reaches 94% CIFAR-10 test accuracy in about 24 epochs:

    - rescaling of raw 0-255 pixels, then (if ``augment``) :func:`helpers.augment.cifar_augmentation`;
    - conv(w) -> conv(2w)+pool -> residual(2w) -> conv(4w)+pool -> conv(8w)+pool -> residual(8w),
      every conv followed by batch normalisation and ReLU (``w = width``; 64 gives 6.6M parameters);
    - global max pooling, a dense layer without bias, and the logits multiplied by ``logit_scale``
      before the softmax: Page's trick that keeps a large SGD learning rate from blowing up the
      last layer.

    Args:
        input_shape: height, width, channels of one image.
        num_classes: number of output classes.
        width: filters of the first convolution; the later stages use 2, 4 and 8 times as many.
            Compute grows with its square, so the quick profile uses a narrower network.
        augment: include the augmentation layers (they act only during training).
        logit_scale: factor applied to the logits before the softmax.
    """
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1.0 / 255)(inputs)
    if augment:
        x = cifar_augmentation()(x)
    x = _conv_bn(x, width)
    x = _conv_bn(x, 2 * width, pool=True)
    x = _residual(x, 2 * width)
    x = _conv_bn(x, 4 * width, pool=True)
    x = _conv_bn(x, 8 * width, pool=True)
    x = _residual(x, 8 * width)
    x = layers.GlobalMaxPooling2D()(x)
    x = layers.Dense(num_classes, use_bias=False)(x)
    x = layers.Rescaling(logit_scale)(x)
    outputs = layers.Activation("softmax", dtype="float32")(x)  # float32 even under mixed precision
    return keras.Model(inputs, outputs, name=name)


def cats_dogs_cnn(
    input_shape: tuple[int, int, int] = (150, 150, 3),
    num_classes: int = 2,
    filters: tuple[int, ...] = (32, 64, 128, 128),
    dense_units: int = 512,
    dropout: float = 0.5,
    name: str = "cats_dogs_cnn",
) -> keras.Model:
    """Notebook 04's cats-vs-dogs CNN, the one it writes in plain Keras: conv-pool blocks, dropout, dense 512.

    The same layers as the ``model = keras.Sequential(..., name="cats_dogs_cnn")`` cell of
    ``04_cats_vs_dogs_augmentation.ipynb``, so the same parameter count for the same input size
    and ``filters``: its full profile is the default (150x150, ``(32, 64, 128, 128)``), its quick
    profile is ``cats_dogs_cnn((64, 64, 3), filters=(16, 32, 64, 128))``. Each block is a 3x3
    ``"valid"`` convolution with ReLU and a 2x2 max pooling, so a 150x150 image shrinks to 148, 74,
    72, 36, 34, 17, 15, 7 and finally 7x7x128 = 6,272 numbers before ``Flatten`` -> ``Dropout`` ->
    ``Dense(dense_units)``. The first layer rescales raw 0-255 pixels.

    With two classes the output is one sigmoid unit, the probability of ``class_names[1]``
    (compile with ``binary_crossentropy`` and load the data with ``label_mode="binary"``), as in
    the notebook; with more, a softmax over ``num_classes`` (``sparse_categorical_crossentropy``).

    Args:
        input_shape: height, width, channels of one image; it must leave at least 1x1 pixels
            after the last block (46x46 or more for four blocks).
        num_classes: number of classes.
        filters: filters of each conv-pool block.
        dense_units: units of the dense layer after ``Flatten``.
        dropout: fraction of the flattened features dropped during training.
    """
    from helpers.errors import TrainSettingError

    side = min(input_shape[0], input_shape[1])
    for _block in filters:
        side = (side - 2) // 2
    if side < 1:
        raise TrainSettingError(
            _("Images of {height}x{width} pixels are too small for {blocks} conv-pool blocks; "
              "use larger images (for example 150x150) or fewer blocks.").format(
                height=input_shape[0], width=input_shape[1], blocks=len(filters))
        )
    blocks: list[layers.Layer] = []
    for count in filters:
        blocks += [layers.Conv2D(count, 3, activation="relu"), layers.MaxPooling2D()]
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Rescaling(1.0 / 255),
            *blocks,
            layers.Flatten(),
            layers.Dropout(dropout),
            layers.Dense(dense_units, activation="relu"),
            output_layer(num_classes),  # one sigmoid unit for two classes
        ],
        name=name,
    )


def mnist_strong_cnn(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int = 10,
    width: int = 32,
    dropout: float = 0.4,
    augment: bool = True,
    name: str = "mnist_strong_cnn",
) -> keras.Model:
    """A stronger MNIST CNN for ensembles: batch norm, strided convolutions and light augmentation.

    Introduced in ``07_ensembles.ipynb`` (full profile). The design is Chris Deotte's
    ("25 million images! [0.99757] MNIST", Kaggle, 2018), whose single networks reach about
    99.65% and whose ensembles about 99.75% MNIST test accuracy:

    - rescaling of raw 0-255 pixels, then (if ``augment``) random rotations of up to 10 degrees,
      zooms of up to 10% and shifts of up to 10%, filled with black; like every Keras augmentation
      layer they act only during training;
    - two stages of conv3-conv3-conv5/stride 2 (``width``, then ``2 * width`` filters), every
      convolution followed by batch normalisation, each stage by dropout: 28 -> 12 -> 4 pixels;
    - a 4x4 convolution with ``4 * width`` filters (one value per filter), dropout, softmax.

    Args:
        input_shape: height, width, channels of one image (28x28 is what the layer sizes assume).
        num_classes: number of output classes.
        width: filters of the first stage; 32 gives 327,242 parameters.
        dropout: fraction of units dropped after each stage and before the output layer.
        augment: include the augmentation layers.
    """

    def conv_bn(filters: int, size: int, strides: int = 1) -> list[layers.Layer]:
        padding = "same" if strides > 1 else "valid"
        return [layers.Conv2D(filters, size, strides=strides, padding=padding, activation="relu"),
                layers.BatchNormalization()]

    steps: list[layers.Layer] = [keras.Input(shape=input_shape), layers.Rescaling(1.0 / 255)]
    if augment:
        steps += digit_augmentation_layers()
    for filters in (width, 2 * width):
        steps += [*conv_bn(filters, 3), *conv_bn(filters, 3), *conv_bn(filters, 5, strides=2), layers.Dropout(dropout)]
    steps += [*conv_bn(4 * width, 4), layers.Flatten(), layers.Dropout(dropout),
              layers.Dense(num_classes, activation="softmax", dtype="float32")]
    return keras.Sequential(steps, name=name)


def folder_cnn(
    input_shape: tuple[int, int, int] = (180, 180, 3),
    num_classes: int = 5,
    widths: tuple[int, ...] = (32, 64, 128, 256, 512),
    convs_per_block: int = 2,
    dropout: float = 0.3,
    name: str = "folder_cnn",
) -> keras.Model:
    """The CNN that :func:`helpers.train.train_from_folder` builds: batch-normalised conv blocks, then softmax.

    Introduced in ``05_flowers_train_from_folder.ipynb``. A VGG-style network with batch norm:

    - rescaling of raw 0-255 pixels;
    - one block per entry of ``widths``: ``convs_per_block`` times (3x3 convolution without bias ->
      batch norm -> ReLU), then 2x2 max pooling, so each block halves the image;
    - global average pooling (one number per feature map, whatever the image size), dropout and a
      softmax over ``num_classes``.

    Batch norm lets a network trained from scratch converge in tens of epochs rather than
    hundreds; global average pooling keeps the parameter count independent of the image size.

    Args:
        input_shape: height, width, channels; each side must be at least ``2 ** len(widths)``.
        num_classes: number of classes (two classes get two softmax outputs).
        widths: filters of each block; fewer or narrower blocks train faster (the quick profile).
        convs_per_block: convolutions before each pooling.
        dropout: fraction of the pooled features dropped during training.
    """
    from helpers.errors import TrainSettingError

    if min(input_shape[0], input_shape[1]) < 2 ** len(widths):
        raise TrainSettingError(
            _("Images of {height}x{width} pixels are too small for {blocks} conv blocks "
              "(each halves the image); use at least {side}x{side} pixels or fewer blocks.").format(
                height=input_shape[0], width=input_shape[1], blocks=len(widths), side=2 ** len(widths))
        )
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1.0 / 255)(inputs)
    for filters in widths:
        for step in range(convs_per_block):
            x = _conv_bn(x, filters, pool=step == convs_per_block - 1)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32")(x)  # float32 even under mixed precision
    return keras.Model(inputs, outputs, name=name)


def cifar_small_cnn(
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    width: int = 16,
    downsample: bool = False,
    flip: bool = False,
    seed: int | None = None,
    name: str = "cifar_small_cnn",
) -> keras.Model:
    """A small, fast CNN for 32x32 colour images: one member of the ensembles of notebook 07.

    Introduced in ``07_ensembles.ipynb`` (quick profile). Rescaling of raw 0-255 pixels, then
    optionally a 2x2 average pooling that halves the image (``downsample``: the member sees a
    16x16 version, four times cheaper) and random horizontal flips (``flip``; they act only during
    training); then three blocks of 3x3 convolution (``same`` padding, ReLU) and 2x2 max pooling
    with ``width``, ``2 * width`` and ``2 * width`` filters, and a softmax on the flattened maps.
    No dropout and no batch normalisation: members that overfit a little differ more from one
    another, which is what averaging needs.

    Args:
        input_shape: height, width, channels of one image (each side a multiple of 8, or of 16
            with ``downsample``).
        num_classes: number of output classes.
        width: filters of the first convolution.
        downsample: halve the image first.
        flip: include a ``RandomFlip("horizontal")`` augmentation layer.
        seed: seed of the flip layer's random draws.
    """
    steps: list[layers.Layer] = [keras.Input(shape=input_shape), layers.Rescaling(1.0 / 255)]
    if downsample:
        steps.append(layers.AveragePooling2D(2))
    if flip:
        steps.append(layers.RandomFlip("horizontal", seed=seed))
    for filters in (width, 2 * width, 2 * width):
        steps += [layers.Conv2D(filters, 3, padding="same", activation="relu"), layers.MaxPooling2D()]
    steps += [layers.Flatten(), layers.Dense(num_classes, activation="softmax", dtype="float32")]
    return keras.Sequential(steps, name=name)
