"""What notebook 06 draws and measures with helpers.transfer_comparison: base timings, the two-phase curves, the prediction grid."""

from __future__ import annotations

import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from helpers import transfer_comparison


@pytest.fixture(scope="module")
def photos(real_dataset):
    """40 real cats and dogs photos at 48x48 (the first 20 of each class of validation/), as a dataset and as arrays."""
    root = real_dataset("cats_and_dogs")
    dataset = keras.utils.image_dataset_from_directory(
        root / "validation", image_size=(48, 48), batch_size=16, label_mode="binary", shuffle=False, verbose=False
    )
    images, labels = (np.concatenate(parts) for parts in zip(*((x.numpy(), y.numpy()) for x, y in dataset)))
    keep = np.r_[0:20, 500:520]  # the folder is sorted: cats first, then dogs
    import tensorflow as tf

    small = tf.data.Dataset.from_tensor_slices((images[keep], labels[keep])).batch(16)
    return small, images[keep], labels[keep]


def _always_dogs(size: int = 48) -> keras.Model:
    """A sigmoid model that says "dogs" with probability 0.88 for every photo."""
    inputs = keras.Input((size, size, 3))
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    out = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(2.0))(x)
    return keras.Model(inputs, out)


def test_time_model_gives_milliseconds_per_image(photos, monkeypatch):
    _, images, _ = photos
    wall_clock, cpu_clock = iter([10.0, 10.8]), iter([5.0, 6.6])  # 0.8 s and 1.6 s of CPU for the timed call on 8 images
    monkeypatch.setattr(transfer_comparison, "time", type("Clock", (), {
        "perf_counter": staticmethod(lambda: next(wall_clock)), "process_time": staticmethod(lambda: next(cpu_clock))}))
    wall, cpu = transfer_comparison.time_model(_always_dogs(), images[:8])
    assert (wall, cpu) == (pytest.approx(100.0), pytest.approx(200.0)), "milliseconds per image, not seconds or a total"


def test_time_bases_builds_each_base_without_weights_and_tabulates_it(photos):
    _, images, _ = photos
    timings = transfer_comparison.time_bases(["MobileNetV2", "VGG16"], images[:2], image_size=(32, 32))
    assert [(t.base, t.input_size) for t in timings] == [("MobileNetV2", (32, 32)), ("VGG16", (32, 32))]
    assert timings[1].parameters == 14_714_688 and timings[0].parameters == 2_257_984, "weights=None, include_top=False"
    assert "[-1, 1]" in timings[0].preprocessing and "BGR" in timings[1].preprocessing
    table = transfer_comparison.timing_table(timings).splitlines()
    assert table[0].split()[:3] == ["base", "input", "parameters"] and set(table[1]) == {"-"}
    rows = [line.split() for line in table[2:]]
    assert [row[:3] for row in rows] == [["MobileNetV2", "32x32", "2,257,984"], ["VGG16", "32x32", "14,714,688"]]
    assert [" ".join(row[5:]) for row in rows] == [t.preprocessing for t in timings], "the last column: preprocess_input"
    figure = transfer_comparison.plot_base_costs(timings)
    assert [text.get_text().strip() for text in figure.axes[0].texts] == ["MobileNetV2 (32 px)", "VGG16 (32 px)"]


def test_plot_phases_joins_both_phases_and_marks_where_fine_tuning_starts():
    head = {"accuracy": [0.8, 0.9, 0.92], "val_accuracy": [0.9, 0.93, 0.94]}
    fine = {"accuracy": [0.93, 0.95], "val_accuracy": [0.95, 0.96]}
    scratch = {"accuracy": [0.5, 0.52, 0.55, 0.56, 0.58], "val_accuracy": [0.5, 0.5, 0.53, 0.55, 0.57]}
    figure = transfer_comparison.plot_phases(head, fine, scratch)
    ax = figure.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["pretrained: validation"].get_ydata(), [90, 93, 94, 95, 96])
    np.testing.assert_allclose(lines["from scratch: validation"].get_ydata(), [50, 50, 53, 55, 57])
    vertical = [line for label, line in lines.items() if label.startswith("_")]
    assert any(np.allclose(line.get_xdata(), 3.5) for line in vertical), "a line between epoch 3 (head) and 4 (fine-tuning)"
    assert "fine-tuning" in ax.texts[0].get_text()


def test_show_predictions_puts_the_mistakes_first_and_counts_them(photos):
    dataset, _, labels = photos
    figure = transfer_comparison.show_predictions(_always_dogs(), dataset, ["cats", "dogs"], count=8, ncols=4)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert len(titles) == 8
    assert all("WRONG: is cats" in title for title in titles[:4]), "up to half the grid: mistakes (every cat, here)"
    assert all(title == "dogs (88%)" for title in titles[4:]), "then correct predictions, with the probability"
    assert f"{int((labels == 0).sum())} mistakes in {len(labels)}" in figure._suptitle.get_text()
    computed = transfer_comparison.show_predictions(None, dataset, ["cats", "dogs"], count=8, ncols=4, predictions=np.full((len(labels), 1), 0.12))
    assert [ax.get_title() for ax in computed.axes if ax.get_title()][4:] == ["cats (88%)"] * 4, "outputs given: no model called"
    assert f"{int((labels == 1).sum())} mistakes" in computed._suptitle.get_text()


def test_plot_phases_without_fine_tuning_and_with_the_frozen_arm():
    head = {"accuracy": [0.8, 0.9], "val_accuracy": [0.85, 0.9]}
    scratch = {"accuracy": [0.5, 0.52, 0.55, 0.56], "val_accuracy": [0.5, 0.5, 0.53, 0.55]}
    ax = transfer_comparison.plot_phases(head, None, scratch).axes[0]
    assert not ax.texts, "no fine-tuning phase, no fine-tuning marker"
    assert list(ax.get_xticks()) == [1, 2, 3, 4], "the ticks reach the longest run, the one from scratch"
    fine = {"accuracy": [0.93, 0.95], "val_accuracy": [0.95, 0.96]}
    frozen = {"accuracy": [0.91, 0.92], "val_accuracy": [0.91, 0.92]}
    lines = {line.get_label(): line for line in transfer_comparison.plot_phases(head, fine, frozen=frozen).axes[0].get_lines()}
    np.testing.assert_allclose(lines["base kept frozen: validation"].get_xdata(), [2, 3, 4])
    np.testing.assert_allclose(lines["base kept frozen: validation"].get_ydata(), [90, 91, 92], err_msg="starts where the head ended")


def test_stop_after_seconds_stops_at_the_first_epoch_past_the_budget(monkeypatch):
    clock = iter([100.0, 101.0, 102.5, 104.0, 105.0])  # train begins at 100; epochs end at 1, 2.5, 4 s
    monkeypatch.setattr(transfer_comparison, "time", type("Clock", (), {"perf_counter": staticmethod(lambda: next(clock))}))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    budget = transfer_comparison.StopAfterSeconds(2.0)
    history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=50, verbose=0, callbacks=[budget])
    assert len(history.history["loss"]) == 2 == budget.epochs_run, "epoch 2 ends at 2.5 s, past the 2 s budget"
    assert budget.seconds_used == pytest.approx(2.5)
