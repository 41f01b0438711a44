"""Grades to Canvas: the gradebook CSV Canvas imports, matched on its own user ids."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from kerasgrade.errors import KerasgradeError
from kerasgrade.result import Gradebook
from kerasgrade.sanitize import sanitize_book

if TYPE_CHECKING:
    from kerasgrade.manifest import Manifest


# -- Canvas: the gradebook import CSV -----------------------------------------------------

CANVAS_ID_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def read_canvas_roster(path: str | Path) -> list[dict[str, str]]:
    """The students of a Canvas gradebook export (its "Points Possible" and test-student rows dropped)."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise KerasgradeError(f"--roster {path}: cannot read it ({e.strerror})") from None
    if not rows or not {"Student", "ID"} <= set(rows[0]):
        raise KerasgradeError(f"--roster {path}: not a Canvas gradebook export (expected the columns "
                              f"{', '.join(CANVAS_ID_COLUMNS)}); export it from Grades > Export > Export Entire Gradebook")
    return [r for r in rows if r.get("Student", "").strip() not in ("Points Possible", "Student, Test")]


def canvas_rows(book: Gradebook, *, assignment: str, assignment_id: str | None = None, points: float = 100.0,
                roster: list[dict[str, str]] | None = None, id_column: str = "SIS Login ID",
                manifest: "Manifest | None" = None) -> tuple[list[list[str]], list[str]]:
    """Rows of Canvas's gradebook CSV (header, "Points Possible", a row per student) and warnings.

    The score is the course total after the late policy (``Gradebook.adjusted_total``, a
    weighted percentage; the raw total without a policy) scaled to ``points``. A student
    taken in from Canvas (``manifest``) is matched by the Canvas user id the download
    named them with (Canvas's ID column). Otherwise, with a ``roster`` (Canvas's own
    export) each student id is matched against its SIS Login ID, SIS User ID or ID, and
    the row is copied from it; without, the student id goes in ``id_column``.
    """
    if id_column not in CANVAS_ID_COLUMNS[1:4]:
        raise KerasgradeError(f"--id-column {id_column!r}: expected one of {', '.join(CANVAS_ID_COLUMNS[1:4])}")
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    rows = [[*CANVAS_ID_COLUMNS, column], ["Points Possible", "", "", "", "", f"{points:g}"]]
    warnings: list[str] = []
    index: dict[str, int] = {}
    for i, r in enumerate(roster or ()):
        for key in ("SIS Login ID", "SIS User ID", "ID"):
            value = (r.get(key) or "").strip()
            if value:
                index.setdefault(value, i)
                index.setdefault(value.lower(), i)
    matched: set[int] = set()
    book = sanitize_book(book)
    for s in book.students:
        try:
            score = f"{round(book.adjusted_total(s) * points / 100.0, 2):g}"
        except Exception as e:  # noqa: BLE001 - one student's score, never the export
            warnings.append(f"{s}: no score ({type(e).__name__}: {e}); left out (Canvas keeps their current score)")
            continue
        record = manifest.student(s) if manifest else None
        canvas_id = record.platform_ids.get("user_id") if record and record.platform == "canvas" else None
        if canvas_id and roster is not None and canvas_id in index:
            matched.add(index[canvas_id])
            rows.append([(roster[index[canvas_id]].get(c) or "").strip() for c in CANVAS_ID_COLUMNS] + [score])
            continue
        if canvas_id:
            if roster is not None:
                warnings.append(f"{s}: Canvas user {canvas_id} is not in the Canvas roster; row written from "
                                "the manifest")
            rows.append([record.name or s, canvas_id, "", "", "", score])
            continue
        if roster is None:
            ids = dict.fromkeys(CANVAS_ID_COLUMNS, "")
            ids["Student"], ids[id_column] = s, s
            rows.append([ids[c] for c in CANVAS_ID_COLUMNS] + [score])
            continue
        i = index.get(s, index.get(s.lower()))
        if i is None:
            warnings.append(f"{s}: not in the Canvas roster (no SIS Login ID, SIS User ID or ID {s!r}); left out")
            continue
        matched.add(i)
        rows.append([(roster[i].get(c) or "").strip() for c in CANVAS_ID_COLUMNS] + [score])
    for i, r in enumerate(roster or ()):
        if i not in matched:
            warnings.append(f"{r.get('Student', '?')}: in the Canvas roster but has no results (left out: Canvas keeps their current score)")
    return rows, warnings


def write_canvas(rows: list[list[str]], path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
