"""Loss-curve pictures: a failed convergence check shows the learner's curve beside the reference's.

``loss_curve_figures`` names the PNG of each such check beside a student's feedback
(``OUT/feedback/<student>.<exercise>.<check>.png``); ``figures.render`` draws them (with the
report's figures, in processes); ``save_pngs`` writes those drawn.
"""
from __future__ import annotations

from pathlib import Path

from kerasgrade.references import References
from kerasgrade.result import ExerciseResult, Gradebook, failed_curves
from kerasgrade.sanitize import file_stem


def picture_name(student: str, exercise: str, check: str) -> str:
    """The PNG's file name beside a student's feedback (``OUT/feedback/``)."""
    return f"{file_stem(student)}.{exercise}.{check}.png"


def _calls(result: ExerciseResult, refs: References, folder: Path, student: str | None) -> dict[str, tuple]:
    """{check name: (png path, figure call)} of a result's failed convergence checks."""
    from kerasgrade.reports.figures import loss_curves_png

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
    from kerasgrade.reports.figures import render

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
