"""The course notebooks under the real nbgrader give the scores ``kerasgrade grade`` gives.

One exercise (ex01) and three students, for time: nbgrader runs each notebook in a
fresh kernel that imports TensorFlow (~10 s a notebook here).
"""
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kerasgrade.discover import Submission
from kerasgrade.engine.pool import Pool
from kerasgrade.job import PoolItem
from kerasgrade.integrations.nbgrader.notebooks import ASSIGNMENT, release_notebook, source_notebook
from kerasgrade.integrations.nbgrader.course_folder import init_course

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "ex01_first_model"
STUDENTS = {
    "alice": "correct",   # the reference solution
    "bob": "wrong",       # a known-wrong solution: sigmoid instead of softmax
    "carol": "crashing",  # a correct class, then code that raises when the notebook runs
}

pytestmark = pytest.mark.slow


def _code(course, kind: str) -> str:
    ex = course.exercise(EXERCISE)
    if kind == "correct":
        return ex.solution.read_text()
    if kind == "wrong":
        return (ex.root / ex.folders["mutants"] / EXERCISE / "sigmoid_output.py").read_text()
    return ex.solution.read_text() + "\nmodel = SimpleMLP()\nmodel.fit(x_train, y_train)\n"


def _student_notebook(released: Path, code: str) -> str:
    """The released notebook with the learner's code in its answer cell."""
    nb = nbformat.read(released, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer"]
    cell.source = code
    return nbformat.writes(nb)


def _nbgrader(folder: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """nbgrader's and kerasgrade's per-check scores of the same three notebooks."""
    from nbgrader.api import Gradebook

    folder = tmp_path_factory.mktemp("nbgrader_course")
    init_course(course, folder, exercises=[EXERCISE])
    _nbgrader(folder, "generate_assignment", ASSIGNMENT)
    released = folder / "release" / ASSIGNMENT / f"{EXERCISE}.ipynb"
    files = {}
    for student, kind in STUDENTS.items():
        path = folder / "submitted" / student / ASSIGNMENT / f"{EXERCISE}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(_student_notebook(released, _code(course, kind)))
        files[student] = path
    _nbgrader(folder, "autograde", ASSIGNMENT)

    nbgrader_scores = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course_id="keras_model_subclassing") as gb:
        for student in STUDENTS:
            sub = gb.find_submission_notebook(EXERCISE, ASSIGNMENT, student)
            nbgrader_scores[student] = {
                "total": sub.score, "max": sub.max_score,
                "checks": {g.name.removeprefix("test_"): g.score for g in sub.grades}}

    results = []
    Pool(course, jobs=1).run([PoolItem(Submission(s, EXERCISE, p), course.seed) for s, p in files.items()],
                             lambda _, r: results.append(r))
    kerasgrade_scores = {r.student: {"total": r.score, "max": r.max_points,
                                     "checks": {c.name: c.points for c in r.checks}} for r in results}
    return {"folder": folder, "released": released, "nbgrader": nbgrader_scores,
            "kerasgrade": kerasgrade_scores}


def test_nbgrader_releases_exactly_the_committed_learner_notebook(course, graded):
    committed = ROOT / "exercises" / f"{EXERCISE}.ipynb"
    assert graded["released"].read_bytes() == committed.read_bytes()
    assert release_notebook(source_notebook(course.exercise(EXERCISE), lessons=course.lessons)) == committed.read_text()


def test_nbgrader_gives_each_student_the_score_kerasgrade_gives(graded):
    report = json.dumps({k: graded[k] for k in ("nbgrader", "kerasgrade")}, indent=1)
    for student in STUDENTS:
        nb, kg = graded["nbgrader"][student], graded["kerasgrade"][student]
        assert nb["max"] == kg["max"], report
        assert nb["checks"] == kg["checks"], report
        assert nb["total"] == kg["total"], report


def test_the_three_students_are_told_apart(graded):
    totals = {s: graded["kerasgrade"][s]["total"] for s in STUDENTS}
    full = graded["kerasgrade"]["alice"]["max"]
    assert totals["alice"] == full
    assert 0 < totals["bob"] < full
    assert totals["carol"] == 0


def test_autograded_notebooks_show_the_lesson_of_a_failed_check(graded):
    nb = nbformat.read(graded["folder"] / "autograded" / "bob" / ASSIGNMENT / f"{EXERCISE}.ipynb",
                       as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and any("probability distribution" in o.evalue for o in errors)
