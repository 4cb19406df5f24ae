"""The registry of ImageNet weight files: the three light files served offline, checked by sha256."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from helpers import errors
from helpers.course.pack_index import LIGHT_BASES
from helpers.data import weights

LIGHT = ("MobileNetV2-0.35", "MobileNetV2-0.5", "MobileNet-0.25")


def test_the_light_entries_are_the_official_files_with_their_sha256():
    assert LIGHT_BASES == LIGHT
    for name in LIGHT:
        archive = weights.weight_file(name)
        assert archive.origins[0].startswith("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet")
        assert len(archive.hashes) == 1 and len(archive.hashes[0]) == 64 and 2_000_000 < archive.size < 3_300_000


@pytest.mark.parametrize("name", LIGHT)
def test_the_cached_light_file_matches_the_registry(name):
    path = weights.weights_path(name)
    if not path.exists():
        pytest.skip("the light ImageNet weight files are not in this Keras cache")
    assert weights.weights_cached(name)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == weights.weight_file(name).hashes[0]
    assert weights.fetch_weights(name) == path


def test_a_wrong_copy_in_a_mirror_is_refused_in_one_sentence(empty_cache, tmp_path, monkeypatch):
    archive = weights.weight_file("MobileNetV2-0.35")
    dead_origin = dataclasses.replace(archive, origins=(f"http://127.0.0.1:9/{archive.filename}",))  # never downloads
    monkeypatch.setitem(weights.IMAGENET_WEIGHTS, "MobileNetV2-0.35", dead_origin)
    wrong = tmp_path / "mirror" / "models" / archive.filename
    wrong.parent.mkdir(parents=True)
    wrong.write_bytes(b"\0" * archive.size)  # the right size, the wrong bytes: only the sha256 can tell
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(errors.WeightsUnavailableError) as error:
        weights.fetch_weights("MobileNetV2-0.35")
    assert archive.filename in str(error.value) and "COURSE_DATA_MIRROR" in str(error.value) and "\n" not in str(error.value)
    assert not (empty_cache / "models" / archive.filename).exists()


def test_a_base_without_imagenet_weights_says_what_to_do():
    """The one wording test of this message; the other tests check its class (TrainSettingError, a CourseError)."""
    with pytest.raises(errors.TrainSettingError) as error:
        weights.weight_file("cifar10_cnn")
    message = str(error.value)
    wrong, _, to_do = message.partition(": pass ")
    assert wrong.startswith("The cifar10_cnn base has no ImageNet weights"), "what went wrong, with the base named"
    assert wrong.endswith(f"(the course has them for {', '.join(weights.IMAGENET_WEIGHTS)})"), "the bases that do have them"
    assert "weights= a weights file of its own (transfer.save_base writes one" in to_do and "weights=None to train it from scratch" in to_do
    with pytest.raises(errors.TrainSettingError, match="MobileNetV2-0.35"):  # a name the course does not know: the same error
        weights.weight_file("MobileNetV3")
