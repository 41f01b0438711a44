"""``kerasgrade mutate`` and ``kerasgrade validate --mutants auto``: grade, report, judge."""
from __future__ import annotations

from contextlib import nullcontext

from kerasgrade.course import Course
from kerasgrade.mutation.mutate import SURVIVOR, Run, below_threshold, mutate_course
from kerasgrade.mutation.report import print_report, write_outputs


def _run_and_report(course: Course, bar=None, **grading) -> Run:
    with bar or nullcontext():  # the progress bar while the mutants are graded, gone before the report
        run = mutate_course(course, **grading)
    print_report(run)
    files = write_outputs(run, grading["out"], title=course.title)
    print(f"wrote {', '.join(str(f) for f in files)}")
    return run


def mutate_main(course: Course, **grading) -> int:
    """Grade and report the mutants; exit status 1 if any survives or a reference loses points."""
    run = _run_and_report(course, **grading)
    return 1 if any(v.count(SURVIVOR) or v.reference_problem for v in run.exercises) else 0


def validate_mutants(course: Course, **grading) -> bool:
    """The generated mutants, held to ``[mutation] min_score``: True if the course meets it."""
    problems = below_threshold(_run_and_report(course, **grading), course.mutation.min_score)
    for p in problems:
        print(f"  mutation: {p}")
    return not problems
