"""Hostile submissions (tests/attacks/) are graded beside honest students and change nothing.

One class is graded with every attack in it, once, by the real command; each
test then reads one property of that run.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

ATTACKS = sorted(p.stem for p in (ROOT / "tests" / "attacks").glob("*.py"))
EXERCISE = "ex01_first_model"
HONEST_BASE = ROOT / "tests" / "mutants" / EXERCISE / "forgot_super.py"
# Attacks that carry a correct model and sabotage it from inside call().
JUDGE_GARBAGE = {"judge_garbage_frame", "judge_huge_frame", "judge_deep_nesting", "judge_nan_answer",
                 "judge_huge_int", "judge_lone_surrogate", "judge_wrong_id", "judge_bad_array",
                 "judge_many_items"}
CORRECT_MODEL = {"loop_in_call", "exit_in_check", "interrupts_in_call", "judge_slow_answer"} | JUDGE_GARBAGE
# Attacks with no model of their own (only code that attacks the grader): they must score 0.
NO_MODEL = {"judge_forged_answers", "judge_patched_server", "judge_patched_server_stub"}
# Attacks with a wrong model dressed up to pass: they must lose points.
WRONG_MODEL = {"judge_softmax_under_grader", "judge_replay"}
TRAPS = [Path("/tmp/grades.csv"), Path("/tmp/results.json"), Path("/tmp/conftest.py"),
         Path("/tmp/pytest_plugin_pass.py")]
# What the instructor must read for each kind of attack (status, words in the message).
EXPECTED = {
    "loop_at_import": ("timeout", "time"),
    "loop_in_call": ("timeout", "time"),
    "memory_bomb": (("error", "timeout"), ("memory", "in time")),  # OOM-killed, or throttled past the deadline
    "sys_exit_at_import": ("error", "SystemExit"),
    "os_exit_at_import": ("error", "exited"),
    "exit_in_check": ("error", "exited"),
    "base_exceptions_at_import": ("error", "Escape"),
    "segfault": ("error", "SIGSEGV"),
    # ex01 is judged outside the child: what a submission writes on the judge's socket, or
    # patches in its own process, ends its grading (a protocol violation) or fools nobody.
    "forge_channel": ("error", "out of turn"),
    "fd_garbage": ("error", "out of turn"),
    "judge_forged_answers": ("error", "out of turn"),
    "judge_slow_answer": ("timeout", "stopped answering"),
    **{name: ("error", "out of turn") for name in JUDGE_GARBAGE},
}


def tree(*folders: Path) -> dict[str, str]:
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def marked_processes(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def grade(course_file: Path, class_dir: Path, out: Path, marker: str) -> dict:
    env = dict(os.environ, KERASGRADE_TEST_MARKER=marker)
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", "--course", str(course_file), "grade",
                           str(class_dir), "--out", str(out), "--jobs", "2", "--quiet"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((out / "grades.json").read_text())["students"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from kerasgrade.sandbox import probe

    level, reason = probe()
    if level != "namespaces":  # without the sandbox, `vandal` would really delete files
        pytest.skip(f"the sandbox is not available here ({reason}): hostile code is not run")
    tmp = tmp_path_factory.mktemp("attacks")
    course_file = tmp / "course.toml"
    course_file.write_text(f"""
[course]
title = "attacked"
[limits]
timeout = 12
check_timeout = 5
memory_mb = 2048
output_kb = 16
[folders]
graders = "{ROOT / 'graders'}"
[[exercises]]
id = "{EXERCISE}"
""")
    honest, attacked = tmp / "honest", tmp / "class"
    for folder in (honest, attacked):
        for student, src in [("alice", ROOT / "solutions" / f"{EXERCISE}.py"), ("bob", HONEST_BASE)]:
            (folder / student).mkdir(parents=True)
            shutil.copy(src, folder / student / f"{EXERCISE}.py")
    for name in ATTACKS:
        (attacked / name).mkdir()
        shutil.copy(ROOT / "tests" / "attacks" / f"{name}.py", attacked / name / f"{EXERCISE}.py")
    traps_before = {p: p.exists() for p in TRAPS}
    watched = (attacked, ROOT / "graders", ROOT / "solutions", ROOT / "kerasgrade", ROOT / "tests" / "mutants")
    before = tree(*watched) | {str(course_file): course_file.read_text()}
    marker = uuid.uuid4().hex
    secret = os.urandom(32)  # one secret for both runs: the honest students get the same draws
    for out in (tmp / "out-honest", tmp / "out"):
        out.mkdir()
        (out / ".secret").write_bytes(secret)
    alone = grade(course_file, honest, tmp / "out-honest", marker)
    students = grade(course_file, attacked, tmp / "out", marker)
    after = tree(*watched) | {str(course_file): course_file.read_text()}
    return {"alone": alone, "students": students, "before": before, "after": after,
            "marker": marker, "traps": traps_before, "secret": secret, "out": tmp / "out"}


def result(run, student):
    return run["students"][student]["exercises"][EXERCISE]


def test_the_run_completes_with_every_attacker_in_the_gradebook(run):
    assert set(ATTACKS) | {"alice", "bob"} == set(run["students"])


@pytest.mark.parametrize("attack", sorted(set(ATTACKS) - NO_MODEL - WRONG_MODEL))
def test_no_attacker_scores_more_than_its_honest_score(run, attack):
    r = result(run, attack)
    honest = r["max_score"] if attack in CORRECT_MODEL else result(run, "bob")["score"]
    assert r["score"] <= honest, r


@pytest.mark.parametrize("attack", sorted(NO_MODEL))
def test_an_attacker_without_a_model_of_its_own_scores_nothing(run, attack):
    r = result(run, attack)
    assert r["score"] == 0, [(c["name"], c["message"]) for c in r["checks"] if c["passed"]]


@pytest.mark.parametrize("attack", sorted(WRONG_MODEL))
def test_a_wrong_model_dressed_up_to_pass_loses_points(run, attack):
    r = result(run, attack)
    assert r["score"] < r["max_score"], r


def test_no_secret_of_the_judge_reaches_a_child(run):
    secret = run["secret"].hex()
    assert len(secret) == 64
    saved = json.loads((run["out"] / "results" / "judge_read_secret" / f"{EXERCISE}.json").read_text())
    assert "FOUND" in saved["output"]  # the hunt did run
    assert secret not in saved["output"]


def test_the_honest_students_are_graded_as_if_alone(run):
    def graded(r):
        return {k: v for k, v in r.items() if k not in ("file", "seconds")}

    for student in ("alice", "bob"):
        assert graded(result(run, student)) == graded(run["alone"][student]["exercises"][EXERCISE])
    assert result(run, "alice")["score"] == result(run, "alice")["max_score"]


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_the_instructor_is_told_what_happened(run, attack):
    status, words = EXPECTED[attack]
    r = result(run, attack)
    text = r["message"] + " ".join(c["message"] for c in r["checks"])
    assert r["status"] in ((status,) if isinstance(status, str) else status), r
    assert any(w in text for w in ((words,) if isinstance(words, str) else words)), text


def test_nothing_outside_the_output_folder_changed(run):
    assert run["after"] == run["before"]
    for path, existed in run["traps"].items():
        assert path.exists() == existed, path


def test_no_process_is_left_behind(run):
    assert marked_processes(run["marker"]) == []
