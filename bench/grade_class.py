"""Issue 5's benchmark: grade one synthetic class three ways and compare.

The class: N students (seeded), each handing in, per exercise, either the
reference solution or one of its mutants (tests/mutants/<exercise>/*.py), as
CLASS/<student>/<exercise>.py and, for nbgrader, as the released learner
notebook with that code in its answer cell.

Timed on that class, in one run:

1. ``kerasgrade grade CLASS --jobs J``: one zygote per worker imports
   TensorFlow once and forks a sandboxed child per submission;
2. ``nbgrader autograde``: a fresh Jupyter kernel per notebook, sequential
   (``--nbgrader-students K`` grades the first K students only and
   extrapolates linearly);
3. a fresh interpreter per submission (``python -c``: import TensorFlow, run
   ``kerasgrade.engine.judge.judge_here``), J at a time (``--fresh-students K``: the
   first K students only, extrapolated linearly);
4. for reference, the checks alone: J interpreters, each importing TensorFlow
   once and running ``judge_here`` on its share of the submissions in turn
   (no isolation, no sandbox): the checks' own compute, a lower bound.

Then ``kerasgrade check`` on one file in a cold process, against the time of
``python -c "import tensorflow"``; and the scores of 1, 2 and 3 compared per
student and exercise. Prints a markdown table ready for the README.

Peak memory is the largest sum, over the process tree, of VmRSS (as asked
for) and of PSS (/proc/PID/smaps_rollup), sampled every 0.2 s. RSS counts a
page that a forked child shares with its zygote in both; PSS shares it out,
so it is the fairer figure for kerasgrade.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kerasgrade.course import COURSE_FILE, Course, load_course  # noqa: E402
from kerasgrade.integrations.nbgrader.notebooks import ASSIGNMENT
from kerasgrade.integrations.nbgrader.course_folder import init_course  # noqa: E402
from tests.test_nbgrader_e2e import _student_notebook  # noqa: E402 - the released notebook + a learner's code

EXAMPLES = """examples:
  python bench/grade_class.py                                   # 40 students, every exercise of course.toml
  python bench/grade_class.py --students 4 --exercise ex01_first_model --nbgrader-students 2
  python bench/grade_class.py --nbgrader-students 5 --keep /tmp/bench   # keep CLASS, OUT and the nbgrader course
  python bench/grade_class.py --nbgrader-students 5 --fresh-students 10  # the README's table
