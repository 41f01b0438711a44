"""Hostile submissions (tests/attacks/) are graded beside honest students and change nothing.

One class is graded with every attack in it, once, by the real command; each
test then reads one property of that run. Then the runs the sandbox must also
survive: an interrupt while a tracer holds a child, a class graded from a
virtualenv under /tmp, a file deleted between discovery and grading, and a
classmate vandal where namespaces are turned off (KERASGRADE_SANDBOX=rlimits).
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

# Garbage on the judge's socket, written from inside call() of a correct model: one attack per
# payload, made from tests/attacks/garbage.txt.
GARBAGE = {
    "judge_garbage_frame": ("a frame whose body is not JSON", 'b"\\x00\\x00\\x00\\x05{{{{{"'),
    "judge_huge_frame": ("a frame header announcing 2 GB", 'struct.pack(">I", 2**31 - 1)'),
    "judge_deep_nesting": ("an answer nested 100000 deep",
                           '_frame(b\'{"id": 1, "ok": \' + b"[" * 100000 + b"]" * 100000 + b"}")'),
    "judge_nan_answer": ("an answer holding NaN and Infinity", '_frame(b\'{"id": 1, "ok": [NaN, Infinity]}\')'),
    "judge_huge_int": ("an answer holding a 400-digit integer", '_frame(b\'{"id": 1, "ok": \' + b"9" * 400 + b"}")'),
    "judge_lone_surrogate": ("an answer holding a lone surrogate", '_frame(b\'{"id": 1, "ok": "\\\\ud800 x"}\')'),
    "judge_wrong_id": ("an answer to a request never asked", '_frame(b\'{"id": 987654, "ok": {"found": true}}\')'),
    "judge_bad_array": ("an array whose data does not match its shape",
                        '_frame(b\'{"id": 1, "ok": {"$nd": ["float32", [100000, 100000], "AAAA"]}}\')'),
    "judge_many_items": ("an answer of 300000 items",
                         '_frame(b\'{"id": 1, "ok": [\' + b",".join([b"0"] * 300000) + b"]}")'),
}


def garbage_attack(name: str) -> str:
    what, payload = GARBAGE[name]
    return (ROOT / "tests" / "attacks" / "garbage.txt").read_text().replace("{what}", what).replace(
        "{payload}", payload)


ATTACKS = sorted([p.stem for p in (ROOT / "tests" / "attacks").glob("*.py")] + list(GARBAGE))
EXERCISE = "ex01_first_model"
HONEST_BASE = ROOT / "tests" / "mutants" / EXERCISE / "forgot_super.py"
# Attacks that carry a correct model and sabotage it from inside call().
CORRECT_MODEL = {"loop_in_call", "exit_in_check", "interrupts_in_call", "judge_slow_answer"} | set(GARBAGE)
# Attacks with no model of their own (only code that attacks the grader): they must score 0.
NO_MODEL = {"judge_forged_answers", "judge_patched_server", "judge_patched_server_stub"}
# Attacks with a wrong model dressed up to pass: they must lose points.
WRONG_MODEL = {"judge_softmax_under_grader", "judge_replay", "judge_decoy_class", "judge_init_swapped",
               "judge_nan_output", "judge_detects_proof", "judge_shadow_layer", "judge_class_property"}
TRAPS = [Path("/tmp/grades.csv"), Path("/tmp/results.json"), Path("/tmp/conftest.py"),
         Path("/tmp/pytest_plugin_pass.py"), Path("/dev/shm/kerasgrade-attack"), Path("/dev/kerasgrade-attack"),
         Path("/kerasgrade-attack"), Path("/sys/fs/cgroup/kerasgrade-attack"),
         Path("/sys/fs/cgroup/pids/kerasgrade-attack"), Path("/sys/fs/cgroup/memory/kerasgrade-attack")]
CGROUPS = Path("/sys/fs/cgroup")
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
    "realtime_signal": ("error", "SIGRTMIN"),
    "ptrace_tracer": ("timeout", "time"),
    # ex01 is judged outside the child: what a submission writes on the judge's socket, or
    # patches in its own process, ends its grading (a protocol violation) or fools nobody.
    "forge_channel": ("error", "out of turn"),
    "fd_garbage": ("error", "out of turn"),
    "judge_forged_answers": ("error", "out of turn"),
    "judge_slow_answer": ("timeout", "stopped answering"),
    **{name: ("error", "out of turn") for name in GARBAGE},
}
TIMEOUT = 12  # [limits] timeout of the attacked course


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


def run_cgroups(pid: int) -> list[Path]:
    """The cgroup folders and the children's working folders of the kerasgrade run whose parent
    process was ``pid``."""
    return sorted(CGROUPS.glob(f"**/kerasgrade/run-{pid}-*")) + sorted(Path("/tmp").glob(f"kerasgrade-job-{pid}-*"))


SECRET = Path(tempfile.mkdtemp(prefix="kerasgrade-test-")) / "secret"  # one for every run of this module:
SECRET.write_bytes(os.urandom(32))  # the honest students draw the same inputs in each


def kerasgrade(course_file: Path, class_dir: Path, out: Path, marker: str, *extra, python=sys.executable,
               env=None) -> subprocess.Popen:
    env = dict(os.environ, KERASGRADE_TEST_MARKER=marker, **(env or {}))
    return subprocess.Popen([python, "-m", "kerasgrade", "--course", str(course_file), "grade",
                             str(class_dir), "--out", str(out), "--jobs", "2", "--quiet",
                             "--secret", str(SECRET), *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def grade(course_file: Path, class_dir: Path, out: Path, marker: str, *extra, **kw) -> dict:
    proc = kerasgrade(course_file, class_dir, out, marker, *extra, **kw)
    stdout, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stderr[-3000:]
    assert run_cgroups(proc.pid) == [], "the run left cgroups or working folders behind"
    assert marked_processes(marker) == [], "the run left processes behind"
    return json.loads((out / "grades.json").read_text())["students"] | {"_stderr": stderr}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from kerasgrade.engine.sandbox import probe

    level, reason = probe()
    if level != "namespaces":  # without the sandbox, `vandal` would really delete files
        pytest.skip(f"the sandbox is not available here ({reason}): hostile code is not run")
    tmp = tmp_path_factory.mktemp("attacks")
    course_file = tmp / "course.toml"
    course_file.write_text(f"""
