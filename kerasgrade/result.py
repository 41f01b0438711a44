"""The one result type: what every check produced, for every reporter.

A ``CheckResult`` is one check on one submission; an ``ExerciseResult`` is one
student's one exercise (a list of check results plus a status). Reporters are
functions of these (see ``reports/``); nothing here knows an output format.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kerasgrade.course import LatePolicy

GRADED, MISSING, ERROR, TIMEOUT = "graded", "missing", "error", "timeout"
TRAINING = "training"  # the concept of the convergence checks (loss curves, validate --seeds)
STATUSES = (GRADED, MISSING, ERROR, TIMEOUT)


@dataclass(frozen=True)
class CheckResult:
    name: str
    title: str
    concept: str
    points: float
    max_points: float
    passed: bool
    hidden: bool = False
    message: str = ""
    data: dict = field(default_factory=dict)  # numbers for reports, e.g. {"loss": [...]}


@dataclass(frozen=True)
class ExerciseResult:
    student: str
    exercise: str
    status: str
    checks: tuple[CheckResult, ...] = ()
    message: str = ""          # why the status is not "graded", for the instructor and learner
    output: str = ""           # what the submission printed (truncated)
    file: str = ""             # the submission file that was graded
    fingerprint: str = ""      # sha256 of that file, so a changed file is graded again
    max_score: float | None = None  # set when no check could run (missing, crash)
    seconds: float = 0.0       # wall time of the child that graded it

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> float:
        if self.max_score is not None:
            return self.max_score
        return sum(c.max_points for c in self.checks)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["checks"] = [asdict(c) for c in self.checks]
        d["score"] = self.score
        d["max_score"] = self.max_points
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ExerciseResult":
        checks = tuple(CheckResult(**c) for c in d.get("checks", ()))
        return cls(
            student=d["student"], exercise=d["exercise"], status=d["status"], checks=checks,
            message=d.get("message", ""), output=d.get("output", ""), file=d.get("file", ""),
            fingerprint=d.get("fingerprint", ""), max_score=d.get("max_score"),
            seconds=d.get("seconds", 0.0),
        )


@dataclass(frozen=True)
class Lateness:
    """When a student handed in, as the platform told ``kerasgrade collect`` (the manifest)."""

    late: bool
    days_late: int | None = None      # started days past the due date, when known
    submitted_at: str | None = None   # ISO 8601


@dataclass
class Gradebook:
    """Every result of a run, with the course facts reporters need (order, weights)."""

    exercises: list[str]
    weights: dict[str, float]
    results: dict[tuple[str, str], ExerciseResult] = field(default_factory=dict)
    lateness: dict[str, Lateness] = field(default_factory=dict)  # from the manifest, when there is one
    late_policy: "LatePolicy | None" = None                      # course.toml's [late]

    @property
    def students(self) -> list[str]:
        return sorted({s for s, _ in self.results})

    def get(self, student: str, exercise: str) -> ExerciseResult | None:
        return self.results.get((student, exercise))

    def total(self, student: str) -> float:
        """The student's course grade in percent: weighted mean of exercise fractions."""
        num = den = 0.0
        for ex in self.exercises:
            r = self.get(student, ex)
            w = self.weights.get(ex, 1.0)
            den += w
            if r is not None and r.max_points:
                num += w * r.score / r.max_points
        return round(100.0 * num / den, 2) if den else 0.0

    def late(self, student: str) -> Lateness | None:
        return self.lateness.get(student)

    def adjusted_total(self, student: str) -> float:
        """The course total after the late policy (the raw ``total`` when on time or without a policy)."""
        total, late = self.total(student), self.lateness.get(student)
        if late is None or self.late_policy is None:
            return total
        return self.late_policy.adjust(total, late.late, late.days_late)


def failed_curves(result: ExerciseResult) -> list[CheckResult]:
    """The failed convergence checks of a result that recorded a loss curve."""
    return [c for c in result.checks if c.concept == TRAINING and not c.passed and c.data.get("loss")]