"""

STEPS = ("nbgrader", "fresh", "checks", "cold")  # what --skip may leave out; kerasgrade always runs
# The judge's secret of the kerasgrade run, given to the fresh and warm interpreters too: the same
# file then gets the same draws in all three, so their scores must be equal (made from --seed).
SECRET = "secret"
SAMPLE_EVERY = 0.2  # seconds between two samples of the process tree's memory
CHILD_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}

# A new interpreter that imports TensorFlow and runs the checks of each file given, as the
# grading child does (same judge, seed, secret, time budget per check), without zygote or sandbox.
# argv: course_file threads warm|cold all|public results.jsonl secret_file FILE... ; one JSON line
# per file. With the secret of the kerasgrade run, each file gets the same draws there and here.
# With the single FILE "-", it serves: it reads one path per line on stdin and answers each
# with its JSON line on stdout (the graded code's own output goes to stderr).
CHECKS_CHILD = r'''
import json, os, sys, time
t0 = time.perf_counter()
course_file, threads, warm, which, out, secret_file, files = (sys.argv[1], int(sys.argv[2]), sys.argv[3],
                                                              sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:])
serve = files == ["-"]
if serve:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    files = (line.strip() for line in sys.stdin)
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras
from kerasgrade.checks import catalogue, warm_up
from kerasgrade.scoring import score
from kerasgrade.course import load_course
from kerasgrade.checks import import_grader
from kerasgrade.engine.judge import judge_here, read_secret
course = load_course(course_file)
secret = read_secret(secret_file)
if warm == "warm":
    warm_up()  # as the zygote does before it forks
startup = time.perf_counter() - t0
graders = {}
log = open(out, "a")
for path in files:
    ex = course.exercise_for_file(path)
    if ex.id not in graders:
        graders[ex.id] = import_grader(ex.grader, "kerasgrade_grader_" + ex.id)
    events = []
    student = os.path.basename(os.path.dirname(path))
    t = time.perf_counter()
    judge_here(graders[ex.id], path, include_hidden=which == "all", check_timeout=course.limits.check_timeout,
               seed=course.seed, emit=events.append, student=student, exercise=ex.id, secret=secret)
    checks_s = time.perf_counter() - t
    r = score(student, ex.id, catalogue(graders[ex.id]), events, ended="ok", include_hidden=which == "all",
                file=path)
    row = json.dumps({"student": student, "exercise": ex.id, "startup_s": startup,
                      "checks_s": checks_s, "score": r.score, "max": r.max_points})
    log.write(row + "\n")
    log.flush()
    if serve:
        answers.write(row + "\n")
'''


# -- the class ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hand:
    """What one student handed in for one exercise."""
    student: str
    exercise: str
    kind: str    # "reference" or the mutant's name
    source: Path  # the reference or mutant file the code comes from
    path: Path   # CLASS/<student>/<exercise>.py


def make_class(course: Course, exercises: list[str], students: int, folder: Path, *, seed: int,
               references: float) -> list[Hand]:
    """CLASS/<student>/<exercise>.py: the reference with probability ``references``, else a mutant."""
    rng = random.Random(seed)
    hands = []
    for i in range(1, students + 1):
        student = f"s{i:03d}"
        for eid in exercises:
            ex = course.exercise(eid)
            mutants = ex.mutants
            if mutants and rng.random() >= references:
                source = rng.choice(mutants)
                kind = source.stem
            else:
                source, kind = ex.solution, "reference"
            path = folder / student / f"{eid}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, path)
            hands.append(Hand(student, eid, kind, source, path))
    return hands


def students_of(hands: list[Hand]) -> list[str]:
    return sorted({h.student for h in hands})


# -- measuring a process tree ---------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        kids[int(stat.rpartition(")")[2].split()[1])].append(int(entry.name))
    return kids


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, Pss) of ``pid`` in kB; Pss falls back to RSS where smaps_rollup cannot be read."""
    rss = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return rss, next((int(line.split()[1]) for line in f if line.startswith("Pss:")), rss)
    except (OSError, ValueError):
        return rss, rss


def tree_memory_mb(root: int, include_root: bool = True) -> tuple[float, float]:
    """The sums of VmRSS and of Pss over ``root``'s descendants (and ``root``), in MB."""
    kids = _children()
    pids = [root] if include_root else []
    todo = list(kids.get(root, []))
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += kids.get(pid, [])
    rss = pss = 0
    for pid in pids:
        r, p = _memory_kb(pid)
        rss, pss = rss + r, pss + p
    return rss / 1024, pss / 1024


class PeakMemory:
    """``with PeakMemory(pid) as m: ...`` then ``m.peak_rss``, ``m.peak_pss`` (MB): the largest sums sampled.

    RSS counts a page shared by a zygote and its forked child in both; PSS splits it between them.
    """

    def __init__(self, root: int, include_root: bool = True):
        self.root, self.include_root = root, include_root
        self.peak_rss = self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            rss, pss = tree_memory_mb(self.root, self.include_root)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self._stop.wait(SAMPLE_EVERY)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    wall: float
    memory: PeakMemory | None
    returncode: int
    log: Path


def run_measured(cmd: list[str], log: Path, *, cwd: Path, env: dict | None = None) -> Run:
    """Run ``cmd`` (output to ``log``), timing it and sampling its process tree's memory."""
    with open(log, "w") as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        with PeakMemory(proc.pid) as mem:
            proc.wait()
        return Run(time.monotonic() - start, mem, proc.returncode, log)


def child_env(threads: int | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "KERASGRADE_COURSE"}
    env.update(CHILD_ENV)
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    return env


def require_ok(run: Run, what: str) -> None:
    if run.returncode != 0:
        tail = run.log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{what} failed (exit {run.returncode}); end of {run.log}:\n{tail}")


# -- the ways of grading -------------------------------------------------------------------------

@dataclass
class Timing:
    label: str
    submissions: int          # submissions this run graded
    wall: float
    memory: PeakMemory
    scores: dict = field(default_factory=dict)  # (student, exercise) -> score
    full_wall: float | None = None  # extrapolated to the whole class, when only part was graded
    full_submissions: int | None = None
    note: str = ""
    same_draws: bool = True  # the judge's draws of the kerasgrade run (its secret); False: the course seed's

    @property
    def class_wall(self) -> float:
        return self.full_wall if self.full_wall is not None else self.wall

    @property
    def per_minute(self) -> float:
        return 60 * self.submissions / self.wall if self.wall else 0.0


