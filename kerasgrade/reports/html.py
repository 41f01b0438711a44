"""The instructor's report: ONE self-contained ``report.html`` (figures inlined as base64 PNG).

What it answers: how did the class score on each exercise; which checks fail most;
which concept the class has not understood (failure rate per concept); and, per
student, a sortable row whose feedback is one click away. The numbers are plain
functions of the ``Gradebook`` (tested on their own); the HTML is built from them.
"""
from __future__ import annotations

import base64
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kerasgrade import outdir
from kerasgrade.reports.curves import picture_name
from kerasgrade.reports.feedback import feedback_text
from kerasgrade.reports.wording import failure_note, late_text, points_text
from kerasgrade.result import ERROR, GRADED, MISSING, TIMEOUT, Gradebook, failed_curves

__all__ = ["CheckRate", "exercise_percents", "check_failure_rates", "concept_failure_rates",
           "status_counts", "report_figures", "report_html", "write_report"]


@dataclass(frozen=True)
class CheckRate:
    exercise: str
    name: str
    title: str
    concept: str
    hidden: bool
    failed: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.failed / self.total if self.total else 0.0


def _handed_in(book: Gradebook, exercise: str):
    for s in book.students:
        r = book.get(s, exercise)
        if r is not None and r.status != MISSING:
            yield s, r


def exercise_percents(book: Gradebook) -> dict[str, list[float]]:
    """Each handed-in submission's score in percent of the exercise's points, per exercise."""
    return {ex: [100.0 * r.score / r.max_points if r.max_points else 0.0 for _, r in _handed_in(book, ex)]
            for ex in book.exercises}


def check_failure_rates(book: Gradebook) -> list[CheckRate]:
    """How many handed-in submissions failed each check (a missing file fails nothing: it is counted apart)."""
    rates: dict[tuple[str, str], list] = {}
    for ex in book.exercises:
        for _, r in _handed_in(book, ex):
            for c in r.checks:
                entry = rates.setdefault((ex, c.name), [c, 0, 0])
                entry[1] += not c.passed
                entry[2] += 1
    return [CheckRate(ex, c.name, c.title, c.concept, c.hidden, failed, total)
            for (ex, _), (c, failed, total) in rates.items()]


def concept_failure_rates(book: Gradebook) -> list[tuple[str, int, int]]:
    """(concept, failed checks, checks run) over every exercise, the least understood first."""
    failed, total = Counter(), Counter()
    for rate in check_failure_rates(book):
        failed[rate.concept] += rate.failed
        total[rate.concept] += rate.total
    return sorted(((k, failed[k], total[k]) for k in total), key=lambda t: (-t[1] / t[2], t[0]))


def status_counts(book: Gradebook) -> dict[str, Counter]:
    counts = {ex: Counter() for ex in book.exercises}
    for (_, ex), r in book.results.items():
        if ex in counts:
            counts[ex][r.status] += 1
    return counts


# -- HTML (kerasgrade/templates/report.html.j2, autoescaped) ------------------------------

def _img(png: bytes, alt: str) -> dict:
    return {"alt": alt, "base64": base64.b64encode(png).decode()}


def _anchor(student: str) -> str:
    return "fb-" + "".join(ch if ch.isalnum() or ch in "-_" else f"_{ord(ch):x}" for ch in student)


def _summary(book: Gradebook) -> dict | None:
    totals = [book.total(s) for s in book.students]
    if not totals:
        return None
    return {"students": len(totals), "exercises": len(book.exercises), "mean": statistics.mean(totals),
            "median": statistics.median(totals), "full": sum(t >= 100 for t in totals)}


def report_figures(book: Gradebook) -> dict[str, tuple]:
    """The report's figures, to draw (``plots.render``): {key: figure call}, the costliest first."""
    from kerasgrade.reports.figures import bars_png, score_bands_png

    percents = exercise_percents(book)
    rows = [*percents.items(), ("course total", [book.total(s) for s in book.students])]
    calls = {"distribution": (score_bands_png, {"rows": rows})}
    rates = check_failure_rates(book)
    for ex in book.exercises:
        mine = [(r.title, r.percent) for r in rates if r.exercise == ex]
        if mine:
            calls[f"checks:{ex}"] = (bars_png, {"items": mine, "xlabel": "submissions failing it (%)"})
    concepts = concept_failure_rates(book)
    if concepts:
        calls["concepts"] = (bars_png, {"items": [(k, 100.0 * f / t) for k, f, t in concepts],
                                        "xlabel": "checks failed (%)"})
    return calls


def _figure(figures: dict, key: str, alt: str) -> dict:
    png = figures.get(key)
    return _img(png, alt) if png else {"alt": f"{alt}: could not be drawn", "base64": ""}


