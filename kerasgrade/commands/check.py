"""``kerasgrade check FILE``: a learner grades one file, with a picture of a failed training curve."""
from __future__ import annotations

import tempfile
from pathlib import Path

from kerasgrade.course import Course
from kerasgrade.references import References, user_cache
from kerasgrade.reports.curves import draw_curves
from kerasgrade.result import ExerciseResult, Gradebook, failed_curves


def learner_curves(course: Course, pool, result: ExerciseResult, *, cache: Path | None = None) -> dict[str, str]:
    """For ``kerasgrade check``: the PNG paths of a learner's failed convergence checks.

    The reference is graded through ``pool`` only when a curve is needed and the
    cache does not hold it. The PNGs go to ``kerasgrade-plots/`` beside the
    learner's file, or to a temporary folder when that is not writable.
    """
    if not failed_curves(result):
        return {}
    refs = References(course, cache or user_cache())
    todo = refs.items(book=Gradebook([result.exercise], {}, {(result.student, result.exercise): result}))
    if todo:
        pool.run(todo, refs.take)
    try:
        drawn = draw_curves(result, refs, Path(result.file).resolve().parent / "kerasgrade-plots")
    except OSError:
        drawn = draw_curves(result, refs, Path(tempfile.mkdtemp(prefix="kerasgrade-plots-")))
    return {name: str(path) for name, path in drawn.items()}
