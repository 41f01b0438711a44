"""``OUT/feedback/<student>.txt``: each student's checks, lessons and pictures, in plain text."""
from __future__ import annotations

from pathlib import Path

from kerasgrade.reports.check_view import check_lines, points_text
from kerasgrade.reports.wording import failure_note, late_text
from kerasgrade.result import Gradebook
from kerasgrade.sanitize import file_stem


def feedback_text(book: Gradebook, student: str, pictures: dict | None = None) -> str:
    """One student's feedback: every exercise, hidden checks included (graded after the deadline)."""
    lines = [f"Feedback for {student}: {points_text(book.total(student))}% of the course", ""]
    if late_text(book, student):
        adjusted = book.adjusted_total(student)
        lines[1:1] = [f"Handed in {late_text(book, student)}: {points_text(adjusted)}% after the late policy"
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
