"""Transfer learning: reuse a pretrained convolutional base under a new classification head.

The recipe, as in Keras's own guide and the older tutorials:

1. **Feature extraction.** Take a base trained on a large dataset (ImageNet for the
   ``keras.applications`` bases, CIFAR-10 for the course's own ``cifar10_cnn``), without its
   classifier (``include_top=False``), freeze it (``trainable = False``) and train only a new head:
   global average pooling, dropout, one dense layer.
2. **Fine-tuning.** Unfreeze the top layers of the base, keep every ``BatchNormalization`` layer
   frozen, recompile with a small learning rate (about ``1e-5``) and train a few more epochs.

Every model built here takes raw 0-255 pixels: the base's own ``preprocess_input`` runs inside
the model, so a saved model needs no preprocessing to be remembered.

Typical use::

    model = transfer.build_transfer_classifier("MobileNetV2-0.35", 2, (160, 160))   # frozen base
    transfer.compile_classifier(model)                  # Adam 1e-3, loss chosen by the output
    model.fit(train, validation_data=validation, epochs=5)
    transfer.fine_tune(model, base_layers_to_unfreeze=30)   # recompiles with Adam 1e-5
    model.fit(train, validation_data=validation, epochs=10, initial_epoch=5)

ImageNet weight files come through the Keras cache and the course mirror (:mod:`helpers.data.weights`).

Introduced in ``06_transfer_learning.ipynb``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
from keras import layers

from helpers.data.paths import pretty_path
from helpers.data.weights import fetch_weights, weights_path
from helpers.errors import ModelFileError, TrainSettingError, UnknownNameError, UnsuitableModelError, WeightsUnavailableError
from helpers.language import _
from helpers.models import loss_for, output_layer

#: Name of the preprocessing step inside every transfer classifier.
PREPROCESS_NAME = "preprocess_input"


@dataclass(frozen=True)
class BaseSpec:
    """One convolutional base the course can put under a new head.

    Attributes:
        name: the name used everywhere (``"MobileNetV2"``, ``"cifar10_cnn"``).
        module: the ``keras.applications`` module holding its constructor and ``preprocess_input``
            (``""`` for the course's own base).
        input_size: the ``(height, width)`` it was trained at, and the default here.
        min_size: the smallest side its constructor accepts.
        preprocessing: what its ``preprocess_input`` does, in a few words.
        fine_tune_layers: how many top layers :func:`fine_tune` unfreezes by default (a known recipe:
            Keras's and TensorFlow's tutorials, or the base's top block).
        learning_rate: for training the new head (feature extraction).
        fine_tune_learning_rate: for fine-tuning: about ten times smaller or less.
        constructor: the ``keras.applications`` function that builds it, when it is not ``name``
            (``"MobileNetV2"`` for ``"MobileNetV2-0.35"``).
        alpha: the width multiplier passed to that function (MobileNets), or ``None``.
    """

    name: str
    module: str
    input_size: tuple[int, int]
    min_size: int
    preprocessing: str
    fine_tune_layers: int
    learning_rate: float = 1e-3
    fine_tune_learning_rate: float = 1e-5
    constructor: str = ""
    alpha: float | None = None

    @property
    def imagenet(self) -> bool:
        """True for the ``keras.applications`` bases (ImageNet weights exist)."""
        return bool(self.module)

    def preprocess_input(self) -> Callable:
        """The base's own preprocessing function (for example ``keras.applications.vgg16.preprocess_input``)."""
        if not self.imagenet:
            return lambda x: x / 255.0
        return getattr(keras.applications, self.module).preprocess_input

    def build(self, input_shape: tuple[int, int, int], weights: str | os.PathLike | None = None) -> keras.Model:
        """The base without its classifier (``include_top=False``), with ``weights`` loaded.

        ``weights`` is ``None``, ``"imagenet"`` or a file; pass the checked file of
        :func:`helpers.data.weights.fetch_weights` for the MobileNets at sizes other than 224: given
        ``"imagenet"``, Keras looks for a file named after the input size (96, 128, 160 or 192 px),
        while the 224 px file fits every size (the convolution weights do not depend on it).
        """
        if not self.imagenet:
            base = cifar10_base()
            if weights is not None:
                base.load_weights(weights)
            return base
        constructor = getattr(getattr(keras.applications, self.module), self.constructor or self.name)
        width = {} if self.alpha is None else {"alpha": self.alpha}
        weights = str(weights) if isinstance(weights, os.PathLike) else weights
        return constructor(include_top=False, weights=weights, input_shape=input_shape, name=self.name, **width)


BASES: dict[str, BaseSpec] = {
    spec.name: spec
    for spec in (
        # fine_tune_layers: block5 (Chollet's book); stage conv5; the top two inception blocks (Keras
        # docs); the whole base (Keras's transfer-learning guide); from layer 100 (TensorFlow's
        # tutorial); the top 20 layers (keras.io EfficientNet example); the top two stages.
        BaseSpec("VGG16", "vgg16", (224, 224), 32, "RGB to BGR, minus the ImageNet mean (caffe)", 4),
        BaseSpec("ResNet50", "resnet50", (224, 224), 32, "RGB to BGR, minus the ImageNet mean (caffe)", 32),
        BaseSpec("InceptionV3", "inception_v3", (299, 299), 75, "scaled to [-1, 1] (tf)", 62),
        BaseSpec("Xception", "xception", (299, 299), 71, "scaled to [-1, 1] (tf)", 132),
        BaseSpec("MobileNetV2", "mobilenet_v2", (224, 224), 32, "scaled to [-1, 1] (tf)", 54),
        BaseSpec("EfficientNetB0", "efficientnet", (224, 224), 32, "none: the base rescales by itself", 20),
        # The light bases (2-3 MB of weights, served offline by the course mirror): MobileNetV2 and
        # MobileNet with fewer filters per layer (alpha). Their heads and top layers train fast on a
        # CPU; fine-tuning then uses a larger rate than the big bases' 1e-5, so a few epochs count.
        BaseSpec("MobileNetV2-0.35", "mobilenet_v2", (224, 224), 32, "scaled to [-1, 1] (tf)", 54,
                 fine_tune_learning_rate=1e-4, constructor="MobileNetV2", alpha=0.35),
        BaseSpec("MobileNetV2-0.5", "mobilenet_v2", (224, 224), 32, "scaled to [-1, 1] (tf)", 54,
                 fine_tune_learning_rate=1e-4, constructor="MobileNetV2", alpha=0.5),
        BaseSpec("MobileNet-0.25", "mobilenet", (224, 224), 32, "scaled to [-1, 1] (tf)", 18,
                 fine_tune_learning_rate=1e-4, constructor="MobileNet", alpha=0.25),
        BaseSpec("cifar10_cnn", "", (32, 32), 8, "scaled to [0, 1]", 8, 1e-2, 3e-4),
    )
}

#: The ``keras.applications`` bases, in the order of the comparison table.
IMAGENET_BASES = tuple(name for name, spec in BASES.items() if spec.imagenet)

#: The light, fast ImageNet bases whose weight files the course mirror serves (2-3 MB each): the
#: quick profile's choice on a CPU, and what the classroom-mirror packing packs for a workshop.
LIGHT_BASES = ("MobileNetV2-0.35", "MobileNetV2-0.5", "MobileNet-0.25")


def get_base(name: str) -> BaseSpec:
    """Look a base up by name, with a helpful message for a typo."""
    try:
        return BASES[name]
    except KeyError:
        raise UnknownNameError(_("There is no base called {name!r}; the course knows: {known}.").format(
            name=name, known=", ".join(BASES))) from None


def cifar10_base(width: int = 32, name: str = "cifar10_cnn") -> keras.Model:
    """The course's own convolutional base, trained on CIFAR-10 in ``06_transfer_learning.ipynb``.

    Three stages of 3x3 convolution -> batch norm -> ReLU -> 2x2 max pooling, with ``width``,
    ``2 * width`` and ``4 * width`` filters. It is fully convolutional (any image size; a 32x32
    image gives 4x4 feature maps) and expects pixels scaled to [0, 1].
    """
    inputs = keras.Input(shape=(None, None, 3))
    x = inputs
    for stage, filters in enumerate((width, 2 * width, 4 * width), start=1):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{stage}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{stage}")(x)
        x = layers.ReLU(name=f"relu{stage}")(x)
        x = layers.MaxPooling2D(name=f"pool{stage}")(x)
    return keras.Model(inputs, x, name=name)


def _resolve_weights(spec: BaseSpec, weights: str | os.PathLike | None) -> str | None:
    """The value to build ``spec`` with: ``None``, ``"imagenet"`` (file already in the Keras cache) or a file."""
    if weights is None:
        return None
    if isinstance(weights, str) and weights == "imagenet":
        path = fetch_weights(spec.name)  # a base without ImageNet weights: weights.weight_file says so and what to do
        # EfficientNet adds an ImageNet-only input scaling when built with weights="imagenet"; Keras
        # then finds the checked file at the very path it looks in, so nothing is downloaded twice.
        return "imagenet" if spec.module == "efficientnet" and path == weights_path(spec.name) else str(path)
    path = Path(weights)
    if not path.is_file():
        raise WeightsUnavailableError(
            _("There is no weights file at {path}; check the path, or pass weights='imagenet' or None.").format(path=pretty_path(path))
        )
    return str(path)


def preprocessing_model(base: str, name: str = PREPROCESS_NAME) -> keras.Model:
    """The base's ``preprocess_input`` as a small model from raw 0-255 pixels (any image size)."""
    inputs = keras.Input(shape=(None, None, 3))
    outputs = get_base(base).preprocess_input()(inputs)
    if outputs is inputs:  # EfficientNet's preprocess_input passes pixels through unchanged
        outputs = layers.Identity()(inputs)
    return keras.Model(inputs, outputs, name=name)


def build_transfer_classifier(
    base: str,
    num_classes: int,
    image_size: tuple[int, int] | None = None,
    weights: str | os.PathLike | None = "imagenet",
    augmentation: keras.Layer | None = None,
    dropout: float = 0.2,
    *,
    freeze: bool = True,
    name: str | None = None,
) -> keras.Model:
    """A pretrained base under a new head: raw pixels -> [augmentation] -> preprocess_input -> base -> head.

    Introduced in ``06_transfer_learning.ipynb``. The head is global average pooling, dropout and
    one dense layer: a single sigmoid unit for two classes (compile with ``binary_crossentropy``,
    load data with ``label_mode="binary"``, as in notebook 04), else a softmax over ``num_classes``.

    Args:
        base: a key of :data:`BASES`, for example ``"MobileNetV2"`` or ``"cifar10_cnn"``.
        num_classes: number of classes.
        image_size: ``(height, width)`` of the input images (default: the base's own size).
        weights: ``"imagenet"`` (fetched through the Keras cache and ``COURSE_DATA_MIRROR``; raises
            :class:`helpers.errors.WeightsUnavailableError` when it cannot be had), ``None``
            (random weights: training from scratch), or the path of a weights file (for
            ``cifar10_cnn``: the file written by :func:`save_base`).
        augmentation: random layers applied to the raw pixels (they act only during training).
        dropout: fraction of the pooled features dropped during training.
        freeze: freeze the base (``trainable = False``) and call it with ``training=False``; pass
            ``False`` to train every layer (the from-scratch comparison).
        name: the model's name (default ``"<base>_transfer"``).

    Returns:
        An uncompiled model; see :func:`compile_classifier` and :func:`fine_tune`.
    """
    spec = get_base(base)
    height, width = (int(side) for side in (image_size or spec.input_size))
    if min(height, width) < spec.min_size:
        raise TrainSettingError(
            _("{base} needs images of at least {min_size}x{min_size} pixels, not {height}x{width}; "
              "use a larger image_size (it was trained at {trained_height}x{trained_width}).").format(
                base=spec.name, min_size=spec.min_size, height=height, width=width,
                trained_height=spec.input_size[0], trained_width=spec.input_size[1])
        )
    conv_base = spec.build((height, width, 3), _resolve_weights(spec, weights))
    return classifier_on(conv_base, num_classes, (height, width), dropout, augmentation=augmentation,
                         preprocess=preprocessing_model(base), freeze=freeze, name=name or f"{spec.name.lower()}_transfer")


def classifier_on(
    base_model: keras.Model,
    num_classes: int,
    image_size: tuple[int, int],
    dropout: float = 0.2,
    *,
    augmentation: keras.Layer | None = None,
    preprocess: keras.Layer | None = None,
    freeze: bool = True,
    name: str | None = None,
) -> keras.Model:
    """The transfer head, built here only: raw pixels -> [augmentation] -> [preprocess] -> base -> pooling, dropout, dense.

    ``base_model`` outputs feature maps (``include_top=False``). Without ``preprocess`` it must
    take raw 0-255 pixels itself (a Keras model of your own, with its preprocessing inside it);
    :func:`build_transfer_classifier` passes the base's ``preprocess_input`` (:func:`preprocessing_model`).
    ``freeze`` freezes the base (``trainable = False``) and calls it with ``training=False``. The
    head is global average pooling, dropout and :func:`helpers.models.output_layer` (one sigmoid
    unit for two classes, else a softmax). Returns an uncompiled model named ``name``
    (default ``"<base name>_transfer"``).
    """
    base_model.trainable = not freeze
    inputs = keras.Input(shape=(*image_size, 3), name="image")
    x = augmentation(inputs) if augmentation is not None else inputs
    x = preprocess(x) if preprocess is not None else x
    x = base_model(x, training=False) if freeze else base_model(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = output_layer(num_classes, name="head")(x)  # one sigmoid unit for two classes
    return keras.Model(inputs, outputs, name=name or f"{base_model.name}_transfer")


def base_of(model: keras.Model) -> keras.Model:
    """The convolutional base inside a transfer classifier: its nested model with the most weights."""
    nested = [layer for layer in model.layers if isinstance(layer, keras.Model) and layer.name != PREPROCESS_NAME]
    if not nested:
        raise UnsuitableModelError(_("{model} has no nested base model; build it with transfer.build_transfer_classifier.").format(
            model=model.name))
    return max(nested, key=lambda layer: len(layer.weights))


def compile_classifier(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Compile with Adam and the loss that fits the output: binary for one sigmoid unit, else sparse categorical."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss_for(model), metrics=["accuracy"])
    return model


def fine_tune(model: keras.Model, base_layers_to_unfreeze: int, learning_rate: float = 1e-5) -> keras.Model:
    """Unfreeze the top ``base_layers_to_unfreeze`` layers of the base, batch norm excepted, and recompile.

    Introduced in ``06_transfer_learning.ipynb``. ``BatchNormalization`` layers stay frozen: in
    Keras 3 a frozen batch-norm layer runs in inference mode, so it keeps the statistics it
    learned on the large dataset instead of re-estimating them from small batches of new images
    (which would wreck what the head has learned). The model is recompiled, which a change of
    ``trainable`` needs, with Adam at ``learning_rate``: small, so the pretrained weights move little.

    Args:
        model: a classifier from :func:`build_transfer_classifier`, trained with its base frozen.
        base_layers_to_unfreeze: how many layers, counted from the top of the base, become trainable.
        learning_rate: the learning rate for fine-tuning.
    """
    if base_layers_to_unfreeze < 0:
        raise ValueError(_("base_layers_to_unfreeze must be 0 or more, not {count}").format(count=base_layers_to_unfreeze))
    conv_base = base_of(model)
    conv_base.trainable = True
    split = len(conv_base.layers) - base_layers_to_unfreeze
    for index, layer in enumerate(conv_base.layers):
        layer.trainable = index >= split and not isinstance(layer, layers.BatchNormalization)
    return compile_classifier(model, learning_rate)


def trainable_layer_names(model: keras.Model) -> list[str]:
    """Names of the base's layers whose weights will be trained (for checks and tests)."""
    conv_base = base_of(model)
    if not conv_base.trainable:
        return []
    return [layer.name for layer in conv_base.layers if layer.weights and layer.trainable]


def save_base(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save the weights of the base inside ``model`` (a ``.weights.h5`` file) for later transfer.

    Introduced in ``06_transfer_learning.ipynb``: the CIFAR-10 classifier's base is saved, then
    ``build_transfer_classifier("cifar10_cnn", ..., weights=path)`` reuses it.
    """
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ModelFileError(_("Save base weights to a file ending in .weights.h5, not {name!r}.").format(name=path.name))
    path.parent.mkdir(parents=True, exist_ok=True)
    base_of(model).save_weights(path)
    return path
