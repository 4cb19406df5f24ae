"""The pure parts of ``benchmarks/``: ratios, tables, the series figure and the JSON file (no timing here)."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pytest

from benchmarks import report, speed

WHEN = datetime.datetime(2026, 1, 5, 14, 30, tzinfo=datetime.UTC)


def test_ratios_and_how_they_are_shown():
    assert report.ratio(6.0, 3.0) == 2.0
    assert report.ratio(1.0, 0.0) is None and report.ratio(None, 2.0) is None
    assert [report.times(x) for x in (2.04, 0.873, None)] == ["2.0x", "0.87x", "-"]
    assert [report.rate(x) for x in (1234.4, 56.78, None)] == ["1,234", "56.8", "-"]
    assert [report.plain(x) for x in ([96, 96], (28, 28, 1), 3000, None, "mini", True)] == [
        "96x96", "28x28x1", "3,000", "-", "mini", "yes",
    ]


def test_table_aligns_numbers_right_and_text_left():
    rows = [{"name": "cats_and_dogs", "images": 3000, "speed": 2.5}, {"name": "flowers", "images": 1000, "speed": None}]
    columns = [("name", "dataset", report.plain), ("images", "images", report.plain), ("speed", "1st/Pillow", report.times)]
    lines = report.format_table(rows, columns).splitlines()
    assert lines[0] == "dataset        images  1st/Pillow"
    assert lines[1] == "-------------  ------  ----------"
    assert lines[2] == "cats_and_dogs   3,000        2.5x"
    assert lines[3] == "flowers         1,000           -"


def test_series_figure_tells_a_partial_run_from_a_whole_one():
    expected = ["00_setup", "01_keras_fundamentals", "02_mnist_cnn"]
    whole = {"profile": "quick", "hardware": "CPU only: test, 2 cores", "notebooks": [
        {"notebook": name, "status": "ok", "seconds": 10.0} for name in expected
    ]}
    figure = report.series_figure(whole, WHEN, expected)
    assert figure["complete"] and figure["seconds"] == 30.0 and figure["missing"] == [] and figure["failed"] == []
    assert report.describe_series(figure).startswith("Series: 3 notebooks in 30 s (quick profile")
    assert "2026-01-05T14:30:00+00:00" in report.describe_series(figure)

    partial = {**whole, "notebooks": [{"notebook": "02_mnist_cnn", "status": "failed: boom", "seconds": 27.0}]}
    figure = report.series_figure(partial, WHEN, expected)
    assert not figure["complete"] and figure["missing"] == expected[:2] and figure["failed"] == ["02_mnist_cnn"]
    assert "holds only 1 notebook(s) (02_mnist_cnn 27 s" in report.describe_series(figure)
    assert "no results/summary.json yet" in report.describe_series(None)


def test_report_is_written_as_json(tmp_path):
    target = tmp_path / "results" / "benchmarks.json"
    data = {"pipeline": [{"images_per_second": np.float32(12.5), "images": np.int64(3)}], "date": WHEN}
    assert report.write_report(data, target) == target
    saved = json.loads(target.read_text())
    assert saved["pipeline"] == [{"images_per_second": 12.5, "images": 3}]
    assert saved["date"] == str(WHEN)
    assert sorted(p.name for p in target.parent.iterdir()) == ["benchmarks.json"]


def test_every_notebook_model_is_benchmarked():
    from helpers import models

    builders = [name for name in speed.MODELS if not name.startswith("MobileNetV2")]
    assert builders == ["mnist_cnn", "cifar_classic_cnn", "cifar_modern_cnn", "cats_dogs_cnn", "folder_cnn", "mnist_strong_cnn"]
    assert all(callable(getattr(models, name)) for name in builders)
    assert all(set(sizes) == {"quick", "full"} for _, _, sizes in speed.MODELS.values())


def test_unknown_part_is_refused_before_anything_runs(capsys):
    with pytest.raises(SystemExit) as stop:
        speed.main(["--only", "pipline"])
    assert stop.value.code == 2
    assert "unknown part 'pipline'" in capsys.readouterr().err


def test_quick_is_the_default(monkeypatch, capsys):
    saved = {}
    monkeypatch.setattr(speed.report, "write_report", lambda results, path: saved.update(results) or path)
    assert speed.main(["--only", "series", "--output", "unused.json"]) == 0
    assert saved["settings"] == {"mode": "quick", **speed.SETTINGS["quick"]}
    assert "Series:" in capsys.readouterr().out


def test_one_call_figures_are_judged_against_the_targets():
    from benchmarks import one_call

    figure = {"part": "train-cli", "command": "python -m helpers.train FOLDER", "chosen": ["Base: MobileNetV2-0.5 ..."],
              "cpu_seconds": 40.0, "wall_seconds": 90.0, "quiet_seconds_estimate": 20.0, "unseen_accuracy": 0.975, "unseen_images": 1000}
    judged = one_call._judged(dict(figure))
    assert judged["meets_target"] and judged["target"] == "<= 30 s on 2 quiet cores, >= 97% unseen"
    # the one formatting test of the figure's line: estimate, CPU and wall seconds, accuracy, images, target and verdict
    assert one_call.describe(judged).splitlines() == [
        "  python -m helpers.train FOLDER", "    Base: MobileNetV2-0.5 ...",
        "    20 s estimated on 2 quiet cores (40 CPU s; 90 s wall here), 97.5% on 1000 unseen images; "
        "target <= 30 s on 2 quiet cores, >= 97% unseen: met",
    ]
    assert one_call._judged({**figure, "quiet_seconds_estimate": 30.0, "unseen_accuracy": 0.97})["meets_target"], "the target itself is met"
    assert not one_call._judged({**figure, "quiet_seconds_estimate": 31.0})["meets_target"], "too slow"
    assert not one_call._judged({**figure, "unseen_accuracy": 0.96})["meets_target"], "not accurate enough"
    # the tutorial's recipe beside it: its time, its accuracy on the same photos, the ratio and the difference
    side = {"recipe": "TensorFlow tutorial", "cpu_seconds": 160.0, "wall_seconds": 300.0, "quiet_seconds_estimate": 80.0, "unseen_accuracy": 0.88}
    lines = one_call.describe({**judged, "tutorial": side, "tutorial_time_ratio": 4.0}).splitlines()
    assert lines[-3:] == ["  beside it, on the same photos, TensorFlow tutorial:",
                          "    80 s estimated on 2 quiet cores (160 CPU s; 300 s wall here), 88.0% on the same 1000 unseen images",
                          "    the one call: 4.0x faster (CPU seconds), +9.5 points on the unseen photos"]
    failed = one_call._judged({**figure, "part": "train-folder", "unseen_accuracy": None, "error": "Traceback\nValueError: boom"})
    assert failed["target"] == "<= 30 s on 2 quiet cores, >= 97% unseen", "each part has its own target"
    assert one_call._judged({**figure, "part": "train-flowers"})["target"] == "<= 90 s on 2 quiet cores, >= 90% unseen"
    lines = one_call.describe(failed).splitlines()
    assert not failed["meets_target"] and lines[-2].endswith(": NOT met") and lines[-1] == "    failed: ValueError: boom"
    assert one_call._first_lines("noise\nSpeed-ups: off\nBase: X\nEpoch 1/8\n") == ["Speed-ups: off", "Base: X"]
    assert set(one_call.TARGETS) <= set(speed.PARTS)


def test_the_closing_line_warns_of_other_work_only_when_the_load_is_above_the_core_count():
    assert "other work slowed" in speed.load_note(2.5, 2)
    assert "other work slowed" not in speed.load_note(1.3, 2)
    assert speed.load_note(1.3, 2) == "load average at the end 1.3 on 2 cores."
