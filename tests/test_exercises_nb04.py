"""Notebook 04's exercises: each right answer passes, each typical mistake is named."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers.evaluate import Evaluation
from helpers.exercises import ____, nb04
from exercise_checks import bad, ok


def folder_like_dataset(size=(150, 150), batch=20, labels="binary", names=("cats", "dogs"), folder="train"):
    """A batched dataset with the element spec and attributes of image_dataset_from_directory's (checker test only)."""
    y = np.zeros((40, 1), "float32") if labels == "binary" else np.zeros((40,), "int32")
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros((40, *size, 3), "float32"), y)).batch(batch)
    dataset.class_names = list(names)
    dataset.file_paths = [f"data/{folder}/cats/cat.{i}.jpg" for i in range(40)]
    return dataset


def test_nb04():
    ok(nb04.ex1, 1_049_088)  # 96 -> 94 -> 47 -> 45 -> 22 -> 20 -> 10 -> 8 -> 4: (4 * 4 * 128) * 512 + 512
    ok(nb04.ex1, 1_049_088.0)
    assert "also has a bias" in bad(nb04.ex1, 1_048_576)
    assert "how many numbers Flatten gives" in bad(nb04.ex1, 2_048)
    assert "first trims 2 pixels" in bad(nb04.ex1, 6 * 6 * 128 * 512 + 512)  # "same" padding: 96 -> 48 -> 24 -> 12 -> 6
    assert "of the 64x64 network" in bad(nb04.ex1, 262_656)
    assert "of the 150x150 network" in bad(nb04.ex1, 3_211_776)
    assert "the whole network" in bad(nb04.ex1, 1_147_041)
    assert "Trace the image size" in bad(nb04.ex1, 12_345)
    assert "should be a number" in bad(nb04.ex1, "1049088 parameters")

    ok(nb04.ex2, folder_like_dataset())
    assert "label_mode=\"binary\"" in bad(nb04.ex2, folder_like_dataset(labels="int"))
    assert "256x256 is the default" in bad(nb04.ex2, folder_like_dataset(size=(256, 256)))
    assert "32 is the default" in bad(nb04.ex2, folder_like_dataset(batch=32))
    assert "the classes are ['train', 'validation']" in bad(nb04.ex2, folder_like_dataset(names=("train", "validation")))
    assert "validation/" in bad(nb04.ex2, folder_like_dataset(folder="validation"))

    def generator(rotation=20 / 360, shift=(0, 0.1), fill="nearest", flip="horizontal", extra=()):
        return keras.Sequential([layers.RandomRotation(rotation, fill_mode=fill), layers.RandomTranslation(*shift, fill_mode=fill),
                                 layers.RandomFlip(flip), *extra])

    ok(nb04.ex3, generator())
    ok(nb04.ex3, list(reversed(generator().layers)))
    assert "radians" in bad(nb04.ex3, generator(rotation=np.radians(20)))
    assert "half turns" in bad(nb04.ex3, generator(rotation=20 / 180))
    assert "height_factor first" in bad(nb04.ex3, generator(shift=(0.1, 0)))
    assert "also shifts up and down" in bad(nb04.ex3, generator(shift=(0.1, 0.1)))  # the swapped-factors message names height_factor=0 too
    assert "\"nearest\"" in bad(nb04.ex3, generator(fill="reflect"))
    assert "upside down" in bad(nb04.ex3, generator(flip="horizontal_and_vertical"))
    assert "not asked for" in bad(nb04.ex3, generator(extra=[layers.RandomZoom(0.1)]))
    assert "Rescaling out" in bad(nb04.ex3, generator(extra=[layers.Rescaling(1 / 255)]))
    assert "add a RandomFlip" in bad(nb04.ex3, generator().layers[:2])
    assert "keras.Sequential" in bad(nb04.ex3, 20 / 360)
