"""The grading pool: zygotes that each fork one isolated child per submission.

``Pool.run`` takes pool items (a submission, its seed, whether hidden checks run), hands each to a
zygote (``zygote_client``), turns what the judge reported into a result (``scoring``) and gives
every result to ``on_result`` as it finishes. A zygote that dies is replaced; a submission that
kills two is that submission's error, never the run's.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import secrets
import threading
from pathlib import Path

from kerasgrade.course import Course
from kerasgrade.discover import Submission
from kerasgrade.engine.sandbox import FULL, end_run
from kerasgrade.engine.zygote_client import Zygote, ZygoteDied
from kerasgrade.errors import KerasgradeError
from kerasgrade.job import Job, PoolItem
from kerasgrade.result import ERROR, MISSING, ExerciseResult
from kerasgrade.scoring import score


def job_for(course: Course, sub: Submission, *, seed: int, include_hidden: bool) -> Job:
    return Job.of(sub, course.limits, seed=seed, include_hidden=include_hidden)


def missing_result(sub: Submission, catalogue: list[dict] | None) -> ExerciseResult:
    total = sum(c["points"] for c in catalogue or [])
    return ExerciseResult(sub.student, sub.exercise, MISSING,
                          message=f"No {sub.exercise}.py (or .ipynb) was handed in.", max_score=total)


def threads_per_worker(jobs: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, jobs))


class SandboxMissing(KerasgradeError):
    pass


def refuse_unless_isolated(level: str, reason: str) -> None:
    """``SandboxMissing`` (one line: what is missing, how to get it) unless the isolation is full."""
    if level != FULL:
        raise SandboxMissing(
            f"refusing to grade without full isolation: {reason}. Run kerasgrade as root on Linux "
            "with namespaces and cgroups (`kerasgrade doctor` says what each defence needs), or, if "
            "you trust every submission, pass --unsandboxed (or set [sandbox] require = false in "
            "course.toml).")


class Pool:
    """``jobs`` zygotes fed from one queue; each result goes to ``on_result`` (from a worker thread).

    A zygote that dies is replaced and the submission it was grading is graded again, once: a
    submission that ends two zygotes is that submission's ERROR. When ``run`` ends, however it
    ends (Ctrl-C too), every zygote, every child and the run's cgroups are gone.
    """

    def __init__(self, course: Course, jobs: int, announce=None, exercises: list[str] | None = None,
                 require_sandbox: bool = False, secret_file: Path | None = None):
        self.course = course
        self.secret_file = secret_file  # the judge's secret (see judge.py); None: none
        self.exercises = exercises  # load only these graders (default: all)
        self.announce = announce  # called once with (level, reason) when the first worker is up
        self.require_sandbox = require_sandbox  # refuse to grade without full isolation
        self.jobs = max(1, jobs)
        self.threads = threads_per_worker(self.jobs)
        self.run_id = f"{os.getpid()}-{secrets.token_hex(4)}"  # its cgroups: kerasgrade/run-<id>
        self._catalogue: dict | None = None
        self._lock = threading.Lock()
        self._zygotes: set[Zygote] = set()
        self._closing = False
        self._kept: list[Zygote] | None = None  # warm zygotes between runs, inside ``kept()``
        self._kept_started: set[Zygote] = set()  # the zygotes ``kept()`` started (calling thread)

    def _zygote(self) -> Zygote:
        z = Zygote(self.course.file, self.threads, self.exercises, run=self.run_id,
                   secret_file=self.secret_file)
        with self._lock:
            self._zygotes.add(z)
            if self._closing:
                raise ZygoteDied("the run is ending")
        if self.require_sandbox:
            refuse_unless_isolated(*z.sandbox)
        with self._lock:
            if self._catalogue is None and self.announce:
                self.announce(*z.sandbox)
            self._catalogue = self._catalogue or z.catalogue
        return z

    def _end(self, z: Zygote | None) -> None:
        if z is not None:
            z.close()
            with self._lock:
                self._zygotes.discard(z)

    @contextlib.contextmanager
    def kept(self):
        """Keep the zygotes warm from one ``run`` to the next until the block ends (``check
        --watch``: a re-check forks from a zygote that has its graders and TensorFlow loaded).

        The kept zygotes are started here, in the calling thread: a zygote ends with the thread
        that started it (``PR_SET_PDEATHSIG`` follows the parent *thread*), so one a worker thread
        started would be gone when that thread ends with its run."""
        self._kept = []
        self._closing = False
        self.refill_kept()
        try:
            yield self
        finally:
            self._kept = None
            self._kept_started.clear()
            self.shutdown()

    def refill_kept(self) -> None:
        """Start kept zygotes, in the calling thread, until there are ``jobs`` of them again (one a
        crash ended during a run was replaced by a worker thread's, which is not kept: it would
        die with that thread). Call it from the thread that entered ``kept()``."""
        while self._kept is not None and len(self._kept) < self.jobs:
            z = self._zygote()
            with self._lock:
                self._kept_started.add(z)
                self._kept.append(z)

    def _take(self) -> Zygote:
        with self._lock:
            if self._kept:
                return self._kept.pop()
        return self._zygote()

    def _give_back(self, z: Zygote | None) -> None:
        """Keep ``z`` warm for the next run if ``kept()`` started it, else end it (a zygote a
        worker thread started ends with that thread)."""
        with self._lock:
            if z in self._kept_started and self._kept is not None and not self._closing:
                self._kept.append(z)
                return
            self._kept_started.discard(z)
        self._end(z)

    def catalogue(self) -> dict:
        if self._catalogue is None:
            self._closing = False
            z = self._zygote()
            self._end(z)
        return self._catalogue

    def run(self, items: list[PoolItem], on_result) -> None:
        """Grade ``items``; ``on_result(item, result)`` as each finishes. Blocks until all are done."""
        todo: queue.Queue = queue.Queue()
        for item in items:
            todo.put((item, 0))
        errors: list[BaseException] = []
        self._closing = False

        def worker():
            zygote = None
            try:
                while not self._closing:
                    try:
                        item, died = todo.get_nowait()
                    except queue.Empty:
                        return
                    if zygote is None:
                        zygote = self._take()
                    try:
                        result = self._one(zygote, item.submission, item.seed, item.include_hidden)
                    except ZygoteDied as e:
                        with self._lock:
                            self._kept_started.discard(zygote)
                        self._end(zygote)
                        zygote = None
                        if self._closing:
                            return
                        if not died:
                            todo.put((item, 1))  # graded again, by a new zygote
                            continue
                        result = self._died_twice(item.submission, item.include_hidden, e)
                    on_result(item, result)
            except BaseException as e:  # noqa: BLE001 - reported after the others finish
                errors.append(e)
                self._closing = True
            finally:
                self._give_back(zygote)

        workers = [threading.Thread(target=worker, daemon=True) for _ in range(min(self.jobs, len(items)))]
        try:
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        finally:
            if self._kept is None or errors:
                self.shutdown()
        if errors:
            raise errors[0]

    def shutdown(self) -> None:
        """Kill every zygote of this pool (with its children) and remove the run's cgroups."""
        self._closing = True
        with self._lock:
            zygotes = list(self._zygotes)
            if self._kept is not None:
                self._kept.clear()
        for z in zygotes:
            z.kill()
        end_run(self.run_id)

    def _died_twice(self, sub: Submission, include_hidden: bool, e: ZygoteDied) -> ExerciseResult:
        catalogue = (self._catalogue or {}).get(sub.exercise, [])
        total = sum(c["points"] for c in catalogue if include_hidden or not c["hidden"])
        return ExerciseResult(sub.student, sub.exercise, ERROR, file=str(sub.path), max_score=total,
                              fingerprint=sub.fingerprint,
                              message=f"Grading this submission stopped the grading worker twice, so it "
                              f"scores 0: does the code attack the grader? Last time: {e}")

    def _one(self, zygote: Zygote, sub: Submission, seed: int, include_hidden: bool) -> ExerciseResult:
        catalogue = zygote.catalogue[sub.exercise]
        specs = [c for c in catalogue if include_hidden or not c["hidden"]]
        if sub.path is None:
            return missing_result(sub, specs)
        if sub.source is None:
            # No fingerprint: nothing was read, so a rerun tries again.
            return ExerciseResult(sub.student, sub.exercise, ERROR, file=str(sub.path),
                                  max_score=sum(c["points"] for c in specs),
                                  message=f"{sub.problem}. It was not graded; hand it in again "
                                  "(or check the file) and regrade.")
        answer = zygote.run(job_for(self.course, sub, seed=seed, include_hidden=include_hidden))
        result = score(sub.student, sub.exercise, catalogue, answer["events"], ended=answer["ended"],
                         detail=answer["detail"], include_hidden=include_hidden, output=answer["output"],
                         file=str(sub.path), fingerprint=sub.fingerprint, seconds=answer.get("elapsed", 0.0))
        if sub.note:
            result = dataclasses.replace(result, message="\n".join(filter(None, [result.message, sub.note])))
        return result
