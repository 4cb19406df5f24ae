"""House rules that a learner or an instructor relies on, checked on the repository itself."""

import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_dependencies_are_ranges_that_keep_colab_tensorflow():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    assert not [r for r in requirements if "==" in r or "<" in r], "no exact pins or upper caps"
    assert "tensorflow>=2.19" in project["dependencies"]
    assert {"pytest", "nbval", "jupyterlab"} <= {re.split("[<>=]", r)[0] for r in project["optional-dependencies"]["dev"]}


def test_notebooks_and_readme_state_the_tensorflow_floor_of_pyproject():
    """The Colab promise (its TensorFlow stays in place) holds only for the floor pyproject.toml declares."""
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    floor = next(r.split(">=")[1] for r in dependencies if re.match(r"tensorflow\s*>=", r))
    stated = {"README.md": re.findall(r"tensorflow>=([\d.]+)", (REPO / "README.md").read_text())}
    for path in NOTEBOOKS:
        stated[path.name] = [v for cell in nbformat.read(path, as_version=4).cells for v in re.findall(r"tensorflow>=([\d.]+)", cell.source)]
    assert all(stated.values()), f"each notebook's first cell and the README state the floor: {stated}"
    assert {name: versions for name, versions in stated.items() if set(versions) != {floor}} == {}, f"pyproject.toml says tensorflow>={floor}"


def test_ci_runs_exactly_the_readme_test_command():
    assert re.search(r"^make test$", (REPO / ".ci" / "run").read_text(), re.M)
    readme = (REPO / "README.md").read_text()
    assert "make test" in readme and "make run" in readme


