"""The reference solution's results, graded once and cached: its loss curves are the learners' yardstick.

A training check records the learner's loss per epoch (``CheckResult.data["loss"]``); the
reference's curve comes from grading the reference solution through the same ``Pool`` as the
learners, once per exercise, then cached (``OUT/reference/`` for ``grade``, the user's cache for
``check``) under a key of the solution, the grader, the seed and kerasgrade's version, so a
changed solution or grader is graded again. ``References.items`` adds the jobs to a run's queue;
``References.take`` routes their results back here; nothing else ever sees them.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from kerasgrade import __version__
from kerasgrade.course import Course
from kerasgrade.discover import Submission
from kerasgrade.job import REFERENCE, PoolItem
from kerasgrade.result import GRADED, ExerciseResult, Gradebook, failed_curves

# The reference's results are labelled so (never a valid student id, which starts with a letter
# or a digit); they are told apart by their pool item's purpose, not by this label.
REFERENCE_STUDENT = "_reference"


def user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kerasgrade" / "reference"


class References:
    """The reference solution's result per exercise, graded at most once per key, kept in ``folder``."""

    def __init__(self, course: Course, folder: str | Path):
        self.course = course
        self.folder = Path(folder)
        self._results: dict[str, ExerciseResult] = {}

    def key(self, exercise: str) -> str | None:
        ex = self.course.exercise(exercise)
        if not ex.solution.is_file():
            return None
        h = hashlib.sha256()
        for part in (ex.solution.read_bytes(), ex.grader.read_bytes(), str(self.course.seed).encode(),
                     __version__.encode()):
            h.update(hashlib.sha256(part).digest())
        return h.hexdigest()

    def _path(self, exercise: str) -> Path:
        return self.folder / f"{exercise}.json"

    def get(self, exercise: str) -> ExerciseResult | None:
        """The cached reference result, if it is still the one for today's solution and grader."""
        if exercise in self._results:
            return self._results[exercise]
        key = self.key(exercise)
        try:
            saved = json.loads(self._path(exercise).read_text(encoding="utf-8"))
            if key is None or saved["key"] != key:
                return None
            result = ExerciseResult.from_dict(saved["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._results[exercise] = result
        return result

    def items(self, todo: list[PoolItem] = (), book: Gradebook | None = None) -> list[PoolItem]:
        """Pool items grading the references not cached yet: for the exercises graded in ``todo``
        (pool items) and those of ``book`` with a failed convergence curve, when a solution exists."""
        wanted = [i.submission.exercise for i in todo if i.submission.path is not None]
        wanted += [ex for (_, ex), r in sorted((book.results if book else {}).items()) if failed_curves(r)]
        items = []
        for exercise in dict.fromkeys(wanted):
            if self.get(exercise) is None and self.key(exercise) is not None:
                sub = Submission(REFERENCE_STUDENT, exercise, self.course.exercise(exercise).solution)
                items.append(PoolItem(sub, self.course.seed, True, purpose=REFERENCE))
        return items

    def take(self, item: PoolItem, result: ExerciseResult) -> bool:
        """Keep ``result`` if ``item`` was a reference's (and say so); other results are not ours."""
        if item.purpose != REFERENCE:
            return False
        if result.status == GRADED:  # a crashed reference is not cached: it is retried next run
            self._results[result.exercise] = result
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                tmp = self._path(result.exercise).with_suffix(f".tmp{os.getpid()}")
                tmp.write_text(json.dumps({"key": self.key(result.exercise), "result": result.to_dict()}),
                               encoding="utf-8")
                os.replace(tmp, self._path(result.exercise))
            except OSError:
                pass  # no cache: the reference is graded again next time
        return True

    def curve(self, exercise: str, check: str) -> list[float] | None:
        ref = self.get(exercise)
        for c in ref.checks if ref else ():
            if c.name == check:
                return c.data.get("loss") or None
        return None
