"""How every report words what it shows: points, lateness, a student's part it could not write."""
from __future__ import annotations

from kerasgrade.result import Gradebook
from kerasgrade.sanitize import clean_text


def points_text(x: float) -> str:
    """Points as the reports print them: 2, 0.5, 1.25 (no trailing zeros)."""
    return f"{x:g}"


def late_text(book: Gradebook, student: str) -> str:
    """"late (2 days)", "late" or "" for a student, from the manifest `kerasgrade collect` wrote."""
    late = book.late(student)
    if late is None or not late.late:
        return ""
    return "late" if late.days_late is None else f"late ({late.days_late} day{'s' * (late.days_late != 1)})"


def failure_note(student: str, what: str, e: Exception) -> str:
    """Why one student's part of an output could not be written (the rest of it was)."""
    return (f"{what} of {clean_text(student, 200)} could not be written ({type(e).__name__}: "
            f"{clean_text(str(e), 500)}); the other students' are complete. Tell the course's maintainers.")
