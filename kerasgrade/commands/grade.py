"""``kerasgrade grade``: grade a class (resuming), then write every output.

``grade_class`` grades what ``OUT`` does not hold yet through the ``Pool`` and saves each result
as it comes (``outdir``); ``write_outputs`` writes the gradebook files, the feedback with its
pictures and the HTML report (``reports``); ``shard_of`` cuts a class for ``--shard K/N``.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from kerasgrade.course import Course
from kerasgrade.discover import Submission
from kerasgrade.engine.pool import Pool, refuse_unless_isolated
from kerasgrade.job import PoolItem
from kerasgrade.outdir import (
    feedback_folder,
    grades_csv,
    grades_json,
    load_result,
    new_gradebook,
    reference_folder,
    report_html,
    save_result,
    secret_file,
)
from kerasgrade.result import ExerciseResult, Gradebook
from kerasgrade.sanitize import sanitize

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
    from kerasgrade.engine.sandbox import probe
    from kerasgrade.references import References

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
            todo.append(PoolItem(s, course.seed, True))
    refs = References(course, reference_folder(out))  # reference loss curves, graded once, cached in OUT
    lock = threading.Lock()

    def on_result(item: PoolItem, r: ExerciseResult) -> None:
        r = sanitize(r)  # what the child's report became, made safe to save and report
        if refs.take(item, r):
            return
        save_result(out, r)
        with lock:
            book.results[(r.student, r.exercise)] = r
            if progress:
                progress(r, len(todo))

    Pool(course, jobs, announce=announce, require_sandbox=require_sandbox, secret_file=secret_file(out, secret)).run(
        todo + refs.items(todo, book), on_result)
    return book, len(todo)


def write_outputs(course: Course, book: Gradebook, out: Path, *, jobs: int | None = None) -> list[Path]:
    """grades.csv, grades.json, feedback/ (with loss-curve pictures) and report.html.

    The figures of both (one per learner who failed a training check, and the report's)
    are drawn together, on ``jobs`` processes (default: one per core).
    """
    from kerasgrade.references import References
    from kerasgrade.reports.curves import drawn_only, loss_curve_figures, save_pngs
    from kerasgrade.reports.feedback import write_feedback
    from kerasgrade.reports.figures import render
    from kerasgrade.reports.gradebook_files import write_csv, write_json
    from kerasgrade.reports.html import report_figures, write_report
    from kerasgrade.sanitize import sanitize_book

    out = Path(out)
    book = sanitize_book(book)  # a result no reporter can write becomes that student's ERROR
    write_csv(book, grades_csv(out))
    write_json(book, grades_json(out))
    names, curves = loss_curve_figures(book, References(course, reference_folder(out)), feedback_folder(out))
    figures = render({**report_figures(book), **curves}, jobs or os.cpu_count() or 1)
    written = save_pngs({path: figures[path] for path in curves})
    write_feedback(book, feedback_folder(out), drawn_only(names, feedback_folder(out), written))
    write_report(book, out, title=course.title, figures=figures)
    return [grades_csv(out), grades_json(out), feedback_folder(out), report_html(out)]
