"""The course's dataset registry: where each dataset comes from and how to check it.

Each dataset has a **full** archive (the published one, used by the full profile) and, where the
course provides one, a **mini** archive: a real subset of the same data for the quick profile,
served from the Keras cache or from a course mirror (``COURSE_DATA_MIRROR``).

``keras_fname`` is the ``fname`` passed to :func:`keras.utils.get_file`, so the files land exactly
where Keras's own tutorials put them (for example ``datasets/cats_and_dogs.zip`` and
``datasets/cats_and_dogs_extracted/``).

Introduced in ``00_setup.ipynb``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from helpers.language import _

#: Suffixes ``image_dataset_from_directory`` lists; files with others are invisible to it.
KERAS_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
#: Suffixes of image files the course reads (the others through Pillow), and counts in an archive.
IMAGE_SUFFIXES = KERAS_SUFFIXES + (".webp", ".tif", ".tiff", ".jfif", ".jpe")


def is_image_name(name: str, suffixes: tuple[str, ...] = IMAGE_SUFFIXES) -> bool:
    """Whether a file name ends in one of ``suffixes`` (any case): the one test of "is this an image file" by name."""
    return name.lower().endswith(suffixes)


def count_image_names(names: Iterable[str], suffixes: tuple[str, ...] = IMAGE_SUFFIXES) -> int:
    """How many of ``names`` (file names or paths) are image files by :func:`is_image_name`."""
    return sum(is_image_name(str(name), suffixes) for name in names)


@dataclass(frozen=True)
class Archive:
    """One downloadable file of a dataset.

    Attributes:
        filename: the file's name at its origin and in a course mirror.
        keras_fname: the ``fname`` given to ``keras.utils.get_file``; it decides the cache layout.
        origins: public URLs, tried in order after any mirror. Empty for course-only archives.
        hashes: digests (sha256, or md5 where only that is published) accepted for this file.
        images: how many images the archive holds.
        size: size in bytes, for messages (None where the publisher does not state it).
        extract: whether the file is an archive to unpack.
        root: path of the data inside the extracted folder (class folders or batch files).
        inner_archive: an archive inside the archive that must be unpacked too (Caltech-101).
        content_check: for origins whose digest is not published: the archive is accepted when
            it holds exactly ``images`` image files.
        cache_subdir: the folder of the Keras cache the file goes to, as ``get_file``'s
            ``cache_subdir``: ``"datasets"``, or ``"models"`` for the weight files of
            ``keras.applications`` bases (``06_transfer_learning.ipynb``, :mod:`helpers.data.weights`).
    """

    filename: str
    keras_fname: str
    origins: tuple[str, ...]
    hashes: tuple[str, ...]
    images: int
    size: int | None
    extract: bool = True
    root: str = ""
    inner_archive: str = ""
    content_check: bool = False
    cache_subdir: str = "datasets"

    @property
    def cache_name(self) -> str:
        """The file name ``get_file`` stores this archive under, inside ``$KERAS_HOME/<cache_subdir>``."""
        if not self.extract:
            return self.keras_fname
        if "." in self.keras_fname:
            return self.keras_fname
        return f"{self.keras_fname}_archive"

    @property
    def extracted_name(self) -> str:
        """The folder ``get_file(..., extract=True)`` unpacks into (Keras 3 layout)."""
        if "." in self.keras_fname:
            return self.keras_fname[: self.keras_fname.find(".")] + "_extracted"
        return self.keras_fname


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset: what it is, its archives and its classes."""

    name: str
    title: str
    full: Archive
    mini: Archive | None
    classes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    license: str = ""
    homepage: str = ""
    notes: str = field(default="", compare=False)

    def archive(self, variant: str) -> Archive:
        """Return the ``"full"`` or ``"mini"`` archive."""
        if variant == "full":
            return self.full
        if variant == "mini" and self.mini is not None:
            return self.mini
        from helpers.errors import TrainSettingError

        if self.mini:
            raise TrainSettingError(_("{name} has no {variant!r} archive; use variant='full' or 'mini'.").format(
                name=self.name, variant=variant))
        raise TrainSettingError(_("{name} has no {variant!r} archive; use variant='full'.").format(name=self.name, variant=variant))


CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)

DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo(
        name="mnist",
        title="MNIST handwritten digits (60,000 train / 10,000 test, 28x28 grayscale)",
        full=Archive(
            filename="mnist.npz",
            keras_fname="mnist.npz",
            origins=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",),
            hashes=("731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",),
            images=70_000,
            size=11_490_434,
            extract=False,
        ),
        mini=None,
        classes=tuple(str(digit) for digit in range(10)),
        license="CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
        homepage="http://yann.lecun.com/exdb/mnist/",
    ),
    "cifar10": DatasetInfo(
        name="cifar10",
        title="CIFAR-10 (50,000 train / 10,000 test, 32x32 colour, 10 classes)",
        full=Archive(
            filename="cifar-10-python.tar.gz",
            keras_fname="cifar-10-batches-py-target",
            origins=("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
            hashes=("6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",),
            images=60_000,
            size=170_498_071,
            root="cifar-10-batches-py",
        ),
        mini=Archive(
            filename="cifar-10-mini-python.tar.gz",
            keras_fname="cifar-10-mini-python.tar.gz",
            origins=(),
            hashes=("418cba27ef46733779328c8d40cf2f4303d623a3719b0ca6187235ea11175b72",),
            images=6_000,
            size=16_978_842,
            root="cifar-10-batches-py",
        ),
        classes=CIFAR10_CLASSES,
        license="no licence stated; cite Krizhevsky (2009)",
        homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
        notes="mini: the first 1,000 images of each training batch and the first 1,000 test images",
    ),
    "cats_and_dogs": DatasetInfo(
        name="cats_and_dogs",
        title="cats_and_dogs_filtered (2,000 train / 1,000 validation JPEGs, 2 classes)",
        full=Archive(
            filename="cats_and_dogs_filtered.zip",
            keras_fname="cats_and_dogs.zip",
            origins=("https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",),
            # The digest of the course's reproducible repack; the publisher states none, so a
            # copy from the origin is accepted when it holds the expected 3,000 JPEGs.
            hashes=("f09ba4e5b8b5bf913c8cf15b407655c525f64bdbf18f98c868a07a3ef920d054",),
            images=3_000,
            size=68_492_313,
            root="cats_and_dogs_filtered",
            content_check=True,
        ),
        mini=None,
        classes=("cats", "dogs"),
        license="Kaggle competition data; licence unknown",
        homepage="https://www.kaggle.com/c/dogs-vs-cats",
    ),
    "flower_photos": DatasetInfo(
        name="flower_photos",
        title="TensorFlow flower_photos (3,670 photos, 5 classes)",
        full=Archive(
            filename="flower_photos.tgz",
            keras_fname="flower_photos",
            origins=(
                "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz",
            ),
            hashes=("4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c",),
            images=3_670,
            size=228_813_984,
            root="flower_photos",
        ),
        mini=Archive(
            filename="flower_photos-mini.tgz",
            keras_fname="flower_photos",
            origins=(),
            hashes=("68985b314f920b0490d9093b1df63c0166dc272e5275762c46be522927c75ba7",),
            images=1_000,
            size=63_211_422,
            root="flower_photos",
        ),
        classes=("daisy", "dandelion", "roses", "sunflowers", "tulips"),
        license="CC BY 2.0 (Flickr photographers, listed in the archive's LICENSE.txt)",
        homepage="https://www.tensorflow.org/datasets/catalog/tf_flowers",
        notes="mini: 200 photos per class",
    ),
    "caltech101": DatasetInfo(
        name="caltech101",
        title="Caltech-101 (9,146 images, 101 categories + background)",
        full=Archive(
            filename="caltech-101.zip",
            keras_fname="caltech-101.zip",
            origins=("https://data.caltech.edu/records/mzrjq-6wc02/files/caltech-101.zip?download=1",),
            hashes=("3138e1922a9193bfa496528edbbc45d0",),  # md5, as published with the release
            images=9_146,
            size=None,  # not published
            root="caltech-101/101_ObjectCategories",
            inner_archive="caltech-101/101_ObjectCategories.tar.gz",
        ),
        mini=Archive(
            filename="caltech-101-mini.tar.gz",
            keras_fname="caltech-101-mini.tar.gz",
            origins=(),
            hashes=("6a75d2f570d281d499232107f9158d9c89257be171583d4c897955880b96d143",),
            images=393,
            size=5_336_329,
            root="101_ObjectCategories",
        ),
        exclude=("BACKGROUND_Google",),
        license="CC BY 4.0 (CaltechDATA, DOI 10.22002/D1.20086)",
        homepage="https://data.caltech.edu/records/mzrjq-6wc02",
        notes="mini: six whole categories (crab, crayfish, cup, dalmatian, ewer, lobster)",
    ),
}


def get_dataset(name: str) -> DatasetInfo:
    """Look a dataset up by name, with a helpful message for a typo."""
    try:
        return DATASETS[name]
    except KeyError:
        from helpers.errors import UnknownNameError, did_you_mean

        raise UnknownNameError(_("There is no dataset called {name!r}{suggestion}; the course knows: {known}.").format(
            name=name, suggestion=did_you_mean(str(name), DATASETS), known=", ".join(DATASETS))) from None
