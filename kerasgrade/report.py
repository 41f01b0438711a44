"""Reporters: small functions of the results, one per output format."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .result import GRADED, MISSING, ExerciseResult, Gradebook
from .sanitize import clean_text, file_stem, sanitize
from .terminal import console, grid, print_renderable


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class CheckLine:
    """One check as the learner sees it: its mark, title, points and the lines under it."""

    passed: bool
    title: str
    points: str
    details: tuple[tuple[str, str], ...]  # (text, style): style "" or "dim"


@dataclass(frozen=True)
class CheckView:
    """The learner's view of one exercise, before layout: lines above the checks, the checks, and
    lines below them, each (text, style). ``check_lines`` lays it out as text, ``print_check`` with rich."""

    head: tuple[tuple[str, str], ...]
    checks: tuple[CheckLine, ...]
    tail: tuple[tuple[str, str], ...]


def check_view(result: ExerciseResult, *, hidden_count: int = 0, pictures: dict[str, str | None] | None = None
               ) -> CheckView:
    """What the learner reads about one exercise: a line per check, the lesson under each failure.

    ``pictures`` maps a check's name to a PNG drawn for it (a failed training check's loss curve),
    or to None when it could not be drawn.
    """
    head = [(f"{result.exercise}  ({result.file})" if result.file else result.exercise, "bold")]
    if result.status != GRADED and result.message:
        head += [("", ""), *((f"  {m}", "") for m in result.message.splitlines()), ("", "")]
    elif result.message:
        head += [(f"  note: {m}", "dim") for m in result.message.splitlines()]
    seen: dict[str, str] = {}
    checks = []
    for c in result.checks:
        details: list[tuple[str, str]] = []
        if not c.passed and c.message:
            cause = _cause(c.message)
            if cause in seen:
                details.append((f"(same cause as \"{seen[cause]}\")", "dim"))
            elif result.status == GRADED or c.message != result.message:
                seen[cause] = c.title
                details.append((f"[{c.concept}]", ""))
                details += [(m, "") for m in c.message.splitlines()]
        if pictures and c.name in pictures:
            details.append((f"Your loss curve beside the reference's: {pictures[c.name]}" if pictures[c.name]
                            else "Your loss curve could not be drawn: its values are not ones a figure can show.",
                            ""))
        checks.append(CheckLine(c.passed, c.title, f"{_fmt(c.points)}/{_fmt(c.max_points)}", tuple(details)))
    tail = [(f"  Total: {_fmt(result.score)}/{_fmt(result.max_points)}", "bold")]
    if hidden_count:
        tail.append((f"  {hidden_count} more check(s) run when your instructor grades.", "dim"))
    if result.output.strip():
        shown = result.output.strip().splitlines()[-10:]
        tail += [("  Your code printed (last lines):", "dim"), *((f"  | {s}", "dim") for s in shown)]
    return CheckView(tuple(head), tuple(checks), tuple(tail))


def check_lines(result: ExerciseResult, *, hidden_count: int = 0, pictures: dict[str, str | None] | None = None
                ) -> list[str]:
    """``check_view`` as plain text (the feedback files, and ``kerasgrade check`` off a terminal)."""
    view = check_view(result, hidden_count=hidden_count, pictures=pictures)
    width = max((len(c.title) for c in view.checks), default=0)
    lines = [text for text, _ in view.head]
    for c in view.checks:
        lines.append(f"  {'PASS' if c.passed else 'FAIL'}  {c.title.ljust(width)}  {c.points}")
        lines += [f"        {text}" for text, _ in c.details]
    return lines + [text for text, _ in view.tail]


def check_renderable(view: CheckView):
    """``check_view`` for rich: the checks as a table (the lesson under each title), in colour."""
    table = Table.grid(padding=(0, 2, 0, 0), pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    for c in view.checks:
        mark = Text("PASS", style="green") if c.passed else Text("FAIL", style="bold red")
        lines = [Text(c.title), *(Text(text, style=style) for text, style in c.details)]
        table.add_row(mark, Group(*lines), Text(c.points))
    return Group(*(Text(text, style=style) for text, style in view.head), Padding(table, (0, 0, 0, 2), expand=False),
                 *(Text(text, style=style) for text, style in view.tail))


def _cause(message: str) -> str:
    """Messages that differ only in what was being done ("While creating X, ...") share a cause."""
    lines = message.splitlines()
    return "\n".join(lines[1:]) if len(lines) > 1 and lines[0].startswith("While ") else message


def print_check(result: ExerciseResult, hidden_count: int = 0, stream=None, pictures=None) -> None:
    """The learner's view of one exercise: laid out by rich on a terminal, else the feedback's text."""
    result = sanitize(result)
    out = console(stream)
    if out.is_terminal:
        out.print(check_renderable(check_view(result, hidden_count=hidden_count, pictures=pictures)))
    else:
        out.file.write("\n".join(check_lines(result, hidden_count=hidden_count, pictures=pictures)) + "\n")


def failure_note(student: str, what: str, e: Exception) -> str:
    """Why one student's part of an output could not be written (the rest of it was)."""
    return (f"{what} of {clean_text(student, 200)} could not be written ({type(e).__name__}: "
            f"{clean_text(str(e), 500)}); the other students' are complete. Tell the course's maintainers.")


