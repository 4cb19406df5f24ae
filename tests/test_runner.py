"""The series runner executes notebooks in a fresh kernel and reports each one's key figure."""

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from helpers import runner


def _notebook(path, *sources):
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_a_notebook_that_records_a_result(tmp_path):
    path = _notebook(
        tmp_path / "90_demo.ipynb",
        "import sys; print('I0000 00:00 noise', file=sys.stderr)",
        "from helpers import results\nresults.record('test accuracy', 0.875)",
    )
    row = runner.run_notebook(path, timeout=120, inplace=True)
    assert (row.status, row.metric, row.value) == ("ok", "test accuracy", 0.875)
    saved = nbformat.read(path, as_version=4)
    assert saved.cells[0].outputs == [], "TensorFlow start-up noise is dropped from saved outputs"
    assert "Result: test accuracy = 0.8750" in saved.cells[1].outputs[0]["text"]


def test_a_failing_notebook_is_reported_in_one_line(tmp_path):
    path = _notebook(tmp_path / "91_broken.ipynb", "raise ValueError('the data folder is empty')")
    row = runner.run_notebook(path, timeout=120)
    assert row.status == "failed: ValueError: the data folder is empty"
    assert row.value is None


def test_results_table_and_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "NOTEBOOKS", tmp_path)
    _notebook(tmp_path / "00_a.ipynb", "from helpers import results\nresults.record('images', 70000)")
    _notebook(tmp_path / "01_b.ipynb", "1/0")
    status = runner.main(["--summary", str(tmp_path / "summary.json")])
    out = capsys.readouterr().out
    assert status == 1
    assert "00_a" in out and "images = 70,000" in out and "failed: ZeroDivisionError" in out and "total" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [row["notebook"] for row in summary["notebooks"]] == ["00_a", "01_b"]
    assert summary["profile"] == "quick"
