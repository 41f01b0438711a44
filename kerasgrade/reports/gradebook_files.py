"""The gradebook as files: ``grades.csv`` (a row per student) and ``grades.json``."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from kerasgrade.reports.wording import failure_note, late_text, points_text
from kerasgrade.result import Gradebook


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
                cells.append(points_text(r.score) if r else "")
            late = [late_text(book, s), points_text(book.adjusted_total(s))] if with_late else []
            rows.append([s, *cells, points_text(book.total(s)), *late])
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