def bench_kerasgrade(course: Course, hands: list[Hand], work: Path, jobs: int) -> tuple[Timing, dict]:
    out = work / "kerasgrade-out"
    cmd = [sys.executable, "-m", "kerasgrade", "--course", str(course.file), "grade", str(work / "class"),
           "--out", str(out), "--jobs", str(jobs), "--force", "--quiet", "--secret", str(work / SECRET)]
    run = run_measured(cmd, work / "kerasgrade.log", cwd=course.root, env=child_env())
    require_ok(run, "kerasgrade grade")
    book = json.loads((out / "grades.json").read_text())
    scores = {(s, e): r["score"] for s, d in book["students"].items() for e, r in d["exercises"].items()}
    refs = len(list((out / "reference").glob("*.json")))
    sandbox = next((line.strip() for line in run.log.read_text().splitlines()
                    if line.startswith(("sandbox:", "WARNING: no sandbox"))), "sandbox: not announced")
    t = Timing(f"`kerasgrade grade --jobs {jobs}`", len(hands), run.wall, run.memory, scores,
               note=f"+{refs} reference(s) graded for the loss curves")
    return t, {"references": refs, "sandbox": sandbox, "command": shlex.join(cmd)}


def _checks_child(course: Course, files: list[Path], results: Path, *, threads: int, warm: bool,
                  hidden: bool = True, cwd: Path, secret: Path | None = None) -> Run:
    """One ``CHECKS_CHILD`` interpreter grading ``files`` in turn; a line per file in ``results``
    (with ``secret``, the draws of a ``kerasgrade grade --secret`` run; without, ``check``'s)."""
    cmd = [sys.executable, "-c", CHECKS_CHILD, str(course.file), str(threads), "warm" if warm else "cold",
           "all" if hidden else "public", str(results), str(secret or ""), *map(str, files)]
    log = results.with_name(f"{results.stem}-{files[0].parent.name}-{files[0].stem}.log")
    with open(log, "w") as out:
        start = time.monotonic()
        proc = subprocess.run(cmd, cwd=cwd, env=child_env(threads), stdout=out, stderr=subprocess.STDOUT,
                              timeout=course.limits.timeout * len(files) + 300)
    return Run(time.monotonic() - start, None, proc.returncode, log)


def _read_results(path: Path) -> dict:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    return {(r["student"], r["exercise"]): r for r in rows}


def _in_children(label: str, course: Course, batches: list[list[Path]], work: Path, name: str, *,
                 jobs: int, warm: bool) -> tuple[Timing, dict]:
    """Each batch in its own ``CHECKS_CHILD``, ``jobs`` at a time, timed and measured as a whole."""
    results, scratch = work / f"{name}.jsonl", work / f"scratch-{name}"
    scratch.mkdir(exist_ok=True)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    start = time.monotonic()
    with PeakMemory(os.getpid(), include_root=False) as mem, ThreadPoolExecutor(jobs) as pool:
        runs = list(pool.map(lambda files: _checks_child(course, files, results, threads=threads, warm=warm,
                                                         cwd=scratch, secret=work / SECRET), batches))
    wall = time.monotonic() - start
    for run in runs:
        require_ok(run, label)
    rows = _read_results(results)
    return Timing(label, sum(map(len, batches)), wall, mem, {k: r["score"] for k, r in rows.items()}), rows


def first_students(hands: list[Hand], limit: int | None) -> list[Hand]:
    """The submissions of the first ``limit`` students (all, without a limit)."""
    graded = students_of(hands)[:limit] if limit else students_of(hands)
    return [h for h in hands if h.student in graded]


def extrapolate(t: Timing, mine: list[Hand], hands: list[Hand]) -> Timing:
    """A timing of ``mine``, part of the class ``hands``, scaled linearly to the whole class."""
    if len(mine) < len(hands):
        t.full_submissions = len(hands)
        t.full_wall = t.wall / len(mine) * len(hands)
        t.note = (f"{len(students_of(mine))} of {len(students_of(hands))} students graded; whole class "
                  "extrapolated linearly")
    return t


