"""The TensorFlow tutorial's recipe, in plain Keras, for the side-by-side run of :mod:`benchmarks.one_call`.

TensorFlow's "Transfer learning and fine-tuning" tutorial (tensorflow.org/tutorials/images/transfer_learning),
as written there, on the same photos and base as the one call's comparison: MobileNetV2 with
alpha 0.35 at 160x160 px (the light ImageNet weights the course serves), random flips and
rotations inside the model, the frozen base under global average pooling, dropout 0.2 and one logit; 10 epochs with Adam at 1e-4, then the base unfrozen from
layer 100 on and 10 more epochs with RMSprop at 1e-5. The folder is split as the one call splits
it (20% for validation, seed 42), so both train on the same photos.

Run as ``python -m benchmarks.tutorial_recipe FOLDER UNSEEN``: it trains on ``FOLDER``, then measures
the accuracy on ``UNSEEN`` (a folder of the same class sub-folders, photos neither saw) and prints one
``RESULT {json}`` line: the wall and CPU seconds of training (from the process's start, imports
included, as the one call's command is timed) and the unseen accuracy.
"""

from __future__ import annotations

import json
import sys
import time

import keras

from helpers.data.weights import fetch_weights  # only where the weight file is: the recipe below is plain Keras

IMAGE_SIZE = (160, 160)
BATCH_SIZE = 32
INITIAL_EPOCHS = 10
FINE_TUNE_EPOCHS = 10
FINE_TUNE_AT = 100
BASE_LEARNING_RATE = 1e-4


def main(folder: str, unseen: str) -> dict:
    """Train the tutorial's model on ``folder``, then measure it on ``unseen``; return the figures."""
    keras.utils.set_random_seed(42)
    train_dataset, validation_dataset = keras.utils.image_dataset_from_directory(
        folder, validation_split=0.2, subset="both", seed=42, shuffle=True, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE, verbose=False)
    train_dataset = train_dataset.prefetch(-1)
    validation_dataset = validation_dataset.prefetch(-1)

    data_augmentation = keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.2)])
    preprocess_input = keras.applications.mobilenet_v2.preprocess_input
    base_model = keras.applications.MobileNetV2(input_shape=IMAGE_SIZE + (3,), include_top=False, alpha=0.35,
                                                weights=str(fetch_weights("MobileNetV2-0.35")))
    base_model.trainable = False

    inputs = keras.Input(shape=IMAGE_SIZE + (3,))
    x = data_augmentation(inputs)
    x = preprocess_input(x)
    x = base_model(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=BASE_LEARNING_RATE),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    history = model.fit(train_dataset, epochs=INITIAL_EPOCHS, validation_data=validation_dataset, verbose=2)

    base_model.trainable = True
    for layer in base_model.layers[:FINE_TUNE_AT]:
        layer.trainable = False
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.RMSprop(learning_rate=BASE_LEARNING_RATE / 10),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    history_fine = model.fit(train_dataset, epochs=INITIAL_EPOCHS + FINE_TUNE_EPOCHS, initial_epoch=len(history.epoch),
                             validation_data=validation_dataset, verbose=2)
    trained_cpu, trained_at = time.process_time(), time.time()

    unseen_dataset = keras.utils.image_dataset_from_directory(unseen, shuffle=False, batch_size=64, image_size=IMAGE_SIZE, verbose=False)
    _, accuracy = model.evaluate(unseen_dataset, verbose=0)
    return {"trained_at": trained_at, "cpu_seconds": round(trained_cpu, 1), "unseen_accuracy": float(accuracy),
            "validation_accuracy": float(history_fine.history["val_accuracy"][-1])}


if __name__ == "__main__":
    print("RESULT " + json.dumps(main(sys.argv[1], sys.argv[2])), flush=True)
