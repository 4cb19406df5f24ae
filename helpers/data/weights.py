"""ImageNet weight files for ``keras.applications`` bases, fetched like the datasets.

``keras.applications.MobileNetV2(weights="imagenet")`` downloads its weight file with
``keras.utils.get_file(..., cache_subdir="models")`` from Google's storage, without asking any
mirror and, for some bases, without a checksum. The course fetches the very same files with the
same machinery as its datasets (:func:`helpers.data.download.fetch_archive`): a valid copy in
``$KERAS_HOME/models/`` is used as it is; otherwise each mirror in ``COURSE_DATA_MIRROR`` is tried
(a mirror holds them as ``models/<file name>``, so a copy of someone's ``~/.keras`` works as a
mirror), then the public origin; every copy is checked (md5 as published by Keras, or, for
MobileNetV2, whose digest Keras does not publish, the exact size) before it is moved into place.
The base is then built with ``weights=<that local file>``.

When a file cannot be had, :class:`WeightsUnavailableError` says so in one sentence.

Introduced in ``06_transfer_learning.ipynb``.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from helpers.data.download import fetch_archive, is_valid
from helpers.data.paths import MIRROR_ENV, cached_path, pretty_path
from helpers.data.registry import Archive, DatasetInfo
from helpers.errors import ChecksumError, DatasetUnavailableError, TrainSettingError, WeightsUnavailableError
from helpers.language import _

_KERAS_APPLICATIONS = "https://storage.googleapis.com/tensorflow/keras-applications/"


def _weight_file(filename: str, origin: str, md5: str | None, size: int) -> Archive:
    return Archive(
        filename=filename,
        keras_fname=filename,
        origins=(origin,),
        hashes=(md5,) if md5 else (),
        images=0,
        size=size,
        extract=False,
        cache_subdir="models",
    )


#: The "no top" ImageNet weight file of each base: the names, origins and md5 digests that
#: ``keras/src/applications/<module>.py`` (Keras 3.15) passes to ``get_file``. MobileNetV2's file
#: has no published digest; the 224-pixel file is used at every input size (the shapes of its
#: convolution weights do not depend on the input size).
IMAGENET_WEIGHTS: dict[str, Archive] = {
    "VGG16": _weight_file(
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _KERAS_APPLICATIONS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "6d6bbae143d832006294945121d1f1fc", 58_889_256,
    ),
    "ResNet50": _weight_file(
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _KERAS_APPLICATIONS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "4d473c1dd8becc155b73f8504c6f6626", 94_765_736,
    ),
    "InceptionV3": _weight_file(
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _KERAS_APPLICATIONS + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "bcbd6486424b2319ff4ef7d526e38f63", 87_910_968,
    ),
    "Xception": _weight_file(
        "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _KERAS_APPLICATIONS + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "b0042744bf5b25fce3cb969f33bebb97", 83_683_744,
    ),
    "MobileNetV2": _weight_file(
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
        _KERAS_APPLICATIONS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
        None, 9_406_464,
    ),
    # The three light bases whose real files the course can serve offline (quick profile, workshops).
    # Keras names them by alpha and input size; the 224-pixel file fits every input size.
    "MobileNetV2-0.35": _weight_file(
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5",
        _KERAS_APPLICATIONS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5",
        "df1c3db1d0d9193719c4c70f707c56f7021f999f825bdc57454c275cf6def19f", 2_019_640,
    ),
    "MobileNetV2-0.5": _weight_file(
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5",
        _KERAS_APPLICATIONS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5",
        "279052de2cfa801003aa6cc25cc4d007d35dd0b76f06935268c79788b7642d05", 3_201_480,
    ),
    "MobileNet-0.25": _weight_file(
        "mobilenet_2_5_224_tf_no_top.h5",
        _KERAS_APPLICATIONS + "mobilenet/mobilenet_2_5_224_tf_no_top.h5",
        "dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf", 2_108_140,
    ),
    "EfficientNetB0": _weight_file(
        "efficientnetb0_notop.h5",
        "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
        "50bc09e76180e00e4465e1a485ddc09d", 16_705_208,
    ),
}

def weight_file(base: str) -> Archive:
    """The registry entry of ``base``'s ImageNet weight file.

    The one place that says "this base has no ImageNet weights" (``weights="imagenet"`` asked of
    ``cifar10_cnn`` or of an unknown name): :func:`fetch_weights`, and through it
    :func:`helpers.train.options.check_base` and :func:`helpers.transfer.build_transfer_classifier`, raise this.

    Raises:
        TrainSettingError: ``base`` has no ImageNet weight file (a :class:`CourseError`).
    """
    try:
        return IMAGENET_WEIGHTS[base]
    except KeyError:
        raise TrainSettingError(
            _("The {base} base has no ImageNet weights (the course has them for {known}): pass weights= "
              "a weights file of its own (transfer.save_base writes one, notebook 06), or weights=None to train it from scratch.").format(
                base=base, known=", ".join(IMAGENET_WEIGHTS))
        ) from None


def weights_path(base: str) -> Path:
    """Where ``base``'s ImageNet weight file lives in the Keras cache (``$KERAS_HOME/models/...``)."""
    return cached_path(weight_file(base))


def fetch_weights(base: str, verbose: bool = False) -> Path:
    """Get ``base``'s ImageNet weight file into ``$KERAS_HOME/models/`` (checked) and return its path.

    Args:
        base: a key of :data:`IMAGENET_WEIGHTS`, for example ``"MobileNetV2"``.
        verbose: show where each copy is fetched from and Keras's download progress.

    Raises:
        WeightsUnavailableError: when no cache, mirror or origin could provide a good copy.
    """
    archive = weight_file(base)
    # Mirrors hold weight files as models/<file name>: "models" plays the part of the dataset name.
    info = DatasetInfo(name="models", title=f"ImageNet weights of {base}", full=archive, mini=None)
    quiet = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO())
    try:
        with quiet:
            return fetch_archive(info, archive, verbose=verbose)
    except (DatasetUnavailableError, ChecksumError):
        raise WeightsUnavailableError(
            _("The ImageNet weights of {base} ({filename}) could not be fetched from the internet or a mirror: "
              "connect, set {mirror_setting} to a folder or URL holding models/{filename}, "
              "or place the file at {target}.").format(
                base=base, filename=archive.filename, mirror_setting=MIRROR_ENV, target=pretty_path(weights_path(base)))
        ) from None


def weights_cached(base: str) -> bool:
    """True when a checked copy of ``base``'s ImageNet weight file is already in the Keras cache."""
    return is_valid(weights_path(base), weight_file(base))