def bench_fresh(course: Course, hands: list[Hand], work: Path, jobs: int,
                limit: int | None) -> tuple[Timing, dict]:
    """A new interpreter per submission (imports TensorFlow, runs the checks), ``jobs`` at a time
    (the first ``limit`` students)."""
    mine = first_students(hands, limit)
    t, rows = _in_children(f"fresh `python` per submission, {jobs} at a time", course, [[h.path] for h in mine],
                           work, "fresh", jobs=jobs, warm=False)
    return extrapolate(t, mine, hands), rows


def bench_checks(course: Course, hands: list[Hand], work: Path, jobs: int) -> tuple[Timing, dict]:
    """The checks' own compute: ``jobs`` warm interpreters, each grading its share in turn, no isolation."""
    shares = [[h.path for h in hands[i::jobs]] for i in range(jobs)]
    return _in_children(f"checks only (lower bound): {jobs} warm interpreter(s), no isolation", course,
                        [s for s in shares if s], work, "inprocess", jobs=jobs, warm=True)


def _nbgrader(folder: Path, log: Path, *args: str) -> Run:
    run = run_measured([sys.executable, "-m", "nbgrader", *args], log, cwd=folder, env=child_env())
    require_ok(run, f"nbgrader {' '.join(args)}")
    return run


def bench_nbgrader(course: Course, hands: list[Hand], exercises: list[str], work: Path,
                   limit: int | None) -> tuple[Timing, dict]:
    """``nbgrader autograde`` on the class's notebooks (the first ``limit`` students)."""
    from nbgrader.api import Gradebook

    folder = work / "nbgrader-course"
    init_course(course, folder, exercises=exercises)
    if course.file.name != COURSE_FILE:  # init_course copies it under its own name; the test cells look for
        shutil.copyfile(course.file, folder / COURSE_FILE)  # course.toml (a course given as --course x.toml)
    generate = _nbgrader(folder, work / "nbgrader-generate.log", "generate_assignment", ASSIGNMENT)
    mine = first_students(hands, limit)
    for h in mine:
        path = folder / "submitted" / h.student / ASSIGNMENT / f"{h.exercise}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        released = folder / "release" / ASSIGNMENT / f"{h.exercise}.ipynb"
        path.write_text(_student_notebook(released, h.path.read_text()))
    run = _nbgrader(folder, work / "nbgrader-autograde.log", "autograde", ASSIGNMENT)
    scores = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        for h in mine:
            scores[(h.student, h.exercise)] = gb.find_submission_notebook(h.exercise, ASSIGNMENT, h.student).score
    # A notebook's test cells draw from the course seed, as `kerasgrade check` does: never the secret.
    t = Timing("`nbgrader autograde` (sequential)", len(mine), run.wall, run.memory, scores, same_draws=False)
    return extrapolate(t, mine, hands), {"generate_s": generate.wall, "students": len(students_of(mine))}


def bench_cold_check(course: Course, file: Path, work: Path, rounds: int = 2) -> dict:
    """``kerasgrade check FILE`` in a fresh process vs ``python -c "import tensorflow"``, and, to break the
    difference down, the same public checks in a plain fresh interpreter; best of ``rounds``, interleaved."""
    imports, checks, plain = [], [], []
    results = work / "cold-plain.jsonl"
    for i in range(rounds):
        run = run_measured([sys.executable, "-c", "import tensorflow"], work / f"import-{i}.log",
                           cwd=work, env=child_env())
        require_ok(run, "python -c 'import tensorflow'")
        imports.append(run.wall)
        cmd = [sys.executable, "-m", "kerasgrade", "--course", str(course.file), "check", str(file)]
        run = run_measured(cmd, work / f"check-{i}.log", cwd=work, env=child_env())
        checks.append(run.wall)
        code = run.returncode
        results.unlink(missing_ok=True)
        run = _checks_child(course, [file], results, threads=os.cpu_count() or 1, warm=True, hidden=False, cwd=work)
        require_ok(run, "the plain run of the public checks")
        (row,) = _read_results(results).values()
        plain.append((run.wall, row["startup_s"], row["checks_s"]))
    wall, startup, checks_s = min(plain)
    return {"import_s": min(imports), "check_s": min(checks), "file": file, "rounds": rounds, "returncode": code,
            "plain_s": wall, "plain_startup_s": startup, "plain_checks_s": checks_s}


