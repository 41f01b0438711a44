"""Results made safe to report: every field of the type reporters expect, text valid and bounded,
numbers finite.

A result reaches the trusted parent from a child that ran a student's code, or from a file
in ``OUT/results/`` written earlier; either may hold what no honest grading produces: a
check name that is a list, points of ``10**400`` or NaN, a message of 10 MB, text with a
lone surrogate (which no UTF-8 file can hold). ``sanitize`` returns a result every reporter
can write: text is made valid (a lone surrogate becomes its ``\\udXXX`` escape) and cut to a
bound, a loss curve keeps its finite numbers; a result whose structure or scores are
malformed becomes that submission's ERROR, with a message that says what was wrong. It
never raises, so one student's result can never stop the class's reports.
"""
from __future__ import annotations

import hashlib
import math
from numbers import Real

from kerasgrade.discover import STUDENT_ID
from kerasgrade.result import ERROR, STATUSES, CheckResult, ExerciseResult, Gradebook

__all__ = ["sanitize", "sanitize_book", "clean_text", "file_stem", "Malformed", "LIMITS"]

# Bounds on what a report holds (characters, or numbers in a curve): far above honest grading.
LIMITS = {"id": 200, "title": 500, "message": 20_000, "output": 2**24, "file": 4096, "curve": 10_000, "series": 8}
MAX_POINTS = 1e6


class Malformed(ValueError):
    """A result that no honest grading produces: its message says which field and why."""


def clean_text(value: str, limit: int) -> str:
    """``value`` as valid Unicode (lone surrogates escaped), cut to at most ``limit`` characters
    (a note of what was cut included; so cleaning it again changes nothing)."""
    size = len(value)
    value = value[:limit].encode("utf-8", "backslashreplace").decode("utf-8")
    if len(value) > limit or size > limit:
        keep = max(0, limit - 100)  # room for the note
        value = f"{value[:keep]}\n[... cut: the text had {size} characters; at most {limit} are kept]"
    return value


def _text(value, what: str, limit: str) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{what} is {_kind(value)}, not text")
    return clean_text(value, LIMITS[limit])


def _number(value, what: str, *, low: float = 0.0, high: float = MAX_POINTS) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise Malformed(f"{what} is {_kind(value)}, not a number")
    try:
        x = float(value)
    except (OverflowError, ValueError):
        raise Malformed(f"{what} is a number too large to hold") from None
    if not math.isfinite(x) or not low <= x <= high:
        raise Malformed(f"{what} is {x!r}, not a number from {low:g} to {high:g}")
    return x


def _flag(value, what: str) -> bool:
    if not isinstance(value, bool):
        raise Malformed(f"{what} is {_kind(value)}, not true or false")
    return value


def _kind(value) -> str:
    """What ``value`` is, in a few words (never its whole text: it may be huge)."""
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, int):
        return f"the int {value}" if abs(value) < 10**30 else "an int of more than 30 digits"
    if isinstance(value, float):
        return f"the float {value!r}"
    return f"a {type(value).__name__}"


def _curve(values) -> list[float]:
    """A series of numbers (a loss curve): the finite ones, NaN where a value is not one (a curve
    that diverged, or no number at all)."""
    if not isinstance(values, (list, tuple)):
        return []
    out = []
    for v in values[:LIMITS["curve"]]:
        try:
            x = float(v) if isinstance(v, Real) and not isinstance(v, bool) else math.nan
        except OverflowError:
            x = math.nan
        out.append(x if math.isfinite(x) else math.nan)
    return out


