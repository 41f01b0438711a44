"""The grading messages: a ``PoolItem`` (what a run asks the pool to grade, and why), a ``Job``
(what the parent sends a zygote for one submission) and a ``JudgeTask`` (what the zygote tells
its judge about it).

The parent read the submission into memory when it collected the class
(``discover.Submission``); the job carries those bytes, so the child grades
exactly what was fingerprinted and never needs the file itself. Every limit's
default is ``course.Limits``'s.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from kerasgrade.course import Limits

if TYPE_CHECKING:
    from kerasgrade.discover import Submission

_LIMITS = Limits()

# What a pool item is graded for: results are routed by it, never by a made-up student id.
STUDENT = "student"        # a learner's file: a gradebook result
REFERENCE = "reference"    # the course's reference solution: its loss curves, cached (references.py)
COURSE_FILE = "course file"  # a solution, mutant, alternative or stub that validate or mutate grades


@dataclass(frozen=True)
class PoolItem:
    """One submission for the pool (``engine.pool``), its seed, and what it is graded for."""
    submission: "Submission"
    seed: int
    include_hidden: bool = True
    purpose: str = STUDENT


@dataclass(frozen=True)
class Job:
    student: str
    exercise: str
    filename: str                # where the file was: for messages and tracebacks only
    source: bytes                # the file's bytes as read at discovery
    seed: int = 0
    include_hidden: bool = True
    timeout: float = _LIMITS.timeout
    check_timeout: float = _LIMITS.check_timeout
    memory_mb: int = _LIMITS.memory_mb
    output_kb: int = _LIMITS.output_kb
    tmp_mb: int = _LIMITS.tmp_mb
    max_pids: int = _LIMITS.max_pids

    @classmethod
    def of(cls, submission, limits: Limits, *, seed: int, include_hidden: bool) -> "Job":
        """The job grading ``submission`` (a ``discover.Submission`` with its bytes) under ``limits``."""
        return cls(submission.student, submission.exercise, str(submission.path), submission.source,
                   seed=seed, include_hidden=include_hidden, timeout=limits.timeout,
                   check_timeout=limits.check_timeout, memory_mb=limits.memory_mb,
                   output_kb=limits.output_kb, tmp_mb=limits.tmp_mb, max_pids=limits.max_pids)

    def to_json(self) -> str:
        d = asdict(self)
        d["source"] = base64.b64encode(self.source).decode("ascii")
        return json.dumps(d)

    @classmethod
    def from_json(cls, text: str) -> "Job":
        """The job ``to_json`` wrote; ``ValueError`` for anything else."""
        return _typed(cls, json.loads(text), "job", convert=_decode_source)


@dataclass(frozen=True)
class JudgeTask:
    """What the judge knows of one submission: the code its child imported (or why it could not
    be read), whose it is, and the job's settings. The zygote sends it as a protocol message."""
    student: str
    exercise: str
    filename: str
    code: str                    # the source the child imports ("" with ``load_error``)
    notes: list[str]             # what reading it noted (a notebook's cells left out, ...)
    seed: int = 0
    include_hidden: bool = True
    check_timeout: float = _LIMITS.check_timeout
    load_error: str = ""         # why the file could not be read as Python; then no check runs

    @classmethod
    def of(cls, job: Job, code: str | None, notes: list[str], load_error: str = "") -> "JudgeTask":
        return cls(job.student, job.exercise, job.filename, code or "", list(notes), seed=job.seed,
                   include_hidden=job.include_hidden, check_timeout=job.check_timeout, load_error=load_error)

    def to_message(self) -> dict:
        return asdict(self)

    @classmethod
    def from_message(cls, d) -> "JudgeTask":
        """The task ``to_message`` made; ``ValueError`` for anything else."""
        return _typed(cls, d, "judge task")


# The field types of the messages, as their annotations name them.
_KINDS = {"str": str, "bytes": bytes, "int": int, "bool": bool, "float": (int, float), "list[str]": list}


def _decode_source(d: dict) -> dict:
    try:
        d["source"] = base64.b64decode(d["source"], validate=True)
    except (TypeError, binascii.Error):
        raise ValueError("a job's source is not base64") from None
    return d


def _typed(cls, d, what: str, convert=None):
    """The message ``cls`` made of ``d``, if ``d`` holds exactly its fields (after ``convert``),
    each of the type its annotation names; ``ValueError`` for anything else."""
    if not isinstance(d, dict) or set(d) != {f.name for f in fields(cls)}:
        raise ValueError(f"not a {what}")
    d = convert(dict(d)) if convert else d
    for f in fields(cls):
        if not isinstance(d[f.name], _KINDS[f.type]):
            raise ValueError(f"a {what}'s {f.name} is not a {f.type}")
    return cls(**d)