def late_text(book: Gradebook, student: str) -> str:
    """"late (2 days)", "late" or "" for a student, from the manifest `kerasgrade collect` wrote."""
    late = book.late(student)
    if late is None or not late.late:
        return ""
    return "late" if late.days_late is None else f"late ({late.days_late} day{'s' * (late.days_late != 1)})"


def gradebook_rows(book: Gradebook) -> list[list[str]]:
    """The gradebook's cells: a header, then a row per student (a row that cannot be computed
    holds the reason in its total's cell); with late flags (a manifest) or a late policy, "late"
    and "adjusted total" too."""
    with_late = bool(book.lateness) or book.late_policy is not None
    rows = [["student", *book.exercises, "total", *(["late", "adjusted total"] if with_late else [])]]
    for s in book.students:
        try:
            cells = []
            for ex in book.exercises:
                r = book.get(s, ex)
                cells.append(_fmt(r.score) if r else "")
            late = [late_text(book, s), _fmt(book.adjusted_total(s))] if with_late else []
            rows.append([s, *cells, _fmt(book.total(s)), *late])
        except Exception as e:  # noqa: BLE001 - one student's row, never the gradebook
            rows.append([s, *[""] * len(book.exercises), f"ERROR: {failure_note(s, 'The row', e)}",
                         *(["", ""] if with_late else [])])
    return rows


def write_csv(book: Gradebook, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        csv.writer(f).writerows(gradebook_rows(book))


def _student_json(book: Gradebook, s: str) -> dict:
    exercises = {}
    for ex in book.exercises:
        r = book.get(s, ex)
        if r is not None:
            d = r.to_dict()
            exercises[ex] = {k: d[k] for k in ("score", "max_score", "status", "message", "file")}
            exercises[ex]["checks"] = [
                {k: c[k] for k in ("name", "title", "concept", "passed", "points", "max_points",
                                   "hidden", "message")} for c in d["checks"]]
    late = book.late(s)
    entry = {"total": book.total(s), "exercises": exercises,
             "late": bool(late and late.late), "days_late": late.days_late if late else None,
             "submitted_at": late.submitted_at if late else None,
             "adjusted_total": book.adjusted_total(s)}
    json.dumps(entry, allow_nan=False)  # this student's part must be valid JSON on its own
    return entry


def to_json(book: Gradebook) -> dict:
    students = {}
    for s in book.students:
        try:
            students[s] = _student_json(book, s)
        except Exception as e:  # noqa: BLE001 - one student's entry, never the gradebook
            students[s] = {"total": 0.0, "exercises": {}, "error": failure_note(s, "The results", e)}
    return {"exercises": book.exercises, "weights": book.weights, "students": students}


def write_json(book: Gradebook, path: Path) -> None:
    Path(path).write_text(json.dumps(to_json(book), indent=1), encoding="utf-8")


def feedback_text(book: Gradebook, student: str, pictures: dict | None = None) -> str:
    """One student's feedback: every exercise, hidden checks included (graded after the deadline)."""
    lines = [f"Feedback for {student}: {_fmt(book.total(student))}% of the course", ""]
    if late_text(book, student):
        adjusted = book.adjusted_total(student)
        lines[1:1] = [f"Handed in {late_text(book, student)}: {_fmt(adjusted)}% after the late policy"
                      if adjusted != book.total(student) else f"Handed in {late_text(book, student)}."]
    for ex in book.exercises:
        r = book.get(student, ex)
        if r is None:
            continue
        lines += check_lines(r, pictures=(pictures or {}).get((student, ex))) + [""]
    return "\n".join(lines)


def write_feedback(book: Gradebook, folder: Path, pictures: dict | None = None) -> None:
    """``OUT/feedback/<student>.txt`` for every student (``file_stem``: an id that is no valid file
    name gets a made-up one). One whose feedback cannot be made gets a file saying why.

    ``pictures``: {(student, exercise): {check: png file name}} drawn beside the feedback files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for s in book.students:
        try:
            text = feedback_text(book, s, pictures)
        except Exception as e:  # noqa: BLE001 - one student's feedback, never the class's
            text = failure_note(s, "The feedback", e) + "\n"
        (folder / f"{file_stem(s)}.txt").write_text(text, encoding="utf-8", errors="backslashreplace")


def print_gradebook(book: Gradebook, stream=None) -> None:
    """The gradebook as a table: a row per student, a cell per exercise (its status if not
    graded), the total in %, and the late columns when there are any."""
    header, *rows = gradebook_rows(book)
    n = len(book.exercises)
    styled = []
    for s, row in zip(book.students, rows):
        cells = [Text(row[0])]
        for ex, score in zip(book.exercises, row[1:1 + n]):
            r = book.get(s, ex)
            if r is None or r.status == GRADED:
                cells.append(Text(score))
            else:
                cells.append(Text(f"{score} ({r.status})", style="dim" if r.status == MISSING else "red"))
        total = row[1 + n]
        cells.append(Text(total if total.startswith("ERROR") else f"{total} %", style="bold"))
        if len(row) > n + 2:  # late, adjusted total
            cells += [Text(row[n + 2]), Text(f"{row[n + 3]} %" if row[n + 3] else "", style="bold")]
        styled.append(cells)
    print_renderable(grid(header, styled), stream)