# -- comparing and reporting ---------------------------------------------------------------------

def compare_scores(hands: list[Hand], reference: Timing, others: list[Timing]) -> tuple[list[str], list[str]]:
    """Where another way's score differs from kerasgrade's, one line per (student, exercise): the
    defects (the same draws, or a reference: full marks on any draws), and apart the mutants
    graded on other draws (a mistake that some draws catch and others do not)."""
    defects, drawn = [], []
    for h in hands:
        key = (h.student, h.exercise)
        kg = reference.scores.get(key)
        for t in others:
            if key in t.scores and t.scores[key] != kg:
                line = f"  {h.student}/{h.exercise} ({h.kind}): kerasgrade {kg}, {t.label} {t.scores[key]}"
                (defects if t.same_draws or h.kind == "reference" else drawn).append(line)
    return defects, drawn


def _s(x: float) -> str:
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}"


def table(rows: list[Timing], kg: Timing) -> str:
    out = ["| way of grading | submissions | wall (s) | submissions / min | peak memory of the process tree, "
           "RSS / PSS (MB) | time vs kerasgrade |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for t in rows:
        wall = _s(t.wall)
        if t.full_wall is not None:
            wall = f"~{_s(t.full_wall)}* ({_s(t.wall)} for {t.submissions})"
        ratio = "1" if t is kg else f"{t.class_wall / kg.wall:.1f}×"
        out.append(f"| {t.label} | {t.full_submissions or t.submissions} | {wall} | {t.per_minute:.1f} | "
                   f"{t.memory.peak_rss:,.0f} / {t.memory.peak_pss:,.0f} | {ratio} |")
    return "\n".join(out)


def per_exercise(hands: list[Hand], inproc: dict, fresh: dict) -> str:
    out = ["| exercise | submissions | checks in a warm interpreter (s, mean) | fresh interpreter: start-up "
           "+ checks (s, mean) |", "| --- | ---: | ---: | ---: |"]

    def mean(xs):
        return f"{statistics.mean(xs):.1f}" if xs else "–"

    for eid in dict.fromkeys(h.exercise for h in hands):
        keys = [(h.student, h.exercise) for h in hands if h.exercise == eid]
        warm = [inproc[k]["checks_s"] for k in keys if k in inproc]
        cold = [fresh[k]["startup_s"] + fresh[k]["checks_s"] for k in keys if k in fresh]
        out.append(f"| {eid} | {len(keys)} | {mean(warm)} | {mean(cold)} |")
    return "\n".join(out)


def overhead_notes(kg: Timing, kg_info: dict, jobs: int, inproc: dict, fresh: dict) -> list[str]:
    """kerasgrade's time per submission beyond the checks' compute, and a fresh interpreter's start-up."""
    notes = []
    start = statistics.mean(r["startup_s"] for r in fresh.values()) if fresh else None
    if inproc:
        items = kg.submissions + kg_info["references"]
        checks = statistics.mean(r["checks_s"] for r in inproc.values())
        per_item = kg.wall * jobs / items
        text = (f"kerasgrade's overhead per submission beyond the checks' own compute, unpaired (steps 1 and 4 "
                f"run minutes apart on a machine whose speed drifts; `bench/overhead.py` measures it paired, "
                f"with its uncertainty): **{per_item - checks:+.2f} s** "
                f"= {kg.wall:.1f} s wall × {jobs} worker(s) / {items} graded, minus {checks:.2f} s, the mean "
                "time of the same submissions' checks (`kerasgrade.engine.judge.judge_here` timed in a warm "
                "interpreter: kerasgrade's results do not record a time per check). It includes the "
                "workers' start-up (TensorFlow import), fork, sandbox and reports")
        if start is not None and kg.wall > start:
            steady = (kg.wall - start) * jobs / items - checks
            text += (f"; without the workers' start-up (taken as a fresh interpreter's, {start:.1f} s, "
                     f"which runs in parallel in each worker): **{steady:+.2f} s**")
        notes.append(text + ".")
    if start is not None:
        notes.append(f"A fresh interpreter spends {start:.1f} s per submission importing TensorFlow and "
                     "kerasgrade before its first check.")
    return notes


def cold_note(cold: dict, course: Course) -> str:
    extra = cold["check_s"] - cold["import_s"]
    file = cold["file"].relative_to(course.root) if cold["file"].is_relative_to(course.root) else cold["file"]
    failed = "" if cold["returncode"] == 0 else f" (it exited {cold['returncode']}: see check-*.log)"
    return (f"`kerasgrade check {file}` in a cold process: **{cold['check_s']:.1f} s**{failed}; "
            f"`python -c \"import tensorflow\"`: {cold['import_s']:.1f} s (best of {cold['rounds']} each, "
            f"interpreter start and exit included): import {extra:+.1f} s, "
            f"{'within' if extra <= 3 else 'NOT within'} the target of import + 3 s. The same public checks "
            f"in a plain fresh interpreter: {cold['plain_s']:.1f} s, of which {cold['plain_startup_s']:.1f} s "
            f"importing TensorFlow and kerasgrade and warming hypothesis up, {cold['plain_checks_s']:.1f} s "
            f"running the checks, the rest starting and leaving the interpreter; kerasgrade's zygote, "
            f"fork, sandbox and report add {cold['check_s'] - cold['plain_s']:+.1f} s to that.")


def machine() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def first(*names):
        for name in names:
            try:
                return version(name)
            except PackageNotFoundError:
                pass
        return "?"

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} core(s), Python {platform.python_version()}, TensorFlow "
            f"{first('tensorflow', 'tensorflow-cpu')}, Keras {first('keras')}, nbgrader {first('nbgrader')}; "
            f"load average {load} at the start")


