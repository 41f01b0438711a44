"""The instructor's report: ONE self-contained ``report.html`` (figures inlined as base64 PNG).

What it answers: how did the class score on each exercise; which checks fail most;
which concept the class has not understood (failure rate per concept); and, per
student, a sortable row whose feedback is one click away. The numbers are plain
functions of the ``Gradebook`` (tested on their own); the HTML is built from them.
"""
from __future__ import annotations

import base64
import html
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .curves import failed_curves, picture_name
from .report import feedback_text, late_text
from .result import GRADED, MISSING, Gradebook

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


# -- HTML --------------------------------------------------------------------------------

def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _fmt(x: float) -> str:
    return f"{x:g}"


def _anchor(student: str) -> str:
    return "fb-" + "".join(ch if ch.isalnum() or ch in "-_" else f"_{ord(ch):x}" for ch in student)


CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;
color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px} h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
.sub{color:#666} img{max-width:100%;height:auto}
table{border-collapse:collapse;margin:8px 0} th,td{padding:4px 8px;border-bottom:1px solid #eee;text-align:left}
td.num,th.num{text-align:right} th.sort{cursor:pointer;user-select:none;background:#f6f6f6}
th.sort:after{content:" \\2195";color:#aaa} th.asc:after{content:" \\2191";color:#333}
th.desc:after{content:" \\2193";color:#333}
.missing{color:#999} .error,.timeout{color:#b30000;font-weight:600} .full{color:#1a7f37}
details{margin:6px 0;border:1px solid #e3e3e3;border-radius:4px;padding:4px 10px}
details[open]{background:#fafafa} summary{cursor:pointer;font-weight:600}
pre{white-space:pre-wrap;font-size:12.5px}
"""

JS = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th.sort').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var asc = !th.classList.contains('asc');
      table.querySelectorAll('th.sort').forEach(function (h) { h.classList.remove('asc', 'desc'); });
      th.classList.add(asc ? 'asc' : 'desc');
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
function openFeedback() {
  var el = location.hash && document.getElementById(location.hash.slice(1));
  if (el && el.tagName === 'DETAILS') { el.open = true; el.scrollIntoView(); }
}
window.addEventListener('hashchange', openFeedback);
openFeedback();
"""


def _summary(book: Gradebook) -> str:
    totals = [book.total(s) for s in book.students]
    if not totals:
        return "<p>No results yet: run <code>kerasgrade grade SUBMISSIONS --out OUT</code> first.</p>"
    return (f"<p>{len(totals)} students, {len(book.exercises)} exercise(s). Course total: mean "
            f"{statistics.mean(totals):.1f}%, median {statistics.median(totals):.1f}%, "
            f"{sum(t >= 100 for t in totals)} at 100%.</p>")


def report_figures(book: Gradebook) -> dict[str, tuple]:
    """The report's figures, to draw (``plots.render``): {key: figure call}, the costliest first."""
    from .plots import bars_png, score_bands_png

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


def _distribution(book: Gradebook, figures: dict) -> str:
    percents = exercise_percents(book)
    counts = status_counts(book)
    rows = []
    for ex in book.exercises:
        mean = f"{statistics.mean(percents[ex]):.1f}" if percents[ex] else "-"
        rows.append(f"<tr><td>{html.escape(ex)}</td><td class=num>{len(percents[ex])}</td><td class=num>{mean}</td>"
                    + "".join(f"<td class=num>{counts[ex][k]}</td>" for k in (MISSING, "error", "timeout"))
                    + "</tr>")
    return ("<p>How many students scored in each band of 10 points, per exercise: a dark cell holds a large "
            "share of the exercise's submissions.</p>"
            + _img(figures["distribution"], "score distribution per exercise")
            + "<table><thead><tr><th>exercise</th><th class=num>handed in</th><th class=num>mean %</th>"
            "<th class=num>missing</th><th class=num>crashed</th><th class=num>timed out</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _concepts(book: Gradebook, figures: dict) -> str:
    concepts = concept_failure_rates(book)
    if not concepts:
        return "<p>No check has run yet.</p>"
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td class=num data-v={100 * f / t:.2f}>{100 * f / t:.0f}%</td>"
                   f"<td class=num>{f}/{t}</td></tr>" for k, f, t in concepts)
    return ("<p>Share of the checks of each concept that failed, over every handed-in submission: the top "
            "bars are the ideas to teach again.</p>"
            + _img(figures["concepts"], "failure rate per concept")
            + f"<table><thead><tr><th>concept</th><th class=num>failed</th><th class=num>checks</th></tr></thead>"
              f"<tbody>{rows}</tbody></table>")


def _checks(book: Gradebook, figures: dict) -> str:
    rates = check_failure_rates(book)
    parts = []
    for ex in book.exercises:
        mine = [r for r in rates if r.exercise == ex]
        if not mine:
            continue
        rows = "".join(
            f"<tr><td>{html.escape(r.title)}{' <i>(hidden)</i>' if r.hidden else ''}</td>"
            f"<td>{html.escape(r.concept)}</td><td class=num>{r.percent:.0f}%</td>"
            f"<td class=num>{r.failed}/{r.total}</td></tr>" for r in mine)
        parts.append(
            f"<h3>{html.escape(ex)}</h3>"
            + _img(figures[f"checks:{ex}"], f"failure rate per check of {ex}")
            + "<table><thead><tr><th>check</th><th>concept</th><th class=num>failed</th>"
              f"<th class=num>of</th></tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts) or "<p>No check has run yet.</p>"


def _students(book: Gradebook) -> str:
    with_late = bool(book.lateness) or book.late_policy is not None
    head = "".join(f"<th class='sort num'>{html.escape(ex)}</th>" for ex in book.exercises)
    body = []
    for s in book.students:
        cells = []
        for ex in book.exercises:
            r = book.get(s, ex)
            if r is None:
                cells.append("<td class=num data-v=-1></td>")
                continue
            pct = 100.0 * r.score / r.max_points if r.max_points else 0.0
            cls = r.status if r.status != GRADED else ("full" if pct >= 100 else "")
            mark = f" ({r.status})" if r.status != GRADED else ""
            cells.append(f"<td class='num {cls}' data-v={pct:.2f}>{_fmt(r.score)}/{_fmt(r.max_points)}{mark}</td>")
        total = book.total(s)
        late = ""
        if with_late:
            adjusted = book.adjusted_total(s)
            late = (f"<td data-v='{html.escape(late_text(book, s))}'>{html.escape(late_text(book, s))}</td>"
                    f"<td class=num data-v={adjusted:.2f}>{_fmt(adjusted)}%</td>")
        body.append(f"<tr><td data-v='{html.escape(s)}'><a href='#{_anchor(s)}'>{html.escape(s)}</a></td>"
                    + "".join(cells) + f"<td class=num data-v={total:.2f}>{_fmt(total)}%</td>{late}</tr>")
    late_head = "<th class=sort>late</th><th class='sort num'>adjusted total</th>" if with_late else ""
    return (f"<table class=sortable id=students><thead><tr><th class=sort>student</th>{head}"
            f"<th class='sort num'>total</th>{late_head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            "<p class=sub>Click a column to sort; click a student for their feedback.</p>")


def _feedback(book: Gradebook, feedback_dir: Path | None) -> str:
    parts = []
    for s in book.students:
        images, names = [], {}
        for ex in book.exercises:
            r = book.get(s, ex)
            for c in failed_curves(r) if r else ():
                png = feedback_dir / picture_name(s, ex, c.name) if feedback_dir else None
                if png is not None and png.is_file():
                    names.setdefault((s, ex), {})[c.name] = png.name
                    images.append(_img(png.read_bytes(), f"loss curve of {s} on {ex}: {c.title}"))
        text = feedback_text(book, s, names)
        parts.append(f"<details id='{_anchor(s)}'><summary>{html.escape(s)}: {_fmt(book.total(s))}%</summary>"
                     f"<pre>{html.escape(text)}</pre>{''.join(images)}</details>")
    return "".join(parts)


def report_html(book: Gradebook, *, title: str = "kerasgrade report", feedback_dir: Path | None = None,
                figures: dict | None = None) -> str:
    """The whole report as one HTML string (loss-curve PNGs are read from ``feedback_dir`` when there).

    ``figures``: the drawn ``report_figures`` (``plots.render``), when drawn with others; else drawn here.
    """
    from .plots import render

    figures = figures if figures is not None else render(report_figures(book))
    t = html.escape(title)
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{t}</title>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{CSS}</style></head><body>"
            f"<h1>{t}</h1>{_summary(book)}"
            f"<h2 id=distribution>Score distribution per exercise</h2>{_distribution(book, figures)}"
            f"<h2 id=concepts>Failure rate per concept</h2>{_concepts(book, figures)}"
            f"<h2 id=checks>Failure rate per check</h2>{_checks(book, figures)}"
            f"<h2 id=students-h>Students</h2>{_students(book)}"
            f"<h2 id=feedback>Feedback</h2>{_feedback(book, feedback_dir)}"
            f"<script>{JS}</script></body></html>")


def write_report(book: Gradebook, out: str | Path, *, title: str = "kerasgrade report",
                 figures: dict | None = None) -> Path:
    """Write ``OUT/report.html`` from the gradebook (and ``OUT/feedback/*.png`` if written)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    path.write_text(report_html(book, title=title, feedback_dir=out / "feedback", figures=figures),
                    encoding="utf-8")
    return path
