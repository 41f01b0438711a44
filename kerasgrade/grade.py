"""Grade many submissions: a pool of zygotes, one isolated child per submission.

``grade_all`` is the pipeline's middle: it takes discovered submissions, runs
each in its own child (``isolate``), turns what the child reported into a
result (``collect``) and hands every result to ``on_result`` as it finishes.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import threading
from pathlib import Path

from .collect import collect
from .config import Course
from .discover import Submission
from .errors import KerasgradeError
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

    def __init__(self, course: Course, jobs: int, announce=None, exercises: list[str] | None = None):
        self.course = course
        self.exercises = exercises  # load only these graders (default: all)
        self.announce = announce  # called once with (level, reason) when the first worker is up
        self.jobs = max(1, jobs)
        self.threads = threads_per_worker(self.jobs)
        self._catalogue: dict | None = None
        self._lock = threading.Lock()

    def catalogue(self) -> dict:
        if self._catalogue is None:
            z = Zygote(self.course.file, self.threads, self.exercises)
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
                        zygote = Zygote(self.course.file, self.threads, self.exercises)
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
            # No fingerprint: this says nothing of the file, so a rerun grades it again.
            return ExerciseResult(sub.student, sub.exercise, ERROR, message=str(e), file=str(sub.path),
                                  max_score=total)
        return collect(sub.student, sub.exercise, catalogue, answer["events"], ended=answer["ended"],
                       detail=answer["detail"], include_hidden=include_hidden, output=answer["output"],
                       file=str(sub.path), fingerprint=fp, seconds=answer.get("elapsed", 0.0))


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
    """A saved result for this very file (same fingerprint), or None.

    A result the grading worker could not finish (it died) carries no fingerprint, so it
    is graded again.
    """
    result = read_result(result_path(out, sub.student, sub.exercise))
    return result if result is not None and result.fingerprint == sub.fingerprint else None


def new_gradebook(course: Course, out: Path) -> Gradebook:
    """An empty gradebook of the course, with the late policy and OUT/manifest.json's late flags."""
    from .intake.manifest import lateness_of, read_manifest

    return Gradebook([e.id for e in course.exercises], course.weights,
                     lateness=lateness_of(read_manifest(out)), late_policy=course.late)


def load_gradebook(out: Path, course: Course) -> Gradebook:
    """Every result saved in OUT/results/<student>/<exercise>.json, for the course's exercises."""
    book = new_gradebook(course, out)
    for path in sorted(Path(out).glob("results/*/*.json")):
        result = read_result(path)
        if result is not None and result.exercise in book.exercises:
            book.results[(result.student, result.exercise)] = result
    return book


# -- the whole class: grade (resuming), write every output, merge shards ---------------------

def shard_of(subs: list[Submission], k: int, n: int) -> list[Submission]:
    """Shard ``k`` of ``n`` (1-based): every n-th student in sorted order, all their exercises."""
    students = sorted({s.student for s in subs})
    mine = {s for i, s in enumerate(students) if i % n == k - 1}
    return [s for s in subs if s.student in mine]


def grade_class(course: Course, subs: list[Submission], out: Path, *, jobs: int, force: bool = False,
                announce=None, progress=None) -> tuple[Gradebook, int]:
    """Grade what ``out`` does not hold yet (everything with ``force``), saving each result as it
    finishes; the gradebook of all ``subs`` and how many were graded now."""
    from .curves import References

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    book = new_gradebook(course, out)
    todo = []
    for s in subs:
        saved = None if force else load_result(out, s)
        if saved is not None:
            book.results[(s.student, s.exercise)] = saved
        else:
            todo.append((s, course.seed, True))
    refs = References(course, out / "reference")  # reference loss curves, graded once, cached in OUT
    lock = threading.Lock()

    def on_result(r: ExerciseResult) -> None:
        if refs.take(r):
            return
        save_result(out, r)
        with lock:
            book.results[(r.student, r.exercise)] = r
            if progress:
                progress(r, len(todo))

    Pool(course, jobs, announce=announce).run(todo + refs.items(todo, book), on_result)
    return book, len(todo)


def write_outputs(course: Course, book: Gradebook, out: Path, *, jobs: int | None = None) -> list[Path]:
    """grades.csv, grades.json, feedback/ (with loss-curve pictures) and report.html.

    The figures of both (one per learner who failed a training check, and the report's)
    are drawn together, on ``jobs`` processes (default: one per core).
    """
    from .curves import References, loss_curve_figures, save_pngs
    from .htmlreport import report_figures, write_report
    from .plots import render
    from .report import write_csv, write_feedback, write_json

    out = Path(out)
    write_csv(book, out / "grades.csv")
    write_json(book, out / "grades.json")
    names, curves = loss_curve_figures(book, References(course, out / "reference"), out / "feedback")
    figures = render({**report_figures(book), **curves}, jobs or os.cpu_count() or 1)
    save_pngs({path: figures[path] for path in curves})
    write_feedback(book, out / "feedback", names)
    write_report(book, out, title=course.title, figures=figures)
    return [out / "grades.csv", out / "grades.json", out / "feedback", out / "report.html"]


def merge(course: Course, shards: list[Path], out: Path) -> Gradebook:
    """Join the results of shard runs into ``out`` (results and reference cache copied)."""
    out = Path(out)
    seen: dict[tuple[str, str], Path] = {}
    for shard in shards:
        shard = Path(shard)
        if not (shard / "results").is_dir():
            raise KerasgradeError(f"{shard}: no results/ folder in it; is it the --out of a "
                                  "`kerasgrade grade --shard K/N` run?")
        for path in sorted(shard.glob("results/*/*.json")):
            key = (path.parent.name, path.stem)
            if key in seen and seen[key].read_bytes() != path.read_bytes():
                raise KerasgradeError(f"{path}: {key[0]}/{key[1]} was graded in two shards with different "
                                      f"results (also in {seen[key]}); were the shards cut from the same class?")
            seen[key] = path
            target = result_path(out, *key)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        manifest = shard / "manifest.json"  # `kerasgrade collect`'s, carried by grade: the same in every shard
        if manifest.is_file():
            if (out / "manifest.json").is_file() and (out / "manifest.json").read_bytes() != manifest.read_bytes():
                raise KerasgradeError(f"{manifest}: differs from another shard's manifest.json; were the shards "
                                      "cut from the same SUBMISSIONS folder?")
            out.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(manifest, out / "manifest.json")
        for ref in sorted(shard.glob("reference/*.json")):
            (out / "reference").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ref, out / "reference" / ref.name)
    return load_gradebook(out, course)
