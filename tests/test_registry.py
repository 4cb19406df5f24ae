import re
from pathlib import Path

import pytest

from helpers.data.registry import DATASETS, Archive, get_dataset
from helpers.errors import CourseError, TrainSettingError


def archives():
    for info in DATASETS.values():
        for archive in (info.full, info.mini):
            if archive is not None:
                yield info, archive


def test_the_five_course_datasets_are_registered():
    assert sorted(DATASETS) == ["caltech101", "cats_and_dogs", "cifar10", "flower_photos", "mnist"]


@pytest.mark.parametrize("info,archive", list(archives()), ids=lambda x: getattr(x, "filename", getattr(x, "name", "")))
def test_every_archive_has_usable_checksums_and_a_source(info, archive):
    assert archive.hashes, "an archive without a checksum could never be verified"
    for digest in archive.hashes:
        assert re.fullmatch(r"[0-9a-f]{32}|[0-9a-f]{64}", digest), f"an md5 or sha256 in lowercase hex, not {digest!r}"
    if archive is info.full:
        assert archive.origins and all(o.startswith("https://") for o in archive.origins)
    assert archive.images > 0


def test_caltech_uses_the_current_caltechdata_release():
    assert "data.caltech.edu" in DATASETS["caltech101"].full.origins[0]


@pytest.mark.parametrize(
    "fname,extract,cache,extracted",
    [
        ("cats_and_dogs.zip", True, "cats_and_dogs.zip", "cats_and_dogs_extracted"),
        ("flower_photos", True, "flower_photos_archive", "flower_photos"),
        ("cifar-10-batches-py-target", True, "cifar-10-batches-py-target_archive", "cifar-10-batches-py-target"),
        ("mnist.npz", False, "mnist.npz", None),
    ],
)
def test_cache_names_follow_keras_get_file(fname, extract, cache, extracted):
    archive = Archive(filename="x", keras_fname=fname, origins=(), hashes=("0" * 64,), images=1, size=1, extract=extract)
    assert archive.cache_name == cache
    if extracted:
        assert archive.extracted_name == extracted


def test_registry_checksums_agree_with_the_mirror_sha256sums(course_mirror: Path):
    listed = {}
    for sums in course_mirror.glob("*/SHA256SUMS"):
        for line in sums.read_text().splitlines():
            digest, name = line.split()
            listed[name] = digest
    assert listed, "the mirror lists its files in SHA256SUMS"
    minis = {info.mini.filename: info.mini.hashes for info in DATASETS.values() if info.mini}
    for name, digest in listed.items():
        assert digest in minis[name], f"{name}: registry and mirror disagree"


def test_unknown_dataset_lists_the_known_ones():
    """The one wording test of this message: the name asked for, and the names to use instead."""
    with pytest.raises(CourseError, match=rf"There is no dataset called 'imagenet'.*; the course knows: {', '.join(DATASETS)}\.$"):
        get_dataset("imagenet")


def test_asking_for_a_missing_mini_says_which_exist():
    with pytest.raises(TrainSettingError, match=r"^mnist has no 'mini' archive; use variant='full'\.$"):
        DATASETS["mnist"].archive("mini")
    with pytest.raises(TrainSettingError, match=r"^cifar10 has no 'tiny' archive; use variant='full' or 'mini'\.$"):
        DATASETS["cifar10"].archive("tiny")


def test_one_list_of_image_suffixes_and_one_count():
    from helpers.data import folders, registry

    assert folders.READABLE_SUFFIXES is registry.KERAS_SUFFIXES
    names = ["a/1.JPG", "a/2.webp", "a/3.tiff", "a/notes.txt", "a/4.png"]
    assert registry.count_image_names(names) == 4
    assert registry.count_image_names(names, registry.KERAS_SUFFIXES) == 2
    assert not registry.is_image_name("archive.zip") and registry.is_image_name("photo.Jpeg")


def test_registry_table_names_every_archive_and_hides_no_unknown_size():
    from helpers.data.summary import registry_table

    lines = registry_table().splitlines()
    rows = {line.split()[0]: line for line in lines[2:]}
    assert sorted(rows) == sorted(DATASETS), "one row per dataset, after the header and its rule"
    assert "?" not in registry_table(), "a size the publisher did not state is said in words"
    assert "9,146 img, size not published" in rows["caltech101"]
    assert "3,000 img, 68 MB" in rows["cats_and_dogs"]
