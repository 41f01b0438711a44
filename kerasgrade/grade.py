"""Grade many submissions: a pool of zygotes, one isolated child per submission.

``grade_all`` is the pipeline's middle: it takes discovered submissions, runs
each in its own child (``isolate``), turns what the child reported into a
result (``collect``) and hands every result to ``on_result`` as it finishes.
"""
from __future__ import annotations

import json
import os
import queue
import threading
from pathlib import Path

from .collect import collect
from .config import Course
from .discover import Submission
from .isolate import Zygote, ZygoteDied
from .result import ERROR, MISSING, ExerciseResult, Gradebook


def job_for(course: Course, sub: Submission, *, seed: int, include_hidden: bool) -> dict:
    lim = course.limits
    return {"student": sub.student, "exercise": sub.exercise, "file": str(Path(sub.path).resolve()),
            "seed": seed, "include_hidden": include_hidden, "timeout": lim.timeout,
            "check_timeout": lim.check_timeout, "memory_mb": lim.memory_mb, "output_kb": lim.output_kb}


def missing_result(sub: Submission, catalogue: list[dict] | None) -> ExerciseResult:
    total = sum(c["points"] for c in catalogue or [])
    return ExerciseResult(sub.student, sub.exercise, MISSING,
                          message=f"No {sub.exercise}.py (or .ipynb) was handed in.", max_score=total)


def threads_per_worker(jobs: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, jobs))


class Pool:
    """``jobs`` zygotes fed from one queue; each result goes to ``on_result`` (from a worker thread)."""

    def __init__(self, course: Course, jobs: int, announce=None):
        self.course = course
        self.announce = announce  # called once with (level, reason) when the first worker is up
        self.jobs = max(1, jobs)
        self.threads = threads_per_worker(self.jobs)
        self._catalogue: dict | None = None
        self._lock = threading.Lock()

    def catalogue(self) -> dict:
        if self._catalogue is None:
            z = Zygote(self.course.file, self.threads)
            self._catalogue = z.catalogue
            z.close()
        return self._catalogue

    def run(self, items: list[tuple[Submission, int, bool]], on_result) -> None:
        """``items``: (submission, seed, include_hidden). Blocks until all are done."""
        todo: queue.Queue = queue.Queue()
        for item in items:
            todo.put(item)
        errors: list[BaseException] = []

        def worker():
            zygote = None
            try:
                while True:
                    try:
                        sub, seed, hidden = todo.get_nowait()
                    except queue.Empty:
                        return
                    if zygote is None:
                        zygote = Zygote(self.course.file, self.threads)
                        with self._lock:
                            if self._catalogue is None and self.announce:
                                self.announce(*zygote.sandbox)
                            self._catalogue = self._catalogue or zygote.catalogue
                    on_result(self._one(zygote, sub, seed, hidden))
                    if zygote.proc.poll() is not None:
                        zygote = None
            except BaseException as e:  # noqa: BLE001 - reported after the others finish
                errors.append(e)
            finally:
                if zygote is not None:
                    zygote.close()

        workers = [threading.Thread(target=worker, daemon=True) for _ in range(min(self.jobs, len(items)))]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if errors:
            raise errors[0]

    def _one(self, zygote: Zygote, sub: Submission, seed: int, include_hidden: bool) -> ExerciseResult:
        catalogue = zygote.catalogue[sub.exercise]
        if sub.path is None:
            return missing_result(sub, [c for c in catalogue if include_hidden or not c["hidden"]])
        fp = sub.fingerprint
        try:
            answer = zygote.run(job_for(self.course, sub, seed=seed, include_hidden=include_hidden))
        except ZygoteDied as e:
            total = sum(c["points"] for c in catalogue if include_hidden or not c["hidden"])
            return ExerciseResult(sub.student, sub.exercise, ERROR, message=str(e), file=str(sub.path),
                                  fingerprint=fp, max_score=total)
        return collect(sub.student, sub.exercise, catalogue, answer["events"], ended=answer["ended"],
                       detail=answer["detail"], include_hidden=include_hidden, output=answer["output"],
                       file=str(sub.path), fingerprint=fp)


# -- results on disk, one file per submission, so an interrupted run resumes ----------------

def result_path(out: Path, student: str, exercise: str) -> Path:
    return Path(out) / "results" / student / f"{exercise}.json"


def save_result(out: Path, result: ExerciseResult) -> None:
    path = result_path(out, result.student, result.exercise)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(result.to_dict(), indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_result(path: Path) -> ExerciseResult | None:
    """One saved result file, or None if it is missing or unreadable."""
    try:
        return ExerciseResult.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_result(out: Path, sub: Submission) -> ExerciseResult | None:
    """A saved result for this very file (same fingerprint), or None."""
    result = read_result(result_path(out, sub.student, sub.exercise))
    if result is None:
        return None
    if result.fingerprint != sub.fingerprint or result.status == ERROR and "worker" in result.message:
        return None
    return result


def load_gradebook(out: Path, course: Course) -> Gradebook:
    """Every result saved in OUT/results/<student>/<exercise>.json, for the course's exercises."""
    book = Gradebook([e.id for e in course.exercises], course.weights)
    for path in sorted(Path(out).glob("results/*/*.json")):
        result = read_result(path)
        if result is not None and result.exercise in book.exercises:
            book.results[(result.student, result.exercise)] = result
    return book
