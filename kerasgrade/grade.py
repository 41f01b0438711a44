"""Grade many submissions: a pool of zygotes, one isolated child per submission.

``grade_all`` is the pipeline's middle: it takes discovered submissions, runs
each in its own child (``isolate``), turns what the child reported into a
result (``collect``) and hands every result to ``on_result`` as it finishes.
"""
from __future__ import annotations

import dataclasses
import json
import os
import queue
import secrets
import shutil
import threading
from pathlib import Path

from .collect import collect
from .config import Course
from .discover import Submission
from .errors import KerasgradeError
from .isolate import Zygote, ZygoteDied
from .job import Job
from .sandbox import FULL, end_run
from .result import ERROR, MISSING, ExerciseResult, Gradebook
from .sanitize import sanitize


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

    def catalogue(self) -> dict:
        if self._catalogue is None:
            self._closing = False
            z = self._zygote()
            self._end(z)
        return self._catalogue

    def run(self, items: list[tuple[Submission, int, bool]], on_result) -> None:
        """``items``: (submission, seed, include_hidden). Blocks until all are done."""
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
                        (sub, seed, hidden), died = todo.get_nowait()
                    except queue.Empty:
                        return
                    if zygote is None:
                        zygote = self._zygote()
                    try:
                        result = self._one(zygote, sub, seed, hidden)
                    except ZygoteDied as e:
                        self._end(zygote)
                        zygote = None
                        if self._closing:
                            return
                        if not died:
                            todo.put(((sub, seed, hidden), 1))  # graded again, by a new zygote
                            continue
                        result = self._died_twice(sub, hidden, e)
                    on_result(result)
            except BaseException as e:  # noqa: BLE001 - reported after the others finish
                errors.append(e)
                self._closing = True
            finally:
                self._end(zygote)

        workers = [threading.Thread(target=worker, daemon=True) for _ in range(min(self.jobs, len(items)))]
        try:
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        finally:
            self.shutdown()
        if errors:
            raise errors[0]

    def shutdown(self) -> None:
        """Kill every zygote of this pool (with its children) and remove the run's cgroups."""
        self._closing = True
        with self._lock:
            zygotes = list(self._zygotes)
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
        result = collect(sub.student, sub.exercise, catalogue, answer["events"], ended=answer["ended"],
                         detail=answer["detail"], include_hidden=include_hidden, output=answer["output"],
                         file=str(sub.path), fingerprint=sub.fingerprint, seconds=answer.get("elapsed", 0.0))
        if sub.note:
            result = dataclasses.replace(result, message="\n".join(filter(None, [result.message, sub.note])))
        return result


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
        return sanitize(ExerciseResult.from_dict(json.loads(Path(path).read_text(encoding="utf-8"))))
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
                announce=None, progress=None, require_sandbox: bool = True,
                secret: Path | None = None) -> tuple[Gradebook, int]:
    """Grade what ``out`` does not hold yet (everything with ``force``), saving each result as it
    finishes; the gradebook of all ``subs`` and how many were graded now. Without full
    isolation it refuses (``SandboxMissing``) unless ``require_sandbox`` is false."""
    from .curves import References
    from .sandbox import probe

    if require_sandbox:
        refuse_unless_isolated(*probe())  # before anything starts; each zygote checks again

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
        r = sanitize(r)  # what the child's report became, made safe to save and report
        if refs.take(r):
            return
        save_result(out, r)
        with lock:
            book.results[(r.student, r.exercise)] = r
            if progress:
                progress(r, len(todo))

    Pool(course, jobs, announce=announce, require_sandbox=require_sandbox, secret_file=secret_file(out, secret)).run(
        todo + refs.items(todo, book), on_result)
    return book, len(todo)


def secret_file(out: Path, given: Path | None = None) -> Path:
    """The judge's secret: ``given`` (``--secret FILE``, e.g. one file for every shard of a
    class), else OUT/.secret, made once (so a resumed run draws the same inputs), readable by its
    owner only, and never by a grading child."""
    if given is not None:
        if not Path(given).is_file() or Path(given).stat().st_size < 16:
            raise KerasgradeError(f"--secret {given}: not a file of at least 16 bytes (make one with "
                                  f"`head -c 32 /dev/urandom > {given}`)")
        return Path(given).resolve()
    path = Path(out) / ".secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
    return path


def write_outputs(course: Course, book: Gradebook, out: Path, *, jobs: int | None = None) -> list[Path]:
    """grades.csv, grades.json, feedback/ (with loss-curve pictures) and report.html.

    The figures of both (one per learner who failed a training check, and the report's)
    are drawn together, on ``jobs`` processes (default: one per core).
    """
    from .curves import References, drawn_only, loss_curve_figures, save_pngs
    from .htmlreport import report_figures, write_report
    from .plots import render
    from .report import write_csv, write_feedback, write_json
    from .sanitize import sanitize_book

    out = Path(out)
    book = sanitize_book(book)  # a result no reporter can write becomes that student's ERROR
    write_csv(book, out / "grades.csv")
    write_json(book, out / "grades.json")
    names, curves = loss_curve_figures(book, References(course, out / "reference"), out / "feedback")
    figures = render({**report_figures(book), **curves}, jobs or os.cpu_count() or 1)
    written = save_pngs({path: figures[path] for path in curves})
    write_feedback(book, out / "feedback", drawn_only(names, out / "feedback", written))
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
