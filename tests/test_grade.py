"""`kerasgrade grade`: the gradebook files, every status, time limits, resume, shards and merge."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kerasgrade.commands.grade import shard_of
from kerasgrade.discover import Submission
from kerasgrade.job import PoolItem
from kerasgrade.outdir import load_result, save_result
from kerasgrade.result import ERROR, GRADED, ExerciseResult

from .conftest import ROOT, StandInZygote

EX = "ex01_first_model"
SOLUTION = ROOT / "solutions" / f"{EX}.py"
MUTANT = ROOT / "tests" / "mutants" / EX / "forgot_super.py"
LOOP = ROOT / "tests" / "attacks" / "loop_in_call.py"


def make_course(tmp: Path) -> Path:
    path = tmp / "course.toml"
    path.write_text(f"""
[course]
title = "t"
[limits]
timeout = 20
check_timeout = 10
[folders]
graders = "{ROOT / 'graders'}"
solutions = "{ROOT / 'solutions'}"
[[exercises]]
id = "{EX}"
""")
    return path


def make_class(tmp: Path, students: dict[str, Path | str | None]) -> Path:
    folder = tmp / "class"
    for name, src in students.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        if isinstance(src, Path):
            shutil.copy(src, folder / name / f"{EX}.py")
        elif isinstance(src, str):
            (folder / name / f"{EX}.py").write_text(src)
    return folder


def kerasgrade(*args, check=True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def students_of(out: Path) -> dict:
    return json.loads((out / "grades.json").read_text())["students"]


def test_a_shard_takes_every_nth_student_with_all_their_exercises():
    subs = [Submission(s, e, None) for s in "abcde" for e in ("x", "y")]
    parts = [shard_of(subs, k, 2) for k in (1, 2)]
    assert {s.student for s in parts[0]} == {"a", "c", "e"}
    assert sorted(parts[0] + parts[1], key=lambda s: (s.student, s.exercise)) == subs


def test_only_a_result_of_this_very_file_is_resumed(tmp_path):
    file = tmp_path / "ann.py"
    file.write_text("x = 1\n")
    save_result(tmp_path, ExerciseResult("ann", EX, GRADED, fingerprint=Submission("ann", EX, file).fingerprint))
    assert load_result(tmp_path, Submission("ann", EX, file)).status == GRADED
    file.write_text("x = 2\n")  # handed in again
    assert load_result(tmp_path, Submission("ann", EX, file)) is None
    # the worker died while grading it: the saved result names no file, so it is graded again
    save_result(tmp_path, ExerciseResult("ann", EX, ERROR, message="the grading worker stopped"))
    assert load_result(tmp_path, Submission("ann", EX, file)) is None


@pytest.mark.slow
def test_grade_writes_the_gradebook_with_every_status_and_cuts_a_loop(tmp_path):
    course = make_course(tmp_path)
    folder = make_class(tmp_path, {"ann": SOLUTION, "ben": MUTANT, "cat": "def broken(:\n",
                                   "dan": None, "eve": LOOP})
    out = tmp_path / "out"
    start = time.monotonic()
    kerasgrade("--course", course, "grade", folder, "--out", out, "--jobs", "2", "--quiet")
    assert time.monotonic() - start < 120
    grades = students_of(out)
    status = {s: grades[s]["exercises"][EX]["status"] for s in grades}
    assert status == {"ann": "graded", "ben": "graded", "cat": "error", "dan": "missing", "eve": "timeout"}
    ann = grades["ann"]["exercises"][EX]
    assert ann["score"] == ann["max_score"] > 0 and grades["ann"]["total"] == 100
    for check in ann["checks"]:
        assert set(check) >= {"name", "concept", "passed", "points", "max_points", "hidden", "message"}
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0] == ["student", EX, "total"] and len(rows) == 6
    assert "Python cannot read your file" in (out / "feedback" / "cat.txt").read_text()


@pytest.mark.slow
def test_a_rerun_grades_only_what_is_missing_or_changed(tmp_path):
    course = make_course(tmp_path)
    folder = make_class(tmp_path, {"ann": SOLUTION, "ben": MUTANT, "cat": MUTANT})
    out = tmp_path / "out"
    kerasgrade("--course", course, "grade", folder, "--out", out, "--quiet")
    first = students_of(out)
    ann_file = out / "results" / "ann" / f"{EX}.json"
    stamp = ann_file.stat().st_mtime_ns
    (out / "results" / "ben" / f"{EX}.json").unlink()          # as if killed before ben finished
    shutil.copy(SOLUTION, folder / "cat" / f"{EX}.py")          # cat handed in a new version
    proc = kerasgrade("--course", course, "grade", folder, "--out", out, "--quiet")
    assert "resumed: 1 result(s)" in proc.stderr
    assert ann_file.stat().st_mtime_ns == stamp
    second = students_of(out)
    assert second["ben"] == first["ben"]
    assert second["cat"]["total"] == 100 > first["cat"]["total"]
    proc = kerasgrade("--course", course, "grade", folder, "--out", out, "--quiet", "--force")
    assert "resumed" not in proc.stderr and ann_file.stat().st_mtime_ns != stamp


@pytest.mark.slow
def test_a_killed_run_keeps_what_it_graded_and_the_rerun_completes(tmp_path):
    course = make_course(tmp_path)
    folder = make_class(tmp_path, {f"s{i}": MUTANT for i in range(6)})
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kerasgrade", "--course", str(course), "grade",
                             str(folder), "--out", str(out), "--jobs", "1", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(out.glob("results/*/*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = list(out.glob("results/*/*.json"))
    assert 1 <= len(kept) < 6
    for path in kept:
        json.loads(path.read_text())  # whole files only: written atomically
    assert not list(out.glob("results/*/*.tmp*"))
    done = kerasgrade("--course", course, "grade", folder, "--out", out, "--quiet")
    assert f"resumed: {len(kept)} result(s)" in done.stderr
    assert len(students_of(out)) == 6


@pytest.mark.slow
def test_shards_merged_give_the_gradebook_of_one_run(tmp_path):
    course = make_course(tmp_path)
    folder = make_class(tmp_path, {"ann": SOLUTION, "ben": MUTANT, "cat": None, "dan": MUTANT})
    secret = tmp_path / "secret"  # one secret for the shards and the whole: the same draws
    secret.write_bytes(os.urandom(32))
    for k in (1, 2):
        kerasgrade("--course", course, "grade", folder, "--out", tmp_path / f"shard{k}",
                   "--shard", f"{k}/2", "--quiet", "--secret", secret)
    assert set(students_of(tmp_path / "shard1")) == {"ann", "cat"}
    kerasgrade("--course", course, "merge", tmp_path / "shard1", tmp_path / "shard2",
               "--out", tmp_path / "merged")
    kerasgrade("--course", course, "grade", folder, "--out", tmp_path / "whole", "--quiet", "--secret", secret)
    assert students_of(tmp_path / "merged") == students_of(tmp_path / "whole")
    assert (tmp_path / "merged" / "grades.csv").read_text() == (tmp_path / "whole" / "grades.csv").read_text()


def test_a_bad_shard_says_what_is_expected(tmp_path):
    proc = kerasgrade("grade", tmp_path, "--out", tmp_path / "o", "--shard", "3/2", check=False)
    assert proc.returncode == 2 and "expected K/N" in proc.stderr


class FakeZygote(StandInZygote):
    """Stands in for a zygote: ``dies_on`` names the students whose grading kills it."""
    started = 0

    def __init__(self, dies_on: dict):
        super().__init__(EX)
        FakeZygote.started += 1
        self.dies_on = dies_on

    def dies(self, job) -> bool:
        if self.dies_on.get(job.student, 0) > 0:
            self.dies_on[job.student] -= 1
            return True
        return False


def test_a_dead_zygote_is_replaced_and_its_student_graded_again_once(tmp_path, monkeypatch, course):
    from kerasgrade.engine.pool import Pool

    file = tmp_path / f"{EX}.py"
    file.write_text("x = 1\n")
    dies_on = {"once": 1, "always": 99}
    monkeypatch.setattr(Pool, "_zygote", lambda self: FakeZygote(dies_on))
    FakeZygote.started = 0
    results = {}
    Pool(course, jobs=1).run([PoolItem(Submission(s, EX, file), 0) for s in ("ann", "once", "always", "bob")],
                             lambda _, r: results.setdefault(r.student, r))
    assert {s: r.status for s, r in results.items()} == {"ann": GRADED, "once": GRADED, "always": ERROR,
                                                          "bob": GRADED}
    assert "stopped the grading worker twice" in results["always"].message
    assert results["always"].fingerprint  # the submission's own result: not retried on resume
    assert FakeZygote.started == 3  # the first, then one after each death that left work to do


def test_a_submission_carries_the_bytes_read_when_it_was_found_and_their_fingerprint(tmp_path):
    import hashlib

    file = tmp_path / "ann.py"
    file.write_bytes(b"x = 1\n")
    sub = Submission("ann", EX, file)
    file.unlink()
    assert sub.source == b"x = 1\n" and sub.fingerprint == hashlib.sha256(b"x = 1\n").hexdigest()
    gone = Submission("ann", EX, file)
    assert gone.source is None and gone.fingerprint == "" and str(file) in gone.problem
    os.mkfifo(tmp_path / "fifo.py")  # would block a plain read forever
    assert "not a regular file" in Submission("ann", EX, tmp_path / "fifo.py").problem


def test_a_student_who_hands_in_both_a_file_and_a_notebook_is_told_which_was_graded(tmp_path):
    from kerasgrade.course import load_course
    from kerasgrade.discover import discover

    folder = make_class(tmp_path, {"ann": SOLUTION})
    (folder / "ann" / f"{EX}.ipynb").write_text("{}")
    subs, warnings = discover(folder, load_course(make_course(tmp_path)))
    assert subs[0].path.name == f"{EX}.py"
    assert f"{EX}.py was graded" in subs[0].note and f"{EX}.ipynb" in subs[0].note
    assert any("both handed in" in w for w in warnings)


@pytest.mark.slow
@pytest.mark.parametrize("grader, says", [
    ("from kerasgrade.checks import check\n\n@check(points=1, concept='k')\ndef test_a(submission):\n    'A'\n",
     "this grader does not say `JUDGED = True`"),
    ("raise ImportError('no such helper')\n", "the grader could not be imported (ImportError: no such helper)"),
])
def test_a_grader_the_judge_cannot_run_stops_the_run_with_its_file_named(tmp_path, grader, says):
    from .conftest import write_course

    write_course(tmp_path, '[course]\ntitle = "T"\n[[exercises]]\nid = "ex01_tiny"\n', {"ex01_tiny": grader})
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "ex01_tiny.py").write_text("x = 1\n")
    proc = kerasgrade("--course", tmp_path, "grade", tmp_path / "class", "--out", tmp_path / "o", check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"kerasgrade: {tmp_path / 'graders' / 'test_ex01_tiny.py'}: {says}"), proc.stderr
    assert "Traceback" not in proc.stderr