def report(args, course, exercises, hands, rows, kg, info, inproc, fresh, cold, before, elapsed) -> None:
    refs = sum(h.kind == "reference" for h in hands)
    print("## Grading a class: kerasgrade, nbgrader, a fresh process per submission\n")
    print(f"{args.students} students × {len(exercises)} exercise(s) ({', '.join(exercises)}) = {len(hands)} "
          f"submissions: {refs} reference solutions, {len(hands) - refs} mutants (seed {args.seed}).\n")
    print(table(rows, kg) + "\n")
    notes = [f"kerasgrade: {kg.note}. {info['kerasgrade']['sandbox']}"]
    nb = next((t for t in rows if t.label.startswith("`nbgrader")), None)
    if nb is not None:
        notes.append(f"nbgrader: measured **{nb.wall / nb.submissions:.1f} s per submission** (a notebook: a new "
                     "kernel that imports TensorFlow, then the check cells); `generate_assignment` took "
                     f"{info['nbgrader']['generate_s']:.1f} s more, not counted.")
    for t in rows:
        if t.full_wall is not None:
            notes.append(f"\\* {t.label.split(',')[0]} EXTRAPOLATED: {t.note} ({t.submissions} submissions "
                         f"measured in {t.wall:.1f} s → ~{t.full_wall:.0f} s for {t.full_submissions}).")
    notes.append("Peak memory: the largest sum over the process tree, sampled every 0.2 s. RSS counts a page "
                 "a forked child shares with its zygote twice; PSS shares it out.")
    notes += overhead_notes(kg, info["kerasgrade"], args.jobs, inproc, fresh)
    if cold:
        notes.append(cold_note(cold, course))
    print("\n".join(f"- {n}" for n in notes))
    if inproc or fresh:
        print("\nPer exercise:\n\n" + per_exercise(hands, inproc, fresh))
    print("\n" + scores_text(hands, rows, kg))
    print("\n" + footer(before, elapsed, "bench/grade_class.py"))


def footer(before: str, elapsed: float, script: str) -> str:
    """The machine's state at the start (``machine()``) and now, the run's length and its command."""
    return (f"Machine: {before}, {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end. "
            f"Whole run: {elapsed / 60:.1f} min.\n"
            f"Command: `{shlex.join(['python', script, *sys.argv[1:]])}`")


def scores_text(hands: list[Hand], rows: list[Timing], kg: Timing) -> str:
    others = [t for t in rows if t is not kg and not t.label.startswith("checks only")]
    mismatches, drawn = compare_scores(hands, kg, others)
    compared = ", ".join(f"{len(t.scores)} from {t.label.split(':')[0].split(',')[0]}" for t in others)
    lines = [f"Scores compared with kerasgrade's grades.json, per student and exercise ({compared}): "
             + (f"**{len(mismatches)} MISMATCH(ES)**" if mismatches else "all equal.")] + mismatches
    if drawn:
        lines.append(f"Mutants graded on other draws (nbgrader's notebooks draw from the course seed, not the "
                     f"secret) that score otherwise: {len(drawn)}, not a mismatch:")
        lines += drawn
    quiet = [t for t in rows if t.label.startswith("checks only")]
    odd = sum(compare_scores(hands, kg, quiet), []) if quiet else []
    if odd:
        lines.append(f"(The warm interpreters, which grade submissions one after another in one process, differ "
                     f"on {len(odd)}; informational.)")
    return "\n".join(lines)


