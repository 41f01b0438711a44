"""Reporters: small functions of the results, one per output format."""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

from .result import GRADED, ExerciseResult, Gradebook


def _fmt(x: float) -> str:
    return f"{x:g}"


def _use_color(stream) -> bool:
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ


def check_lines(result: ExerciseResult, *, hidden_count: int = 0, color: bool = False,
                pictures: dict[str, str] | None = None) -> list[str]:
    """The learner's view of one exercise: a line per check, the lesson under each failure.

    ``pictures`` maps a check's name to a PNG drawn for it (a failed training check's loss curve).
    """
    green, red, dim, off = ("\033[32m", "\033[31m", "\033[2m", "\033[0m") if color else ("",) * 4
    lines = [f"{result.exercise}  ({result.file})" if result.file else result.exercise]
    if result.status != GRADED and result.message:
        lines += ["", *(f"  {m}" for m in result.message.splitlines()), ""]
    elif result.message:
        lines += [f"  {dim}note: {m}{off}" for m in result.message.splitlines()]
    width = max((len(c.title) for c in result.checks), default=0)
    seen: dict[str, str] = {}
    for c in result.checks:
        mark = f"{green}PASS{off}" if c.passed else f"{red}FAIL{off}"
        lines.append(f"  {mark}  {c.title.ljust(width)}  {_fmt(c.points)}/{_fmt(c.max_points)}")
        if not c.passed and c.message:
            cause = _cause(c.message)
            if cause in seen:
                lines.append(f"        {dim}(same cause as \"{seen[cause]}\"){off}")
            elif result.status == GRADED or c.message != result.message:
                seen[cause] = c.title
                lines.append(f"        [{c.concept}]")
                lines += [f"        {m}" for m in c.message.splitlines()]
        if pictures and c.name in pictures:
            lines.append(f"        Your loss curve beside the reference's: {pictures[c.name]}")
    lines.append(f"  Total: {_fmt(result.score)}/{_fmt(result.max_points)}")
    if hidden_count:
        lines.append(f"  {dim}{hidden_count} more check(s) run when your instructor grades.{off}")
    if result.output.strip():
        shown = result.output.strip().splitlines()[-10:]
        lines += [f"  {dim}Your code printed (last lines):{off}", *(f"  {dim}| {s}{off}" for s in shown)]
    return lines


def _cause(message: str) -> str:
    """Messages that differ only in what was being done ("While creating X, ...") share a cause."""
    lines = message.splitlines()
    return "\n".join(lines[1:]) if len(lines) > 1 and lines[0].startswith("While ") else message


def print_check(result: ExerciseResult, hidden_count: int = 0, stream=None, pictures=None) -> None:
    stream = stream or sys.stdout
    print("\n".join(check_lines(result, hidden_count=hidden_count, color=_use_color(stream),
                                pictures=pictures)), file=stream)


def late_text(book: Gradebook, student: str) -> str:
    """"late (2 days)", "late" or "" for a student, from the manifest `kerasgrade collect` wrote."""
    late = book.late(student)
    if late is None or not late.late:
        return ""
    return "late" if late.days_late is None else f"late ({late.days_late} day{'s' * (late.days_late != 1)})"


def gradebook_rows(book: Gradebook) -> list[list[str]]:
    """A row per student; with late flags (a manifest) or a late policy, "late" and "adjusted total" too."""
    with_late = bool(book.lateness) or book.late_policy is not None
    rows = [["student", *book.exercises, "total", *(["late", "adjusted total"] if with_late else [])]]
    for s in book.students:
        cells = []
        for ex in book.exercises:
            r = book.get(s, ex)
            cells.append(_fmt(r.score) if r else "")
        late = [late_text(book, s), _fmt(book.adjusted_total(s))] if with_late else []
        rows.append([s, *cells, _fmt(book.total(s)), *late])
    return rows


def write_csv(book: Gradebook, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(gradebook_rows(book))


def to_json(book: Gradebook) -> dict:
    students = {}
    for s in book.students:
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
        students[s] = {"total": book.total(s), "exercises": exercises,
                       "late": bool(late and late.late), "days_late": late.days_late if late else None,
                       "submitted_at": late.submitted_at if late else None,
                       "adjusted_total": book.adjusted_total(s)}
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
    """``pictures``: {(student, exercise): {check: png file name}} drawn beside the feedback files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for s in book.students:
        (folder / f"{s}.txt").write_text(feedback_text(book, s, pictures), encoding="utf-8")


def print_gradebook(book: Gradebook, stream=None) -> None:
    stream = stream or sys.stdout
    rows = gradebook_rows(book)
    extra = [""] * (len(rows[0]) - len(book.exercises) - 2)
    statuses = [["", *[""] * len(book.exercises), "", *extra]]
    for s in book.students:
        marks = []
        for ex in book.exercises:
            r = book.get(s, ex)
            marks.append("" if r is None or r.status == GRADED else f"({r.status})")
        statuses.append(["", *marks, "%", *extra[:-1], *(["%"] if extra else [])])
    table = [[f"{a} {b}".strip() for a, b in zip(row, st)] for row, st in zip(rows, statuses)]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip(), file=stream)
