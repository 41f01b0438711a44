"""Forgers with no model of their own score 0 on every exercise (see tests/forgers/README.md)."""
import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

FORGERS = ("forger", "follower")  # tests/forgers/<name>.py, each appended to every stub


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course):
    from kerasgrade.engine.sandbox import FULL, probe

    level, reason = probe()
    if level != FULL:
        pytest.skip(f"the sandbox is not available here ({reason}): hostile code is not run")
    tmp = tmp_path_factory.mktemp("forgers")
    for student in FORGERS:
        code = (ROOT / "tests" / "forgers" / f"{student}.py").read_text()
        folder = tmp / "class" / student
        folder.mkdir(parents=True)
        for ex in course.exercises:
            (folder / f"{ex.id}.py").write_text(ex.stub.read_text() + code)
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", "--course", str(ROOT), "grade", str(tmp / "class"),
                           "--out", str(tmp / "out"), "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, timeout=1800, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]
    students = json.loads((tmp / "out" / "grades.json").read_text())["students"]
    return {student: students[student]["exercises"] for student in FORGERS}


@pytest.mark.parametrize("exercise", [f"ex{n:02d}" for n in range(1, 11)])
def test_a_forger_without_a_model_scores_nothing(graded, course, exercise):
    ex = next(e for e in course.exercises if e.id.startswith(exercise))
    r = graded["forger"][ex.id]
    assert r["score"] == 0, [(c["name"], c["message"][:200]) for c in r["checks"] if c["passed"]]


@pytest.mark.parametrize("exercise", [f"ex{n:02d}" for n in range(1, 11)])
def test_a_follower_whose_outputs_follow_its_weights_but_not_its_layers_scores_nothing(graded, course, exercise):
    ex = next(e for e in course.exercises if e.id.startswith(exercise))
    r = graded["follower"][ex.id]
    assert r["score"] == 0, [(c["name"], c["message"][:200]) for c in r["checks"] if c["passed"]]
