"""Gradescope's side of the bundle: grade /autograder/submission, write results/results.json.

Run by the bundle's ``run_autograder`` as ``python -m kerasgrade.integrations.gradescope_autograder``. The root
(``/autograder`` on Gradescope) comes from ``KERASGRADE_AUTOGRADER_ROOT``, so a test can
stand a temporary folder in for it. Layout under the root::

    source/autograder.json   which exercises, the overall time limit, workers (from the export)
    source/course/           course.toml and graders/ (no solutions)
    submission/              the learner's files: exNN_topic.py or .ipynb, at any depth
    results/results.json     written here, whatever happens

Grading is kerasgrade's usual isolated grading (``grade.Pool``). The whole run stays
under the time limit: each exercise's budget shrinks to fit, and a watchdog writes
the results graded so far if the limit is reached anyway.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from kerasgrade.course import Course, load_course
from kerasgrade.discover import Submission
from kerasgrade.engine.pool import Pool
from kerasgrade.integrations.gradescope import gradescope_lateness, gradescope_results, with_lateness
from kerasgrade.integrations.gradescope_bundle import (
    AUTOGRADER_ROOT_ENV,
    DEFAULT_AUTOGRADER_ROOT,
    DEFAULT_TIME_LIMIT,
)
from kerasgrade.job import PoolItem
from kerasgrade.result import TIMEOUT, ExerciseResult
from kerasgrade.scoring import score
from kerasgrade.source import SOURCE_SUFFIXES

STUDENT = "submission"
STARTUP_SECONDS = 45.0  # starting a grading worker (importing TensorFlow) on a slow machine
METADATA = "submission_metadata.json"  # Gradescope's, beside submission/: times, due dates, users
MAX_METADATA_BYTES = 4 * 2**20


def read_metadata(root: Path, log=print) -> dict | None:
    """Gradescope's submission metadata, or None (said in the log) when it is absent or unreadable."""
    path = root / METADATA
    try:
        if path.stat().st_size > MAX_METADATA_BYTES:
            raise ValueError(f"larger than {MAX_METADATA_BYTES} bytes")
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as e:
        log(f"{path}: not read ({e}); no late policy from Gradescope's dates")
        return None


def find_submission(folder: Path, exercise: str) -> Path | None:
    """The learner's file for ``exercise``, at any depth (uploads from GitHub or a zip nest it)."""
    found = []
    for suffix in SOURCE_SUFFIXES:
        for p in folder.rglob(f"{exercise}{suffix}"):
            rel = p.relative_to(folder).parts
            if p.is_file() and not p.is_symlink() and not any(s.startswith((".", "__MACOSX")) for s in rel):
                found.append((len(rel), SOURCE_SUFFIXES.index(suffix), str(p), p))
    return min(found)[3] if found else None


def fit_limits(course: Course, n: int, budget: float) -> Course:
    """The course with each exercise's time limit cut so that ``n`` of them fit in ``budget``."""
    per = max(10.0, (budget - STARTUP_SECONDS) / max(1, n))
    if per >= course.limits.timeout:
        return course
    limits = dataclasses.replace(course.limits, timeout=per, check_timeout=min(course.limits.check_timeout, per))
    return dataclasses.replace(course, limits=limits)


def grade(course: Course, submission: Path, exercises: list[str], *, budget: float, jobs: int = 1,
          log=print) -> list[ExerciseResult]:
    """Grade the submitted files (missing ones score 0) within ``budget`` seconds, in exercise order."""
    subs = [Submission(STUDENT, ex, find_submission(submission, ex)) for ex in exercises]
    for s in subs:
        log(f"{s.exercise}: {s.path or 'not submitted'}")
    course = fit_limits(course, sum(s.path is not None for s in subs), budget)
    pool = Pool(course, jobs, announce=lambda level, reason: log(f"sandbox: {level} {reason}".rstrip()))
    done: dict[str, ExerciseResult] = {}
    errors: list[BaseException] = []

    def work():
        try:
            pool.run([PoolItem(s, course.seed, True) for s in subs], lambda _, r: done.setdefault(r.exercise, r))
        except BaseException as e:  # noqa: BLE001 - re-raised below, in the main thread
            errors.append(e)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(budget)
    if worker.is_alive():
        pool.shutdown()  # the limit came first: end the workers, their children and cgroups now
    if errors:
        raise errors[0]
    results = []
    for s in subs:
        if s.exercise in done:
            results.append(done[s.exercise])
            continue
        log(f"{s.exercise}: not finished within the overall limit of {budget:g} s")
        detail = f"the autograder's overall time limit ({budget:g} s) was reached first"
        catalogue = (pool._catalogue or {}).get(s.exercise)  # known once a worker started
        if catalogue is not None:
            results.append(score(STUDENT, s.exercise, catalogue, [], ended="timeout", detail=detail,
                                   file=str(s.path or "")))
        else:
            results.append(ExerciseResult(STUDENT, s.exercise, TIMEOUT, message=f"Not graded: {detail}."))
    return results


def main(root: str | Path | None = None) -> int:
    root = Path(root or os.environ.get(AUTOGRADER_ROOT_ENV, DEFAULT_AUTOGRADER_ROOT))
    start = time.monotonic()
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        settings = json.loads((root / "source" / "autograder.json").read_text(encoding="utf-8"))
        course = load_course(root / "source" / "course" / "course.toml")
        exercises = [course.exercise(ex).id for ex in settings.get("exercises") or [e.id for e in course.exercises]]
        budget = float(settings.get("time_limit", DEFAULT_TIME_LIMIT))
        # Gradescope's dates are read before any learner code runs, so none can have changed them.
        days, due = gradescope_lateness(read_metadata(root), course.late)
        results = grade(course, root / "submission", exercises, budget=budget, jobs=int(settings.get("jobs", 1)))
        doc = gradescope_results(results, weights=course.weights, points=settings.get("points"),
                                 execution_time=time.monotonic() - start)
        doc = with_lateness(doc, days, due, course.late)
        code = 0
    except Exception:  # noqa: BLE001 - the learner gets a message, the instructor the traceback (stdout)
        traceback.print_exc(file=sys.stdout)
        doc = {"score": 0.0, "output": "The autograder itself failed, not your code: your instructor can see "
               "why in the autograder output. Please tell them.", "stdout_visibility": "hidden", "tests": []}
        code = 1
    out.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    print(f"kerasgrade: score {doc['score']:g}, {len(doc['tests'])} test(s), wrote {out} "
          f"in {time.monotonic() - start:.1f} s")
    return code


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    os._exit(status)  # do not wait for a grading worker still running past the limit
