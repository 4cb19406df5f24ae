"""Get data: the dataset registry, checked downloads into the Keras cache, and loaders.

Typical use::

    from helpers import data
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    folder = data.fetch("cats_and_dogs")       # folder with train/ and validation/
"""

from helpers.data.arrays import load_cifar10, load_mnist
from helpers.data.download import (
    MIRROR_ENV,
    cache_dir,
    choose_variant,
    datasets_dir,
    fetch,
    mirrors,
    pretty_path,
)
from helpers.data.folders import (
    FolderDatasets,
    count_images,
    dataset_arrays,
    describe_folder,
    image_datasets,
    prepare,
    split_validation_test,
)
from helpers.data.registry import DATASETS, Archive, DatasetInfo, get_dataset
from helpers.data.summary import registry_table

__all__ = [
    "DATASETS", "MIRROR_ENV", "Archive", "DatasetInfo", "cache_dir", "choose_variant", "datasets_dir",
    "fetch", "get_dataset", "load_cifar10", "load_mnist", "mirrors", "pretty_path", "registry_table",
    "FolderDatasets", "count_images", "dataset_arrays", "describe_folder", "image_datasets", "prepare",
    "split_validation_test",
]

# Notebook 05: labels from a CSV file, and size checks before training.
from helpers.data.checks.rules import check_sizes, class_counts  # noqa: E402
from helpers.data.labels_csv import csv_datasets, read_labels_csv, write_labels_csv  # noqa: E402

__all__ += ["check_sizes", "class_counts", "csv_datasets", "read_labels_csv", "write_labels_csv"]

# Notebook 05: scan a folder before training; move problem files aside.
from helpers.data.checks.quarantine import QuarantineError, quarantine  # noqa: E402
from helpers.data.checks.scan import FolderScan, scan_folder  # noqa: E402

__all__ += ["FolderScan", "QuarantineError", "quarantine", "scan_folder"]