def _distribution(book: Gradebook, figures: dict) -> dict:
    percents = exercise_percents(book)
    counts = status_counts(book)
    rows = [{"exercise": ex, "handed_in": len(percents[ex]),
             "mean": f"{statistics.mean(percents[ex]):.1f}" if percents[ex] else "-",
             "missing": counts[ex][MISSING], "error": counts[ex][ERROR], "timeout": counts[ex][TIMEOUT]}
            for ex in book.exercises]
    return {"figure": _figure(figures, "distribution", "score distribution per exercise"), "rows": rows}


def _concepts(book: Gradebook, figures: dict) -> dict:
    rows = concept_failure_rates(book)
    return {"rows": rows, "figure": _figure(figures, "concepts", "failure rate per concept") if rows else None}


def _checks(book: Gradebook, figures: dict) -> list[dict]:
    rates = check_failure_rates(book)
    sections = []
    for ex in book.exercises:
        mine = [r for r in rates if r.exercise == ex]
        if mine:
            sections.append({"exercise": ex, "rates": mine,
                             "figure": _figure(figures, f"checks:{ex}", f"failure rate per check of {ex}")})
    return sections



def _with_late(book: Gradebook) -> bool:
    """Whether the report shows late flags: there is a manifest with them, or a late policy."""
    return bool(book.lateness) or book.late_policy is not None


def _student_row(book: Gradebook, s: str) -> dict:
    row = {"name": s, "anchor": _anchor(s), "problem": ""}
    try:
        cells = []
        for ex in book.exercises:
            r = book.get(s, ex)
            if r is None:
                cells.append(None)
                continue
            pct = 100.0 * r.score / r.max_points if r.max_points else 0.0
            mark = f" ({r.status})" if r.status != GRADED else ""
            cells.append({"percent": pct, "text": f"{points_text(r.score)}/{points_text(r.max_points)}{mark}",
                          "css": r.status if r.status != GRADED else ("full" if pct >= 100 else "")})
        total = book.total(s)
        late = {}
        if _with_late(book):
            adjusted = book.adjusted_total(s)
            late = {"late": late_text(book, s), "adjusted": adjusted, "adjusted_text": points_text(adjusted)}
        return {**row, "cells": cells, "total": total, "total_text": points_text(total), **late}
    except Exception as e:  # noqa: BLE001 - one student's row, never the report
        return {**row, "problem": failure_note(s, "The row", e)}


def _feedback_entry(book: Gradebook, s: str, feedback_dir: Path | None) -> dict:
    entry = {"name": s, "anchor": _anchor(s)}
    try:
        images, names = [], {}
        for ex in book.exercises:
            r = book.get(s, ex)
            for c in failed_curves(r) if r else ():
                png = feedback_dir / picture_name(s, ex, c.name) if feedback_dir else None
                if png is not None and png.is_file():
                    names.setdefault((s, ex), {})[c.name] = png.name
                    images.append(_img(png.read_bytes(), f"loss curve of {s} on {ex}: {c.title}"))
        return {**entry, "total": f"{points_text(book.total(s))}%", "text": feedback_text(book, s, names),
                "images": images}
    except Exception as e:  # noqa: BLE001 - one student's feedback, never the report
        return {**entry, "total": "?", "text": failure_note(s, "The feedback", e), "images": []}


def _templates():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("kerasgrade", "templates"), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html", "html.j2"]), keep_trailing_newline=True)


def report_html(book: Gradebook, *, title: str = "kerasgrade report", feedback_dir: Path | None = None,
                figures: dict | None = None) -> str:
    """The whole report as one HTML string (loss-curve PNGs are read from ``feedback_dir`` when there).

    ``figures``: the drawn ``report_figures`` (``plots.render``), when drawn with others; else drawn here.
    """
    from kerasgrade.reports.figures import render

    figures = figures if figures is not None else render(report_figures(book))
    return _templates().get_template("report.html.j2").render(
        title=title, summary=_summary(book), exercises=book.exercises,
        distribution=_distribution(book, figures), concepts=_concepts(book, figures),
        checks=_checks(book, figures), students=[_student_row(book, s) for s in book.students],
        with_late=_with_late(book),
        feedback=[_feedback_entry(book, s, feedback_dir) for s in book.students])


def write_report(book: Gradebook, out: str | Path, *, title: str = "kerasgrade report",
                 figures: dict | None = None) -> Path:
    """Write ``OUT/report.html`` from the gradebook (and ``OUT/feedback/*.png`` if written)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = outdir.report_html(out)
    path.write_text(report_html(book, title=title, feedback_dir=outdir.feedback_folder(out), figures=figures),
                    encoding="utf-8")
    return path
