"""The course is sound: `kerasgrade validate` passes, and learners get the exit codes they expect."""
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def kerasgrade(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kerasgrade", "--course", str(ROOT), *map(str, args)],
                          capture_output=True, text=True, timeout=3600, cwd=ROOT)


def test_every_reference_is_full_every_stub_zero_and_every_mutant_caught(course):
    proc = kerasgrade("validate", "--quiet")
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    for ex in course.exercises:
        assert len(ex.mutants) >= 6, ex.id
        assert f"{ex.id} " in proc.stdout
    total = sum(len(ex.mutants) for ex in course.exercises)
    assert f"{total}/{total} mutants caught across {len(course.exercises)} exercise(s)" in proc.stdout


def test_check_exits_0_on_a_correct_file_and_1_on_the_stub(course):
    ex = course.exercises[0]
    good, stub = kerasgrade("check", ex.solution), kerasgrade("check", ex.stub)
    assert good.returncode == 0, good.stdout
    assert stub.returncode == 1 and "TODO" in stub.stdout
    assert "Total: 0/" in stub.stdout


def test_check_says_what_file_name_it_expects():
    proc = kerasgrade("check", ROOT / "README.md")
    assert proc.returncode == 2 and "ex01_first_model.py" in proc.stderr


def test_grading_the_same_file_twice_gives_the_same_result_check_by_check(course):
    from kerasgrade.discover import Submission
    from kerasgrade.engine.pool import Pool
    from kerasgrade.job import PoolItem

    items = []
    for ex in course.exercises:
        for path in (ex.solution, ex.mutants[-1]):
            for run in (1, 2):
                items.append(PoolItem(Submission(f"{path.stem}#{run}", ex.id, path), course.seed, True))
    results = {}
    Pool(course, jobs=2).run(items, lambda _, r: results.__setitem__((r.student, r.exercise), r))
    for (student, exercise), first in results.items():
        if student.endswith("#1"):
            second = results[(student[:-1] + "2", exercise)]
            assert [(c.name, c.passed, c.message) for c in first.checks] == \
                   [(c.name, c.passed, c.message) for c in second.checks], (student, exercise)


def test_a_learner_can_check_from_the_exercises_folder_without_naming_the_course(course):
    ex = course.exercises[0]
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", "check", ex.stub.name], capture_output=True,
                          text=True, timeout=600, cwd=ex.stub.parent)
    assert proc.returncode == 1 and "Total: 0/" in proc.stdout, proc.stderr[-2000:]
