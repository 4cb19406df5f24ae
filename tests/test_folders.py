"""Folder datasets on the real cats_and_dogs_filtered images (small image sizes keep it fast)."""

from pathlib import Path

import numpy as np
import pytest

from helpers.data import folders
from helpers.errors import CourseError


@pytest.fixture(scope="module")
def root(real_dataset) -> Path:
    return real_dataset("cats_and_dogs")


def test_count_and_describe_the_folder_layout(root):
    counts = folders.count_images(root)
    assert counts == {"train/cats": 1000, "train/dogs": 1000, "validation/cats": 500, "validation/dogs": 500}
    table = folders.describe_folder(root).splitlines()
    assert table[0].split() == ["train/cats", "1,000", "images"] and table[-1].split() == ["total", "3,000", "images"]


def test_validation_folder_with_a_carved_test_split(root, capsys):
    splits = folders.image_datasets(
        root / "train", (32, 32), 16, validation_dir=root / "validation", test_split=0.5,
        label_mode="binary", max_train=64, max_eval=40,
    )
    assert splits.class_names == ["cats", "dogs"] and splits.image_size == (32, 32)
    assert splits.counts == {"train": 64, "validation": 40, "test": 40}
    assert "test           40 images (of 500)" in capsys.readouterr().out
    x, y = next(iter(splits.train))
    assert tuple(x.shape) == (16, 32, 32, 3) and tuple(y.shape) == (16, 1)
    assert float(np.max(x)) > 1.0, "raw 0-255 pixels: the model rescales"
    assert sum(int(b[0].shape[0]) for b in splits.train) == 64
    x_test, y_test = folders.dataset_arrays(splits.test)
    assert x_test.shape == (40, 32, 32, 3) and set(np.unique(y_test)) == {0, 1}
    # the listed test files are the test images, in order, and all come from the validation folder
    assert len(splits.test_files) == 40 and all("/validation/" in f for f in splits.test_files)
    assert [int("/dogs/" in f) for f in splits.test_files] == y_test.tolist()


def test_one_folder_split_three_ways(root):
    splits = folders.image_datasets(root / "validation", (24, 24), 50, validation_split=0.2, test_split=0.2, verbose=False)
    assert splits.counts == {"train": 600, "validation": 200, "test": 200}
    _, labels = folders.dataset_arrays(splits.validation)
    assert len(labels) == 200 and labels.dtype.kind == "i"


def test_without_cache_the_pipeline_still_works(root):
    splits = folders.image_datasets(root / "validation", (16, 16), 25, validation_split=0.5, cache=False, verbose=False)
    assert splits.counts == {"train": 500, "validation": 500} and splits.test is None
    assert sum(int(x.shape[0]) for x, _ in splits.validation) == 500


def test_training_batches_are_reshuffled_each_epoch(root):
    splits = folders.image_datasets(root / "train", (16, 16), 8, validation_dir=root / "validation", max_train=32, verbose=False)
    first = np.concatenate([np.asarray(x).sum(axis=(1, 2, 3)) for x, _ in splits.train])
    second = np.concatenate([np.asarray(x).sum(axis=(1, 2, 3)) for x, _ in splits.train])
    assert sorted(first) == pytest.approx(sorted(second)), "the same cached images"
    assert not np.allclose(first, second), "in a new order"


def test_bad_folders_give_course_errors(tmp_path, root):
    with pytest.raises(CourseError, match="does not exist"):
        folders.image_datasets(tmp_path / "nowhere", validation_split=0.2)
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "a.jpg").write_bytes(b"")
    with pytest.raises(CourseError, match="sub-folder"):
        folders.image_datasets(tmp_path / "flat", validation_split=0.2)
    with pytest.raises(ValueError, match="exactly one"):
        folders.image_datasets(root / "train", validation_split=0.2, validation_dir=root / "validation")
    with pytest.raises(ValueError, match="training"):
        folders.prepare(None, augmentation=lambda x, training: x)
