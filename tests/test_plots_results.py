import json

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from helpers import plots
from helpers.course import results
from helpers.evaluate import Evaluation


def _evaluation():
    return Evaluation(np.array([0, 1, 1]), np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]), ["cat", "dog"])


def test_show_images_titles_with_class_names():
    images = np.zeros((5, 8, 8, 1), dtype=np.uint8)
    fig = plots.show_images(images, [0, 1, 1, 0, 1], class_names=["cat", "dog"], ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["cat", "dog", "dog", "cat", "dog"] and len(fig.axes) == 6


def test_plot_history_draws_training_and_validation():
    fig = plots.plot_history({"accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6], "loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    assert [ax.get_title() for ax in fig.axes] == ["accuracy", "loss"]
    assert all(len(ax.get_lines()) == 2 for ax in fig.axes)


def test_confusion_matrix_and_mistakes_plots():
    fig = plots.plot_confusion_matrix(_evaluation())
    assert "Confusion" in fig.axes[0].get_title()
    fig = plots.plot_mistakes(np.zeros((3, 8, 8), dtype=np.uint8), _evaluation())
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["dog → cat (70%)"]


def test_record_prints_and_saves_for_the_runner(tmp_path, monkeypatch, capsys):
    target = tmp_path / "r.json"
    monkeypatch.setenv(results.RESULTS_ENV, str(target))
    results.record("test accuracy", 0.98765, epochs=3)
    assert "Result: test accuracy = 0.9877" in capsys.readouterr().out
    assert json.loads(target.read_text()) == {"metric": "test accuracy", "value": 0.98765, "epochs": 3}
    monkeypatch.delenv(results.RESULTS_ENV)
    results.record("images", 70000)
    assert "images = 70,000" in capsys.readouterr().out


def test_record_keeps_numpy_details_as_json_numbers(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    monkeypatch.setenv(results.RESULTS_ENV, str(target))
    results.record("ensemble test accuracy", np.float32(0.75), members=np.int64(5), errors=np.array([0.1, 0.2]), note=None)
    assert json.loads(target.read_text()) == {"metric": "ensemble test accuracy", "value": 0.75, "members": 5, "errors": [0.1, 0.2], "note": None}


def test_format_figure_shows_accuracies_as_percentages_and_counts_with_commas():
    assert results.format_figure("test_accuracy", 0.628) == "62.8%"
    assert results.format_figure("ensemble test accuracy", 0.9761) == "97.61%"
    assert results.format_figure("standard_error", 0.0049) == "0.5%"
    assert results.format_figure("train_images", 20000) == "20,000"
    assert results.format_figure("train_seconds", 57.4) == "57 s"
    assert results.format_figure("image_size", 96) == "96" and results.format_figure("method", "bagging") == "bagging"
    assert results.describe({"metric": "images", "value": 70000.0, "details": {}}) == "images 70,000"
    row = {"metric": "test accuracy", "value": 0.5, "details": {"epochs": 4, "scratch_accuracy": 0.61}}
    assert results.describe(row, only=lambda name: "accuracy" in name) == "test accuracy 50.0% (scratch accuracy 61.0%)"
    row = {"metric": "test accuracy", "value": 0.6, "details": {"seconds_to_target": None, "target": 0.55}}
    assert results.describe(row) == "test accuracy 60.0% (target 55.0%)"
    row = {"metric": "test accuracy", "value": 0.6, "details": {"test_accuracy": 0.6, "epochs": 3}}
    assert results.describe(row) == "test accuracy 60.0% (epochs 3)"


def test_plot_histories_draws_every_run_on_one_axis():
    fig = plots.plot_histories({"classic": {"accuracy": [0.3, 0.5], "val_accuracy": [0.3, 0.4]}, "modern": {"accuracy": [0.4, 0.6]}})
    assert len(fig.axes) == 1
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["classic, training", "classic, validation", "modern, training"]


def test_plot_per_class_accuracy_has_a_bar_per_class_and_model():
    fig = plots.plot_per_class_accuracy({"a": _evaluation(), "b": _evaluation()})
    bars = fig.axes[0].patches
    assert len(bars) == 4 and sorted(round(bar.get_height()) for bar in bars) == [50, 50, 100, 100]
    assert fig.axes[0].get_ylim() == (0, 100)


def test_standard_errors_of_an_accuracy_and_of_a_paired_gain():
    from helpers import evaluate

    y = np.array([0, 1] * 500)
    plain = Evaluation(y, np.eye(2)[np.where(np.arange(1000) < 600, y, 1 - y)], ["a", "b"])  # 60% right
    assert abs(evaluate.accuracy_standard_error(plain) - np.sqrt(0.6 * 0.4 / 1000)) < 1e-12
    better = Evaluation(y, np.eye(2)[np.where(np.arange(1000) < 620, y, 1 - y)], ["a", "b"])  # 20 more right, none lost
    gain, error = evaluate.paired_gain(plain, better)
    assert abs(gain - 0.02) < 1e-12
    assert abs(error - np.std(np.r_[np.zeros(980), np.ones(20)], ddof=1) / np.sqrt(1000)) < 1e-12
    assert error < evaluate.accuracy_standard_error(plain), "paired: smaller than either accuracy's own error"
    with pytest.raises(ValueError, match="same images"):
        evaluate.paired_gain(plain, _evaluation())


def test_a_gain_in_standard_errors_when_two_models_agree_on_every_image():
    """Two models right on the same images have a paired error of 0 (it crashed 03's full profile)."""
    from helpers import evaluate

    same = _evaluation()
    gain, error = evaluate.paired_gain(same, same)
    assert (gain, error) == (0.0, 0.0)
    assert evaluate.in_standard_errors(gain, error) == 0.0
    assert evaluate.in_standard_errors(0.02, 0.01) == pytest.approx(2.0)
    assert evaluate.in_standard_errors(-0.01, 0.0) == -np.inf