[course]
title = "attacked"
[limits]
timeout = {TIMEOUT}
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
        if name in GARBAGE:
            (attacked / name / f"{EXERCISE}.py").write_text(garbage_attack(name))
        else:
            shutil.copy(ROOT / "tests" / "attacks" / f"{name}.py", attacked / name / f"{EXERCISE}.py")
    traps_before = {p: p.exists() for p in TRAPS}
    watched = (attacked, ROOT / "graders", ROOT / "solutions", ROOT / "kerasgrade", ROOT / "tests" / "mutants")
    before = tree(*watched) | {str(course_file): course_file.read_text()}
    marker = uuid.uuid4().hex
    alone = grade(course_file, honest, tmp / "out-honest", marker)
    start = time.monotonic()
    students = grade(course_file, attacked, tmp / "out", marker)
    seconds = time.monotonic() - start
    after = tree(*watched) | {str(course_file): course_file.read_text()}
    return {"alone": alone, "students": students, "before": before, "after": after, "seconds": seconds,
            "marker": marker, "traps": traps_before, "tmp": tmp, "course": course_file, "honest": honest,
            "secret": SECRET.read_bytes(), "out": tmp / "out"}


def result(run, student):
    return run["students"][student]["exercises"][EXERCISE]


def test_the_run_completes_with_every_attacker_in_the_gradebook(run):
    assert set(ATTACKS) | {"alice", "bob"} == set(run["students"]) - {"_stderr"}


def test_every_submission_ends_within_its_time_limit(run):
    from kerasgrade.engine.sandbox import REAP_SECONDS
    from kerasgrade.engine.zygote import DRAIN_SECONDS, REPORT_GRACE

    # The deadline, then killing the job's cgroup at once, reaping it and removing the cgroup
    # (each bounded), and the last of its output: a bound, whatever the submission does.
    bound = TIMEOUT + REPORT_GRACE + 3 * REAP_SECONDS + DRAIN_SECONDS + 1
    for path in sorted((run["tmp"] / "out" / "results").glob(f"*/{EXERCISE}.json")):
        seconds = json.loads(path.read_text())["seconds"]
        assert 0 < seconds <= bound, (path.parent.name, seconds)


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


@pytest.mark.parametrize("attack", ["judge_nan_output", "judge_detects_proof"])
def test_a_model_whose_output_ignores_its_weights_earns_no_output_check(run, attack):
    passed = {c["name"] for c in result(run, attack)["checks"] if c["passed"]}
    assert not passed & {"subclasses_keras_model", "output_shape", "output_is_softmax",
                         "layers_persist_between_calls", "forward_pass_composes_the_layers"}, passed


def test_a_model_that_learns_through_a_layer_other_than_the_named_ones_earns_no_training_points(run):
    checks = {c["name"]: c for c in result(run, "judge_shadow_layer")["checks"]}
    assert checks["learns_separable_blobs"]["passed"] is False, checks["learns_separable_blobs"]
    # Caught where the judge computes the trained model's output itself: by run()'s follow proof
    # (FOLLOW) on the first call, or by the check's own arithmetic on the trained layers.
    message = checks["learns_separable_blobs"]["message"]
    assert "what its trained layers compute" in message or "not what its layers compute" in message, message


