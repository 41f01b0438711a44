"""A notebook is graded like its ``.py``: by ``kerasgrade`` and in the notebook's own test cells."""
import linecache
import sys

import pytest

from kerasgrade.discover import Submission
from kerasgrade.engine.pool import Pool
from kerasgrade.engine.test_cells import NotebookCheckFailed, run_check_in_notebook
from kerasgrade.job import PoolItem

from .conftest import ROOT

pytestmark = pytest.mark.slow
EXERCISE = "ex01_first_model"


def _checks(result):
    return [(c.name, c.passed, c.points) for c in result.checks]


def test_kerasgrade_grades_a_notebook_like_the_py_it_was_made_from(course):
    ex = course.exercise(EXERCISE)
    files = {"solution.py": ex.solution, "solution.ipynb": ex.solution.with_suffix(".ipynb"),
             "stub.py": ex.stub, "stub.ipynb": ex.stub.with_suffix(".ipynb")}
    results = {}
    Pool(course, jobs=1).run([PoolItem(Submission(k, EXERCISE, p), course.seed) for k, p in files.items()],
                             lambda _, r: results.__setitem__(r.student, r))
    assert _checks(results["solution.ipynb"]) == _checks(results["solution.py"])
    assert results["solution.ipynb"].score == results["solution.ipynb"].max_points > 0
    assert _checks(results["stub.ipynb"]) == _checks(results["stub.py"])
    assert results["stub.ipynb"].score == 0


def test_kerasgrade_check_says_the_same_of_a_notebook_and_its_py(course, capsys):
    from kerasgrade.cli import main

    ex = course.exercise(EXERCISE)
    seen = []
    for path in (ex.solution, ex.solution.with_suffix(".ipynb")):
        code = main(["--course", str(course.file), "check", str(path)])
        lines = capsys.readouterr().out.splitlines()
        seen.append((code, lines[1:]))  # the first line names the file
    assert seen[0] == seen[1]
    assert seen[0][0] == 0


def test_every_source_notebook_scores_full_marks_and_every_learner_notebook_zero(course):
    items = []
    for ex in course.exercises:
        items.append(PoolItem(Submission("source", ex.id, ex.solution.with_suffix(".ipynb")), course.seed, True))
        items.append(PoolItem(Submission("learner", ex.id, ex.stub.with_suffix(".ipynb")), course.seed, True))
    results = []
    Pool(course, jobs=1).run(items, lambda _, r: results.append(r))
    scores = {(r.student, r.exercise): (r.score, r.max_points, r.message) for r in results}
    for ex in course.exercises:
        score, full, _ = scores[("source", ex.id)]
        assert score == full > 0, (ex.id, scores[("source", ex.id)])
        assert scores[("learner", ex.id)][0] == 0, ex.id


# -- the test cells, in a simulated notebook -----------------------------------------------------

def _notebook_namespace(code: str, cell: str) -> dict:
    """What a Jupyter kernel holds after running ``code`` as one cell (named like ipykernel's)."""
    linecache.cache[cell] = (len(code), None, code.splitlines(True), cell)
    namespace = {"__name__": "__main__"}
    exec(compile(code, cell, "exec"), namespace)
    return namespace


@pytest.fixture
def no_earlier_error(monkeypatch):
    monkeypatch.delattr(sys, "last_value", raising=False)


def test_a_test_cell_passes_a_correct_notebook_even_the_checks_that_read_its_source(
        course, no_earlier_error):
    ns = _notebook_namespace(course.exercise(EXERCISE).solution.read_text(), "/tmp/ipykernel_1/1.py")
    assert run_check_in_notebook(EXERCISE, "init_calls_super_first", ns, course=course.file) is True
    assert run_check_in_notebook(EXERCISE, "output_is_softmax", ns, course=course.file) is True
    assert ns["SimpleMLP"].__module__ == "__main__"  # given back as it was


def test_a_test_cell_fails_a_wrong_notebook_with_the_lesson(course, no_earlier_error):
    wrong = ROOT / "tests" / "mutants" / EXERCISE / "sigmoid_output.py"
    ns = _notebook_namespace(wrong.read_text(), "/tmp/ipykernel_1/2.py")
    with pytest.raises(NotebookCheckFailed, match="probability distribution"):
        run_check_in_notebook(EXERCISE, "output_is_softmax", ns, course=course.file)


def test_under_nbgrader_no_check_passes_after_a_cell_that_raised(course, monkeypatch):
    ns = _notebook_namespace(course.exercise(EXERCISE).solution.read_text(), "/tmp/ipykernel_1/3.py")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setattr(sys, "last_value", NameError("name 'x_train' is not defined"), raising=False)
    for name in ("output_is_softmax", "output_shape"):  # the first failure must not hide the error
        with pytest.raises(NotebookCheckFailed, match="x_train") as failed:
            run_check_in_notebook(EXERCISE, name, ns, course=course.file)
        monkeypatch.setattr(sys, "last_value", failed.value)


def test_the_checks_read_from_a_graders_source_are_those_kerasgrade_runs(course):
    from kerasgrade.checks import checks_of
    from kerasgrade.checks import grader_checks
    from kerasgrade.checks import import_grader

    for ex in course.exercises:
        grader = import_grader(ex.grader, f"kerasgrade_grader_{ex.id}")
        assert grader_checks(ex.grader) == [spec for spec, _ in checks_of(grader)], ex.id