def _check(c, n: int) -> CheckResult:
    what = f"check {n}"
    if not isinstance(c, CheckResult):
        raise Malformed(f"{what} is {_kind(c)}, not a check's result")
    name = _text(c.name, f"{what}'s name", "id")
    what = f"check {n} ({name})"
    max_points = _number(c.max_points, f"{what}'s max_points")
    points = _number(c.points, f"{what}'s points", high=max_points)
    data = c.data if isinstance(c.data, dict) else {}
    kept = {clean_text(k, 40): _curve(v) for k, v in list(data.items())[:LIMITS["series"]] if isinstance(k, str)}
    return CheckResult(name, _text(c.title, f"{what}'s title", "title"), _text(c.concept, f"{what}'s concept", "id"),
                       points, max_points, _flag(c.passed, f"{what}'s passed"), _flag(c.hidden, f"{what}'s hidden"),
                       _text(c.message, f"{what}'s message", "message"), kept)


def _strict(r: ExerciseResult) -> ExerciseResult:
    status = r.status if isinstance(r.status, str) and r.status in STATUSES else None
    if status is None:
        raise Malformed(f"the status is {_kind(r.status)}, not one of {', '.join(STATUSES)}")
    if not isinstance(r.checks, (tuple, list)):
        raise Malformed(f"the checks are {_kind(r.checks)}, not a list")
    checks = tuple(_check(c, n) for n, c in enumerate(r.checks, 1))
    max_score = None if r.max_score is None else _number(r.max_score, "max_score")
    seconds = _number(r.seconds, "seconds", high=1e9) if r.seconds else 0.0
    return ExerciseResult(r.student, r.exercise, status, checks, _text(r.message, "the message", "message"),
                          _text(r.output, "the output", "output"), _text(r.file, "the file name", "file"),
                          _text(r.fingerprint, "the fingerprint", "id"), max_score, seconds)


def sanitize(result: ExerciseResult) -> ExerciseResult:
    """``result``, safe for every reporter (see the module's docstring). Never raises."""
    student = clean_text(result.student, LIMITS["id"]) if isinstance(result.student, str) else repr(result.student)
    exercise = clean_text(result.exercise, LIMITS["id"]) if isinstance(result.exercise, str) else repr(result.exercise)
    try:
        clean = _strict(result)
        return ExerciseResult(student, exercise, clean.status, clean.checks, clean.message, clean.output,
                              clean.file, clean.fingerprint, clean.max_score, clean.seconds)
    except Exception as e:  # noqa: BLE001 - a malformed result is this submission's ERROR, whatever it holds
        reason = str(e) if isinstance(e, Malformed) else f"{type(e).__name__} while reading it"
    file = result.file if isinstance(result.file, str) else ""
    return ExerciseResult(
        student, exercise, ERROR, (),
        message=(f"The grading of this file produced a malformed result ({clean_text(reason, 500)}), so it "
                 "counts as an error. No honest submission does this; if yours is one, tell your instructor."),
        file=clean_text(file, LIMITS["file"]), max_score=_max_score(result))


def _max_score(result: ExerciseResult) -> float | None:
    """The exercise's points when they can be read from the result's checks, else None (scored 0 of 0)."""
    try:
        return sum(_number(c.max_points, "max_points") for c in result.checks) or None
    except Exception:  # noqa: BLE001
        return None


def file_stem(student: str) -> str:
    """The name of a student's files in ``OUT/feedback/``: the id itself when it is a valid student id
    (``discover.STUDENT_ID``), else ``invalid-id-<hash>`` (an id like ``../x`` never names a path)."""
    if isinstance(student, str) and STUDENT_ID.fullmatch(student):
        return student
    digest = hashlib.sha256(repr(student).encode("utf-8", "backslashreplace")).hexdigest()[:16]
    return f"invalid-id-{digest}"


def sanitize_book(book: Gradebook) -> Gradebook:
    """The gradebook with every result sanitized (keyed by the sanitized student and exercise)."""
    clean = Gradebook(list(book.exercises), dict(book.weights), lateness=dict(book.lateness),
                      late_policy=book.late_policy)
    for r in book.results.values():
        s = sanitize(r)
        clean.results[(s.student, s.exercise)] = s
    return clean