@pytest.mark.parametrize("attack", ["judge_decoy_class", "judge_init_swapped"])
def test_a_decoy_class_statement_earns_no_source_check(run, attack):
    passed = {c["name"] for c in result(run, attack)["checks"] if c["passed"]}
    assert not passed & {"init_calls_super_first", "forwards_kwargs_to_keras"}, passed


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
    assert "sandbox: each submission runs in its own namespaces" in run["students"]["_stderr"]


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


def honest_grades(students: dict) -> dict:
    return {s: {k: v for k, v in students[s]["exercises"][EXERCISE].items() if k not in ("file", "seconds")}
            for s in ("alice", "bob")}


def test_an_interrupt_while_a_tracer_holds_a_child_leaves_no_process_nor_cgroup(run):
    tmp = run["tmp"]
    folder = tmp / "traced"
    (folder / "ptrace_tracer").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "attacks" / "ptrace_tracer.py", folder / "ptrace_tracer" / f"{EXERCISE}.py")
    marker = uuid.uuid4().hex
    proc = kerasgrade(run["course"], folder, tmp / "out-traced", marker)
    deadline = time.monotonic() + 120
    while not any(os.stat(f"/proc/{p}").st_uid >= 2_000_000_000 for p in marked_processes(marker)
                  if os.path.exists(f"/proc/{p}")):
        assert time.monotonic() < deadline and proc.poll() is None, "the attack never started"
        time.sleep(0.1)
    time.sleep(1.0)  # the tracer has forked and tried to seize the child by now
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert marked_processes(marker) == []
    assert run_cgroups(proc.pid) == []


def test_a_class_graded_from_a_virtualenv_under_tmp_is_fully_isolated(run, tmp_path_factory):
    venv = Path(f"/tmp/kerasgrade-venv-{uuid.uuid4().hex[:8]}")
    try:
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                       check=True, timeout=120)
        # kerasgrade grade refuses to run without full isolation: exit 0 is the proof.
        students = grade(run["course"], run["honest"], tmp_path_factory.mktemp("venv") / "out", uuid.uuid4().hex,
                         python=str(venv / "bin" / "python"), env={"PYTHONPATH": str(ROOT)})
    finally:
        shutil.rmtree(venv, ignore_errors=True)
    assert "sandbox: each submission runs in its own namespaces" in students["_stderr"]
    assert honest_grades(students) == honest_grades(run["alone"])


def test_a_file_deleted_between_discovery_and_grading_is_graded_from_what_was_read(run, tmp_path):
    from kerasgrade.course import load_course
    from kerasgrade.discover import Submission, discover
    from kerasgrade.commands.grade import grade_class

    folder = tmp_path / "class"
    shutil.copytree(run["honest"], folder)
    course = load_course(run["course"])
    subs, _ = discover(folder, course)
    (folder / "alice" / f"{EXERCISE}.py").unlink()       # after discovery: graded from memory
    vanished = folder / "carol" / f"{EXERCISE}.py"      # gone before it could be read
    subs.append(Submission("carol", EXERCISE, vanished))
    book, _ = grade_class(course, subs, tmp_path / "out", jobs=1)
    alice = book.results[("alice", EXERCISE)]
    assert alice.status == "graded" and alice.score == alice.max_points
    carol = book.results[("carol", EXERCISE)]
    assert carol.status == "error" and carol.score == 0 and "could not be read" in carol.message
    assert str(vanished) in carol.message


@pytest.fixture
def open_class(run):
    """The honest class plus `vandal`, in /tmp/<name>/<student>/ (where vandal.py looks), readable by
    every user: nothing but the children's own user id keeps these files safe."""
    folder = Path(f"/tmp/kerasgrade-vandalised-{uuid.uuid4().hex[:8]}")
    shutil.copytree(run["honest"], folder)
    (folder / "vandal").mkdir()
    shutil.copy(ROOT / "tests" / "attacks" / "vandal.py", folder / "vandal" / f"{EXERCISE}.py")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_classmate_vandal_without_namespaces_touches_no_file_and_no_grade(run, open_class, tmp_path):
    folder = open_class
    before = tree(folder, ROOT / "graders")
    refused = kerasgrade(run["course"], folder, tmp_path / "refused", uuid.uuid4().hex,
                         env={"KERASGRADE_SANDBOX": "rlimits"})
    _, stderr = refused.communicate(timeout=300)
    assert refused.returncode == 2 and "refusing to grade without full isolation" in stderr
    assert "--unsandboxed" in stderr and len(stderr.strip().splitlines()) == 1
    students = grade(run["course"], folder, tmp_path / "out", uuid.uuid4().hex, "--unsandboxed",
                     env={"KERASGRADE_SANDBOX": "rlimits"})
    assert tree(folder, ROOT / "graders") == before
    assert honest_grades(students) == honest_grades(run["alone"])
    assert students["vandal"]["exercises"][EXERCISE]["score"] <= run["alone"]["bob"]["exercises"][EXERCISE]["score"]