# -- the run -------------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--course", default=str(ROOT), help="course.toml or its folder (default: the repository's)")
    p.add_argument("--students", type=int, default=40, help="students in the class (default 40)")
    p.add_argument("--exercise", action="append", help="only this exercise (repeatable; default: all of course.toml)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers for kerasgrade and "
                   "the fresh-process run (default: cores)")
    p.add_argument("--nbgrader-students", type=int, metavar="K", help="nbgrader grades the first K students "
                   "only; its time for the class is extrapolated linearly (default: all)")
    p.add_argument("--fresh-students", type=int, metavar="K", help="the fresh-process run grades the first K "
                   "students only; its time for the class is extrapolated linearly (default: all)")
    p.add_argument("--references", type=float, default=0.5, help="share of submissions that are the "
                   "reference solution, the others are mutants (default 0.5)")
    p.add_argument("--seed", type=int, default=5, help="seed of the class's make-up (default 5)")
    p.add_argument("--skip", action="append", choices=STEPS, default=[], help="skip a step (repeatable)")
    p.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder, removed)")
    args = p.parse_args(argv)
    if args.students < 1 or args.jobs < 1 or any(k is not None and k < 1 for k in (args.nbgrader_students,
                                                                                   args.fresh_students)):
        p.error("--students, --jobs, --nbgrader-students and --fresh-students must be at least 1")
    if not 0 <= args.references <= 1:
        p.error("--references is a share, between 0 and 1")
    return args


def work_folder(keep: str | None, prefix: str) -> Path:
    """The folder of ``--keep`` (new or empty: old results would mix with the new), else a temporary one."""
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix=prefix))
    if keep and work.exists() and any(work.iterdir()):
        raise SystemExit(f"--keep {work}: the folder exists and is not empty; name a new one")
    work.mkdir(parents=True, exist_ok=True)
    return work


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    course = load_course(args.course)
    exercises = args.exercise or [e.id for e in course.exercises]
    for eid in exercises:
        course.exercise(eid)  # an unknown id stops here, naming the known ones
    work = work_folder(args.keep, "kerasgrade-bench-")
    started, before = time.monotonic(), machine()
    try:
        hands = make_class(course, exercises, args.students, work / "class", seed=args.seed,
                           references=args.references)
        (work / SECRET).write_bytes(hashlib.sha256(f"bench secret {args.seed}".encode()).digest())
        refs = sum(h.kind == "reference" for h in hands)
        say(f"class: {args.students} students × {len(exercises)} exercise(s) = {len(hands)} submissions "
            f"({refs} references, {len(hands) - refs} mutants) in {work / 'class'}")
        rows, info = [], {}
        say("1/5 kerasgrade grade")
        kg, info["kerasgrade"] = bench_kerasgrade(course, hands, work, args.jobs)
        rows.append(kg)
        inproc, fresh = {}, {}
        if "nbgrader" not in args.skip:
            say("2/5 nbgrader generate_assignment + autograde")
            nb, info["nbgrader"] = bench_nbgrader(course, hands, exercises, work, args.nbgrader_students)
            rows.append(nb)
        if "fresh" not in args.skip:
            say("3/5 a fresh interpreter per submission")
            t, fresh = bench_fresh(course, hands, work, args.jobs, args.fresh_students)
            rows.append(t)
        if "checks" not in args.skip:
            say("4/5 the checks alone, in warm interpreters")
            t, inproc = bench_checks(course, hands, work, args.jobs)
            rows.append(t)
        cold = None
        if "cold" not in args.skip:
            say("5/5 kerasgrade check, cold, vs import tensorflow")
            cold = bench_cold_check(course, course.exercise(exercises[0]).solution, work)
        report(args, course, exercises, hands, rows, kg, info, inproc, fresh, cold, before,
               time.monotonic() - started)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
