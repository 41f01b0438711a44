"""Find a class's submissions: ``SUBMISSIONS/<student_id>/<exercise>.py`` (or ``.ipynb``)."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from kerasgrade.course import Course
from kerasgrade.errors import KerasgradeError
from kerasgrade.source import SOURCE_SUFFIXES

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
MAX_FILE_BYTES = 16 << 20  # a submission larger than this is not graded (notebooks with outputs fit)


@dataclass(frozen=True)
class Submission:
    """One student's one exercise, with the file's bytes read when it was found.

    Children grade these bytes, never the file, so a file that changes or vanishes
    later changes nothing; ``problem`` says why a file could not be read (then that
    student's result says so).
    """
    student: str
    exercise: str
    path: Path | None  # None: the student did not hand this exercise in
    source: bytes | None = field(default=None, repr=False, compare=False)
    problem: str = ""
    note: str = ""     # for the learner's feedback, e.g. which of two files was graded
    fingerprint: str = field(default="", init=False)  # sha256 of ``source``

    def __post_init__(self):
        if self.path is not None and self.source is None and not self.problem:
            try:
                object.__setattr__(self, "source", read_file(self.path))
            except OSError as e:
                object.__setattr__(self, "problem", f"{self.path} could not be read: "
                                   f"{e.strerror or e}")
        if self.source is not None:
            object.__setattr__(self, "fingerprint", hashlib.sha256(self.source).hexdigest())


def read_file(path: Path) -> bytes:
    """A regular file's bytes (no symlink, FIFO or device, at most ``MAX_FILE_BYTES``)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise OSError(errno.EFBIG, f"larger than {MAX_FILE_BYTES >> 20} MB")
        return b"".join(chunks)
    finally:
        os.close(fd)


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
            path = find_file(student_dir, ex.id)
            others = [f"{ex.id}{s}" for s in SOURCE_SUFFIXES
                      if path is not None and f"{ex.id}{s}" != path.name and (student_dir / f"{ex.id}{s}").is_file()]
            note = ""
            if others:
                note = (f"You handed in {path.name} and {', '.join(others)}: {path.name} was graded. "
                        "Hand in only one of them.")
                warnings.append(f"{sid}: {path.name} and {', '.join(others)} were both handed in; "
                                f"{path.name} is graded")
            submissions.append(Submission(sid, ex.id, path, note=note))
    return submissions, warnings
