"""Forgers with no model of their own score 0 on every exercise (see tests/forgers/README.md)."""
import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course):
    from kerasgrade.engine.sandbox import FULL, probe

    level, reason = probe()
    if level != FULL:
        pytest.skip(f"the sandbox is not available here ({reason}): hostile code is not run")
    tmp = tmp_path_factory.mktemp("forgers")
    forger = (ROOT / "tests" / "forgers" / "forger.py").read_text()
    for ex in course.exercises:
        folder = tmp / "class" / "forger"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{ex.id}.py").write_text(ex.stub.read_text() + forger)
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", "--course", str(ROOT), "grade", str(tmp / "class"),
                           "--out", str(tmp / "out"), "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, timeout=1800, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((tmp / "out" / "grades.json").read_text())["students"]["forger"]["exercises"]


def judged(course):
    from kerasgrade.checks import import_grader
    from kerasgrade.engine.judge import is_judged

    return [ex.id for ex in course.exercises
            if is_judged(import_grader(ex.grader, f"kerasgrade_grader_probe_{ex.id}"))]


@pytest.mark.parametrize("exercise", [f"ex{n:02d}" for n in range(1, 11)])
def test_a_forger_without_a_model_scores_nothing(graded, course, exercise):
    ex = next(e for e in course.exercises if e.id.startswith(exercise))
    if ex.id not in judged(course):
        pytest.skip(f"{ex.id}'s grader is not judged yet: its checks run in the child")
    r = graded[ex.id]
    assert r["score"] == 0, [(c["name"], c["message"][:200]) for c in r["checks"] if c["passed"]]
