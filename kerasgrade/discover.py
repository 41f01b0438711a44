"""Find a class's submissions: ``SUBMISSIONS/<student_id>/<exercise>.py`` (or ``.ipynb``)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .config import Course
from .errors import KerasgradeError
from .source import SOURCE_SUFFIXES

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")


@dataclass(frozen=True)
class Submission:
    student: str
    exercise: str
    path: Path | None  # None: the student did not hand this exercise in

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.path) if self.path else ""


def fingerprint(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def find_file(folder: Path, exercise: str) -> Path | None:
    """The student's file for ``exercise``: the ``.py`` if there is one, else the notebook."""
    for suffix in SOURCE_SUFFIXES:
        path = folder / f"{exercise}{suffix}"
        if path.is_file() and not path.is_symlink():
            return path
    return None


def discover(folder: str | Path, course: Course) -> tuple[list[Submission], list[str]]:
    """Every (student, exercise) of the class, in order, and warnings for the instructor."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KerasgradeError(f"{folder}: no such folder. Expected SUBMISSIONS/<student_id>/<exercise>.py")
    submissions, warnings = [], []
    known = {f"{e.id}{s}" for e in course.exercises for s in SOURCE_SUFFIXES}
    students = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise KerasgradeError(f"{folder}: no student folders in it. Expected one sub-folder per "
                              "student: SUBMISSIONS/<student_id>/<exercise>.py")
    for student_dir in students:
        sid = student_dir.name
        if not STUDENT_ID.match(sid):
            warnings.append(f"{student_dir}: skipped, a student id may only use letters, digits and ._@+-")
            continue
        for extra in sorted(student_dir.iterdir()):
            if extra.name not in known and not extra.name.startswith("."):
                warnings.append(f"{sid}: {extra.name} is not a file of this course (ignored)")
        for ex in course.exercises:
            submissions.append(Submission(sid, ex.id, find_file(student_dir, ex.id)))
    return submissions, warnings
