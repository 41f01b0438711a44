"""``kerasgrade check FILE``: a learner grades one file, with a picture of a failed training curve;
``--watch``: again at every save."""
from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
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


WATCH_POLL = 0.1  # seconds between two looks at the watched file


def contents_stamp(path: Path) -> str | None:
    """What a save changes: the file's bytes (a hash); None while the file is missing (an
    editor's atomic save removes it for a moment)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def watch(path: Path, recheck: Callable[[], None], *, poll: float = WATCH_POLL,
          keep_going: Callable[[], bool] = lambda: True) -> int:
    """Check ``path`` now and again after each save that changed it, until ``keep_going()`` is
    false (Ctrl-C for a learner); how many checks ran. A save is taken once the file has read
    the same twice, ``poll`` apart: an editor's half-written file is not checked."""
    last, checks = contents_stamp(path), 1
    recheck()
    while keep_going():
        time.sleep(poll)
        now = contents_stamp(path)
        if now is None or now == last:
            continue
        time.sleep(poll)
        if contents_stamp(path) != now:
            continue  # still being written
        last, checks = now, checks + 1
        recheck()
    return checks
