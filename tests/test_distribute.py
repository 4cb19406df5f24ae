"""Several devices: the linear scaling rule, and a real two-replica MirroredStrategy run on the CPU.

The CPU is split into two logical devices, which TensorFlow allows only before it initialises,
so that run happens in a fresh Python process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from helpers import distribute


def test_scaled_settings_follow_the_linear_scaling_rule():
    assert distribute.scaled_settings(32, 1e-3, 1) == (32, 1e-3)
    batch, rate = distribute.scaled_settings(32, 1e-3, 8)
    assert batch == 256 and rate == pytest.approx(8e-3)
    with pytest.raises(ValueError, match="^replicas must be 1 or more, not 0$"):
        distribute.scaled_settings(32, 1e-3, 0)
    lines = distribute.scaling_table(64, 1e-3).splitlines()
    assert lines[0].split() == ["replicas", "batch", "per", "replica", "global", "batch", "learning", "rate"]
    assert [line.split() for line in lines[1:]] == [["1", "64", "64", "0.001"], ["2", "64", "128", "0.002"],
                                                  ["4", "64", "256", "0.004"], ["8", "64", "512", "0.008"]]
    assert distribute.replicas(None) == 1


TWO_REPLICAS = textwrap.dedent('''
    import json
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)  # before TF starts

    import dataclasses
    import keras
    import numpy as np
    from helpers import distribute, train
    from helpers.data import download, folders

    def small(shape, classes):  # no batch norm, no dropout: each replica's share of the batch gives exactly its part of the gradient
        return keras.Sequential([keras.Input(shape), keras.layers.Rescaling(1 / 255), keras.layers.Conv2D(8, 3, strides=2, activation="relu"),
                                 keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(classes, activation="softmax", dtype="float32")])

    splits = folders.image_datasets(download.fetch("caltech101", verbose=False), (32, 32), 32, validation_split=0.2,
                                 classes=["crab", "cup"], verbose=False)
    # One fixed order of the real training images: a strategy rebuilds the tf.data pipeline for its devices,
    # so a reshuffling dataset would not give both runs the same batches.
    x, y = folders.dataset_arrays(splits.train)
    splits = dataclasses.replace(splits, train=tf.data.Dataset.from_tensor_slices((x, y)).batch(32))

    def run(strategy):
        keras.utils.set_random_seed(0)
        return train.fit_and_evaluate(splits, model=small, epochs=3, patience=10, learning_rate=1e-2, strategy=strategy, verbose=0)

    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    single, double = run(None), run(mirrored)
    keras.utils.set_random_seed(0)
    initial = small((32, 32, 3), 2).get_weights()
    kernel = double.model.weights[0].value  # a MirroredVariable: one copy per replica
    copies = [np.asarray(copy) for copy in kernel.values]
    print(json.dumps({
        "replicas": mirrored.num_replicas_in_sync,
        "devices": distribute.device_names(mirrored),
        "copy_devices": [copy.device.split("/")[-1] for copy in kernel.values],
        "copies_equal": bool(np.array_equal(copies[0], copies[1])),
        "moved": float(np.abs(copies[1] - initial[0]).max()),
        "single_loss": single.history.history["loss"], "double_loss": double.history.history["loss"],
        "weight_gap": max(float(np.abs(a - b).max()) for a, b in zip(single.model.get_weights(), double.model.get_weights())),
        "accuracy": [single.metrics["validation_accuracy"], double.metrics["validation_accuracy"]],
    }))
''')


def test_two_replicas_train_like_one_device(dataset_here):
    dataset_here("caltech101")  # the child process reads it from the Keras cache or a mirror, never the public origin
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", TWO_REPLICAS], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["replicas"] == 2 and facts["devices"] == ["CPU:0", "CPU:1"]
    assert facts["copy_devices"] == ["device:CPU:0", "device:CPU:1"], "one copy of each weight on each device"
    assert facts["copies_equal"] and facts["moved"] > 1e-3, "both copies trained, and stayed identical"
    # Same seed, same global batch of 32 (16 per replica), same order: the two runs differ only by float32 rounding
    # (two half-batch gradients summed across devices instead of one sum). Measured: about 1e-7 on the losses and 2e-6
    # on the weights; the tolerances leave 50x room, while a replica that skipped its half of the batch, or a loss
    # reduced the wrong way, moves them by 1e-2 or more.
    assert facts["single_loss"] == pytest.approx(facts["double_loss"], abs=1e-5)
    assert facts["weight_gap"] < 1e-4
    assert facts["accuracy"][0] == facts["accuracy"][1]
