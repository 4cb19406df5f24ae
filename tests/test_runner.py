"""The series runner executes notebooks in a fresh kernel and reports each one's key figure."""

import json
import re

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from helpers.course import results, runner


def _notebook(path, *sources):
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def _block(text, name):
    """The lines between ``<!-- readme:NAME -->`` and ``<!-- /readme:NAME -->``."""
    match = re.search(rf"<!-- readme:{name} -->\n(.*?)<!-- /readme:{name} -->", text, re.S)
    assert match, f"the {name} block and its markers are kept"
    return match.group(1).splitlines()


def _table(text, name):
    """The markdown table of a README block as {first cell: {header: cell}}; each row must read ``| a | b |``."""
    rows = [line for line in _block(text, name) if line.startswith("|") and not set(line) <= set("|-: ")]
    parsed = []
    for line in rows:
        match = re.fullmatch(r"\| (.*) \|", line)
        assert match, f"a markdown row with one space inside each bar: {line!r}"
        parsed.append(match.group(1).split(" | "))
    header, body = parsed[0], parsed[1:]
    assert all(len(cells) == len(header) for cells in body), "every row has one cell per column"
    return {cells[0]: dict(zip(header, cells)) for cells in body}


def test_a_notebook_that_records_a_result(tmp_path):
    path = _notebook(
        tmp_path / "90_demo.ipynb",
        "import sys; print('I0000 00:00 noise', file=sys.stderr)",
        "from helpers.course import results\nresults.record('test accuracy', 0.875)",
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
    _notebook(tmp_path / "00_a.ipynb", "from helpers.course import results\nresults.record('images', 70000)")
    _notebook(tmp_path / "01_b.ipynb", "1/0")
    status = runner.main(["--summary", str(tmp_path / "summary.json")])
    out = capsys.readouterr().out
    assert status == 1
    assert "00_a" in out and "images = 70,000" in out and "failed: ZeroDivisionError" in out and "total" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [row["notebook"] for row in summary["notebooks"]] == ["00_a", "01_b"]
    assert summary["profile"] == "quick"


def test_every_recorded_detail_reaches_the_summary_and_a_partial_run_keeps_the_other_rows(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "NOTEBOOKS", tmp_path)
    summary_path = tmp_path / "summary.json"
    _notebook(tmp_path / "00_a.ipynb", "from helpers.course import results\nresults.record('images', 70000)")
    _notebook(
        tmp_path / "01_b.ipynb",
        "import numpy as np\nfrom helpers.course import results\n"
        "results.record('test accuracy', np.float32(0.625), epochs=6, gap_with_augmentation=np.float64(0.031), method='average')",
    )
    assert runner.main(["--summary", str(summary_path)]) == 0
    first = json.loads(summary_path.read_text())
    row = first["notebooks"][1]
    assert row["details"] == {"epochs": 6, "gap_with_augmentation": 0.031, "method": "average"}
    assert row["profile"] == "quick" and row["hardware"] and row["date"]
    assert first["series"]["notebooks"] == 2 and first["series"]["wall_seconds"] > 0
    out = capsys.readouterr().out
    assert f"  01_b: {results.describe(row)}" in out.splitlines(), "the printed details are the summary's"

    _notebook(tmp_path / "01_b.ipynb", "from helpers.course import results\nresults.record('test accuracy', 0.5)")
    assert runner.main(["--only", "01", "--summary", str(summary_path)]) == 0
    second = json.loads(summary_path.read_text())
    assert [row["notebook"] for row in second["notebooks"]] == ["00_a", "01_b"], "the row of 00 is kept"
    assert second["notebooks"][0] == first["notebooks"][0]
    assert second["notebooks"][1]["value"] == 0.5 and second["notebooks"][1]["details"] == {}
    assert second["series"] == first["series"], "a partial run does not replace the series' wall time"


def test_saved_outputs_are_recorded_apart_from_a_learners_run(tmp_path, monkeypatch):
    """`make run` writes results/summary.json; `make outputs` (--inplace) writes the committed record, and rows share a run id."""
    monkeypatch.setattr(runner, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(runner, "RUN_SUMMARY", tmp_path / "results" / "summary.json")
    monkeypatch.setattr(runner, "OUTPUTS_SUMMARY", tmp_path / "outputs_summary.json")
    _notebook(tmp_path / "00_a.ipynb", "from helpers.course import results\nresults.record('images', 7)")
    _notebook(tmp_path / "01_b.ipynb", "from helpers.course import results\nresults.record('images', 8)")
    assert runner.main([]) == 0
    assert (tmp_path / "results" / "summary.json").is_file() and not (tmp_path / "outputs_summary.json").exists()
    assert runner.main(["--inplace"]) == 0
    record = json.loads((tmp_path / "outputs_summary.json").read_text())
    runs = {row["run"] for row in record["notebooks"]}
    assert len(runs) == 1 and runs == {record["series"]["run"]}, "one run id for every row of one run, and for the series"
    assert runner.main(["--inplace", "--only", "01"]) == 0
    later = json.loads((tmp_path / "outputs_summary.json").read_text())
    assert later["notebooks"][0]["run"] == record["series"]["run"] != later["notebooks"][1]["run"], "a partial run shows as another run"


def test_learner_mode_runs_without_the_mirror_and_the_test_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "NOTEBOOKS", tmp_path)
    monkeypatch.setenv("COURSE_DATA_MIRROR", "/somewhere/course_data")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    path = _notebook(
        tmp_path / "00_env.ipynb",
        "import os\nprint('COURSE_DATA_MIRROR' in os.environ, os.environ.get('KERAS_HOME'))",
    )
    assert runner.main(["--learner", "--inplace", "--summary", str(tmp_path / "s.json")]) == 0
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"] == "False None\n"
    assert "COURSE_DATA_MIRROR" not in runner.os.environ


def test_readme_command_rewrites_the_generated_tables(tmp_path, capsys):
    summary = {
        "profile": "quick", "hardware": "CPU only: AMD EPYC, 2 cores",
        "series": {"profile": "quick", "hardware": "CPU only: AMD EPYC, 2 cores", "notebooks": 1, "wall_seconds": 75.0,
                   "seconds_inside": 70.0, "date": "2026-12-02"},
        "notebooks": [{"notebook": "00_setup", "status": "ok", "metric": "test accuracy", "value": 0.9471, "seconds": 12.3,
                       "details": {"epochs": 4}, "profile": "quick", "hardware": "CPU only: AMD EPYC, 2 cores", "date": "2026-12-02"}],
    }
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    readme = tmp_path / "README.md"
    readme.write_text(
        "<!-- readme:notebooks -->\n| # | notebook | result (quick, CPU) | result (full) |\n|---|---|---|---|\n"
        "| 00 | Setup | 50% | 99.3% (target) |\n| 01 | Other | 20% | - |\n<!-- /readme:notebooks -->\n"
        "<!-- readme:results -->\nold\n<!-- /readme:results -->\n"
        "<!-- readme:timings -->\n| notebook | seconds to run | what the waiting is |\n|---|---|---|\n"
        "| 00 setup | 6 | loading MNIST |\n<!-- /readme:timings -->\n"
    )
    assert runner.main(["--summary", str(tmp_path / "summary.json"), "--readme", str(readme)]) == 0
    text = readme.read_text()
    notebooks = _table(text, "notebooks")
    assert notebooks["00"]["result (quick, CPU)"] == "test accuracy 94.7%", "the quick column shows the accuracy"
    assert notebooks["00"]["result (full)"] == "99.3% (target)", "the other columns are left as they were"
    assert notebooks["01"] == {"#": "01", "notebook": "Other", "result (quick, CPU)": "20%", "result (full)": "-"}, (
        "a notebook without a row in the summary keeps its text"
    )
    recorded = _table(text, "results")
    assert list(recorded) == ["00_setup"] and recorded["00_setup"] == {
        "notebook": "00_setup", "profile": "quick", "hardware": "CPU only: AMD EPYC, 2 cores",
        "key figures": "test accuracy 94.7% (epochs 4)", "seconds": "12", "run on": "2026-12-02",
    }
    timings = _table(text, "timings")
    assert timings["00 setup"]["seconds to run"] == "12" and timings["00 setup"]["what the waiting is"] == "loading MNIST"
    assert "old" not in _block(text, "results"), "the results block is replaced as a whole"
    # The one formatting test of the series sentence: wall time as minutes and seconds, time inside the notebooks, hardware, date.
    assert _block(text, "results")[0] == (
        "The whole quick series took **1 min 15 s** (70 s inside the notebooks) on CPU only: AMD EPYC, 2 cores, on 2026-12-02."
    )

    readme.write_text("no markers here\n")
    assert runner.main(["--summary", str(tmp_path / "summary.json"), "--readme", str(readme)]) == 1
    message = capsys.readouterr().out
    assert "has no <!-- readme:notebooks -->" in message and "put the markers back" in message, "what is missing, what to do"
    assert readme.read_text() == "no markers here\n", "a README without its markers is not rewritten"
    assert runner.main(["--summary", str(tmp_path / "missing.json"), "--readme", str(readme)]) == 1
    message = capsys.readouterr().out
    assert "No readable missing.json" in message and "run `make outputs` first" in message, "what is missing, what to do"


def test_the_log_says_which_speed_ups_each_notebook_trained_with():
    """``make smoke`` forces mixed precision and XLA: each notebook's line in the log says what its banner said."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("show_profile()")])
    notebook.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=(
        "Profile: full\nSpeed-ups: mixed precision on, XLA on (COURSE_SPEEDUPS=on: forced, as on a recent GPU)\n"))]
    assert runner.banner_speed_ups(notebook) == "mixed precision on, XLA on"
    assert runner.banner_speed_ups(nbformat.v4.new_notebook()) == ""


def test_forced_speed_ups_that_a_banner_does_not_report_on_fail_the_run(monkeypatch):
    """``make smoke`` is for the GPU code path: a notebook whose banner says a speed-up is off (or has none) fails it."""
    monkeypatch.setenv("COURSE_SPEEDUPS", "on")
    assert runner.speed_ups_not_on("mixed precision on, XLA on") == ""
    assert runner.speed_ups_not_on("混合精度开启，XLA 开启") == ""
    assert "banner printed 'Speed-ups: mixed precision on, XLA off'" in runner.speed_ups_not_on("mixed precision on, XLA off")
    assert runner.speed_ups_not_on("混合精度关闭，XLA 开启").startswith("failed: COURSE_SPEEDUPS=on")
    assert "no Speed-ups line" in runner.speed_ups_not_on("")
    monkeypatch.setenv("COURSE_SPEEDUPS", "auto")
    assert runner.speed_ups_not_on("") == "" and runner.speed_ups_not_on("mixed precision off, XLA off") == ""


def test_the_chinese_edition_runs_its_own_notebooks_into_its_own_record(tmp_path, monkeypatch):
    """COURSE_LANGUAGE=zh_CN: notebooks/zh_CN only, its own outputs record and README.zh-CN.md's results block, in Chinese."""
    monkeypatch.setattr(runner, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(runner, "REPO", tmp_path)
    monkeypatch.setattr(runner, "RUN_SUMMARY", tmp_path / "results" / "summary.json")
    monkeypatch.setattr(runner, "OUTPUTS_SUMMARY", tmp_path / "outputs_summary.json")
    (tmp_path / "zh_CN").mkdir()
    _notebook(tmp_path / "00_a.ipynb", "raise RuntimeError('the English notebook must not run')")
    _notebook(tmp_path / "zh_CN" / "00_a.ipynb", "import os\nfrom helpers.course import results\nresults.record('images', 7)\n"
                                                 "assert os.environ['COURSE_LANGUAGE'] == 'zh_CN'")
    monkeypatch.setenv("COURSE_LANGUAGE", "zh_CN")
    assert runner.main(["--inplace"]) == 0
    record = json.loads((tmp_path / "zh_CN" / "outputs_summary.json").read_text())
    assert [row["notebook"] for row in record["notebooks"]] == ["00_a"] and not (tmp_path / "outputs_summary.json").exists()
    (tmp_path / "README.zh-CN.md").write_text("# 中文\n\n<!-- readme:results -->\n旧的\n<!-- /readme:results -->\n")
    assert runner.main(["--readme"]) == 0
    block = "\n".join(_block((tmp_path / "README.zh-CN.md").read_text(), "results"))
    assert "整个 quick 系列（中文版）用时" in block and "| 00_a | quick |" in block and "images 7" in block