def test_notebooks_are_numbered_without_gaps():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers == list(range(len(numbers))) and len(numbers) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "colab.research.google.com" in notebook.cells[0].source, "Open-in-Colab badge in the header"
    assert '"google.colab" in sys.modules' in code[0], "first code cell installs the helpers on Colab only"
    assert "profile.show_profile(" in code[1], "the profile banner comes right after"
    assert code[1].lstrip().startswith("import helpers"), "helpers first: it quietens TensorFlow's start-up"
    checked = [cell for cell in notebook.cells if "nbval-check-output" in cell.metadata.get("tags", [])]
    assert checked, "some outputs are checked (the cell tag nbval-check-output)"
    assert not any("NBVAL" in source for source in code), "nbval markers are cell tags, not comments in the learner's code"
    assert any("results.record(" in source for source in code), "a key figure for the results table"
    defined = [line for source in code for line in source.splitlines() if line.startswith("def ")]
    assert not defined, f"functions belong in helpers/: {defined}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_exist_and_hide_machine_paths(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert sum(bool(cell.outputs) for cell in code) >= len(code) // 2, "the notebook is committed executed"
    text = nbformat.writes(notebook)
    outputs = "".join(str(cell.outputs) for cell in code)
    assert not re.search(r"(/root/|/home/|/tmp/|/Users/|/work/)", outputs), "absolute machine paths in outputs"
    trace = re.search(r"(\.\./shared|shared/course_data|shared/keras_home|\d+ configured|mirror folder \S+)", outputs)
    assert not trace, f"the test set-up's mirror shows in the outputs ({trace and trace.group()!r}): re-run with `make outputs`"
    assert "Traceback" not in outputs and "Error" not in "".join(
        o.get("ename", "") for cell in code for o in cell.outputs
    ), f"{path.name} was committed with an error"
    assert len(text) < 3_000_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_gpu_advice_and_checked_exercises(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "Change runtime type" in code[0] and "GPU" in code[0], "on Colab, say how to attach a GPU"
    assert "keras-image-course @ git+https://github.com/keras-image-course/keras-image-course" in code[0]
    checks = {number for source in code for number in re.findall(r"^ex(\d+)\.check\(", source, re.M)}
    hints = {number for source in code for number in re.findall(r"^# ex(\d+)\.hint\(\)", source, re.M)}
    assert len(checks) >= 3 and checks <= hints, "at least three exercises, each with a check and a hint"
    assert f"from helpers.exercises.nb{path.name[:2]} import" in "\n".join(code), "the exercises come from helpers.exercises.nbNN"


OUTPUTS_SUMMARY = REPO / "notebooks" / "outputs_summary.json"


def test_readme_results_are_generated_from_the_committed_outputs_record():
    """The README's tables come from notebooks/outputs_summary.json, the record of the run behind the committed outputs.

    A learner's own `make run` writes results/summary.json, which is not compared: `make run` then `make test` passes.
    """
    from helpers.course.results import update_readme

    readme = (REPO / "README.md").read_text()
    for block in ("notebooks", "results", "timings"):
        assert f"<!-- readme:{block} -->" in readme and f"<!-- /readme:{block} -->" in readme, f"README block {block}"
    record = json.loads(OUTPUTS_SUMMARY.read_text())
    assert update_readme(readme, record) == readme, (
        "the README's quick-profile figures differ from notebooks/outputs_summary.json: run `make readme`"
    )
    chinese = (REPO / "README.zh-CN.md").read_text(encoding="utf-8")
    chinese_record = json.loads((REPO / "notebooks" / "zh_CN" / "outputs_summary.json").read_text())
    assert update_readme(chinese, chinese_record, language="zh_CN") == chinese, (
        "README.zh-CN.md's figures differ from notebooks/zh_CN/outputs_summary.json: run `make readme`"
    )


@pytest.mark.parametrize("edition", ["", "zh_CN"], ids=["English", "zh_CN"])
def test_committed_outputs_come_from_one_run_of_the_whole_series(edition):
    """Every notebook's saved outputs print the figure its row of the record holds, and every row is of the series' run (each edition)."""
    import nbformat

    record = json.loads((OUTPUTS_SUMMARY.parent / edition / OUTPUTS_SUMMARY.name).read_text())
    rows = {row["notebook"]: row for row in record["notebooks"]}
    assert sorted(rows) == [path.stem for path in NOTEBOOKS], "one row per notebook"
    series = record["series"]
    assert series and series["notebooks"] == len(NOTEBOOKS), "the record holds a run of the whole series"
    assert {row["run"] for row in rows.values()} == {series["run"]}, (
        "some notebooks' outputs come from another run than the series: run `make outputs` for the whole series"
    )
    for path in NOTEBOOKS:
        row = rows[path.stem]
        notebook = nbformat.read(path.parent / edition / path.name, as_version=4)
        printed = "".join(
            output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
        )
        value = float(row["value"])
        shown = f"{value:,.0f}" if value.is_integer() else f"{value:.4f}"
        assert f"Result: {row['metric']} = {shown}" in printed, f"{path.name}: its saved outputs are not the recorded run's"


def _public_functions():
    """Every public function and method defined in helpers/ (not re-exported ones twice)."""
    import importlib
    import inspect
    import pkgutil

    import helpers

    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if info.name == "helpers.course.smoke" or info.name.startswith("helpers.exercises") or info.name.endswith(".__main__"):
            continue  # course machinery, not called by learners; a __main__ runs its command when imported
        module = importlib.import_module(info.name)
        for name, item in vars(module).items():
            if name.startswith("_") or getattr(item, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(item):
                yield f"{info.name}.{name}", item
            elif inspect.isclass(item):
                for method_name, method in vars(item).items():
                    if inspect.isfunction(method) and (not method_name.startswith("_") or method_name == "__init__"):
                        yield f"{info.name}.{name}.{method_name}", method


def test_no_public_function_takes_more_parameters_than_image_dataset_from_directory():
    """Keras's own image_dataset_from_directory has 18 parameters (Keras 3.15; 17 in 3.10); none of ours has more."""
    import inspect

    counts = {name: len(inspect.signature(f).parameters) - (name.endswith(".__init__")) for name, f in _public_functions()}
    assert len(counts) > 100, "the walk found the package's functions"
    assert {name: n for name, n in counts.items() if n > 18} == {}


def _imports_between_modules() -> dict[str, set[str]]:
    """Which helpers modules each helpers module imports, at the top or inside a function."""
    import ast

    modules = {}
    for path in (REPO / "helpers").rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    edges = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                for alias in node.names:
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        edges[name] = {target for target in targets if target in modules and target != name}
    return edges


def test_no_import_cycle_between_helpers_modules():
    """Imports run one way (lazy imports inside functions count too), so each module can be read on its own."""
    import graphlib

    edges = _imports_between_modules()
    assert {"helpers.train", "helpers.train.command", "helpers.data.checks.scan"} <= set(edges)
    assert "helpers.train" in edges["helpers.train.command"], "the walk sees imports inside functions"
    try:
        list(graphlib.TopologicalSorter(edges).static_order())
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_the_course_machinery_is_apart_from_the_learners_library():
    """``helpers/course/`` (runner, results, smoke run, mirror packing): imported by nothing outside it, not by ``import helpers``."""
    import os
    import subprocess
    import sys

    def course(name: str) -> bool:
        return name == "helpers.course" or name.startswith("helpers.course.")

    edges = _imports_between_modules()
    assert {"helpers.course.runner", "helpers.course.results", "helpers.course.smoke", "helpers.course.pack"} <= set(edges)
    reaching = {name: sorted(filter(course, targets)) for name, targets in edges.items() if not course(name)}
    assert {name: targets for name, targets in reaching.items() if targets} == {}
    code = "import sys, helpers, helpers.data; print(sorted(name for name in sys.modules if name.startswith('helpers.course')))"
    env = {**os.environ, "COURSE_SMOKE": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", "a smoke run's environment patches nothing at import: the runner installs the caps"


@pytest.mark.parametrize("numpy_first", [False, True], ids=["helpers first", "numpy first"])
def test_import_helpers_keeps_numpy_and_scipy_on_one_blas_thread(numpy_first):
    """Two BLAS threads beside TensorFlow's made notebook 07's LogisticRegression 40x slower on 2 cores."""
    import os
    import subprocess
    import sys

    imports = "import numpy, helpers" if numpy_first else "import helpers, numpy"
    code = (f"{imports}; import sklearn.linear_model; from threadpoolctl import threadpool_info; "
            "print(sorted({pool['num_threads'] for pool in threadpool_info() if pool['user_api'] == 'blas'}))")
    env = {key: value for key, value in os.environ.items() if key not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[1]"


def test_every_error_class_is_defined_in_errors_py():
    """One place for the course's errors: a CourseError subclass defined anywhere else is a second place."""
    import ast

    elsewhere = []
    for path in sorted((REPO / "helpers").rglob("*.py")):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(getattr(base, "id", "").endswith(("Error", "Exception")) for base in node.bases):
                elsewhere.append(f"{path.relative_to(REPO)}:{node.name}")
    assert elsewhere == []
