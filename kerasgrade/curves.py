"""Learner feedback with a picture: a failed convergence check shows the loss curves.

A training check records the learner's loss per epoch (``CheckResult.data["loss"]``).
The reference's curve comes from grading the reference solution, in the
trusted parent, through the same ``Pool`` as the learners: once per exercise,
then cached (``OUT/reference/`` for ``grade``, the user's cache for ``check``)
under a key of the solution, the grader and the seed, so a changed solution
or grader is graded again. ``kerasgrade grade`` adds the reference jobs to its
own queue (``References.items``) and routes their results back here
(``References.take``); nothing else ever sees them.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from . import __version__
from .config import Course
from .discover import Submission
from .result import GRADED, TRAINING, CheckResult, ExerciseResult, Gradebook
from .sanitize import file_stem

__all__ = ["REFERENCE_STUDENT", "References", "failed_curves", "draw_curves", "loss_curve_figures",
           "save_pngs", "learner_curves", "user_cache", "picture_name"]

# Not a valid student id (ids start with a letter or digit), so it never meets a real student.
REFERENCE_STUDENT = "_reference"


def failed_curves(result: ExerciseResult) -> list[CheckResult]:
    """The failed convergence checks of a result that recorded a loss curve."""
    return [c for c in result.checks if c.concept == TRAINING and not c.passed and c.data.get("loss")]


def picture_name(student: str, exercise: str, check: str) -> str:
    """The PNG's file name beside a student's feedback (``OUT/feedback/``)."""
    return f"{file_stem(student)}.{exercise}.{check}.png"


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

    def items(self, todo=(), book: Gradebook | None = None) -> list[tuple[Submission, int, bool]]:
        """Pool items grading the references not cached yet: for the exercises graded in ``todo``
        (pool items) and those of ``book`` with a failed convergence curve, when a solution exists."""
        wanted = [s.exercise for s, _, _ in todo if s.path is not None]
        wanted += [ex for (_, ex), r in sorted((book.results if book else {}).items()) if failed_curves(r)]
        items = []
        for exercise in dict.fromkeys(wanted):
            if self.get(exercise) is None and self.key(exercise) is not None:
                sub = Submission(REFERENCE_STUDENT, exercise, self.course.exercise(exercise).solution)
                items.append((sub, self.course.seed, True))
        return items

    def take(self, result: ExerciseResult) -> bool:
        """Keep ``result`` if it is a reference's (and say so); other results are not ours."""
        if result.student != REFERENCE_STUDENT:
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


def _calls(result: ExerciseResult, refs: References, folder: Path, student: str | None) -> dict[str, tuple]:
    """{check name: (png path, figure call)} of a result's failed convergence checks."""
    from .plots import loss_curves_png

    calls = {}
    for c in failed_curves(result):
        name = picture_name(student, result.exercise, c.name) if student else f"{result.exercise}.{c.name}.png"
        calls[c.name] = (Path(folder) / name, (loss_curves_png, {
            "learner": c.data["loss"], "reference": refs.curve(result.exercise, c.name),
            "title": f"{result.exercise}: {c.title}"}))
    return calls


def save_pngs(pngs: dict[Path, bytes | None]) -> set[Path]:
    """Write each PNG to its path (those that could not be drawn, None, are not); the paths written."""
    written = set()
    for path, png in pngs.items():
        if png:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
            written.add(path)
    return written


def drawn_only(names: dict[tuple[str, str], dict[str, str]], folder: Path, written: set[Path]
               ) -> dict[tuple[str, str], dict[str, str | None]]:
    """``loss_curve_figures``'s names, None for a picture ``save_pngs`` did not write in ``folder``
    (it could not be drawn: the feedback says so)."""
    return {key: {c: n if Path(folder) / n in written else None for c, n in mine.items()}
            for key, mine in names.items()}


def draw_curves(result: ExerciseResult, refs: References, folder: Path, *, student: str | None = None
                ) -> dict[str, Path]:
    """A PNG per failed convergence check of ``result``, in ``folder``: {check name: path}.

    Named ``picture_name(student, ...)`` for a class's feedback, ``<exercise>.<check>.png`` for one learner.
    """
    from .plots import render

    calls = _calls(result, refs, folder, student)
    written = save_pngs(render(dict(calls.values())))
    return {name: path for name, (path, _) in calls.items() if path in written}


def loss_curve_figures(book: Gradebook, refs: References, folder: str | Path
                       ) -> tuple[dict[tuple[str, str], dict[str, str]], dict[Path, tuple]]:
    """The loss-curve PNGs of a class's feedback, to draw (``plots.render``) and save (``save_pngs``):
    their names per (student, exercise) and check, and {path: figure call}."""
    calls = {key: _calls(r, refs, Path(folder), key[0]) for key, r in sorted(book.results.items(), key=_order)}
    names = {key: {check: path.name for check, (path, _) in mine.items()} for key, mine in calls.items() if mine}
    return names, dict(pair for mine in calls.values() for pair in mine.values())


def _order(item) -> tuple[str, str]:
    (student, exercise), _ = item
    return str(student), str(exercise)


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
