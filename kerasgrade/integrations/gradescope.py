"""Grades to Gradescope: an autograder's ``results.json``, and the scores upload (SID/email)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from kerasgrade import __version__
from kerasgrade.course import LatePolicy
from kerasgrade.result import ExerciseResult, Gradebook
from kerasgrade.sanitize import sanitize

if TYPE_CHECKING:
    from kerasgrade.manifest import Manifest


def _num(x: float) -> float:
    return round(float(x), 4)


# -- Gradescope: results.json ------------------------------------------------------------
# https://gradescope-autograders.readthedocs.io/en/latest/specs/ (schema: tests/gradescope_results.schema.json)

def _scales(results: list[ExerciseResult], weights: dict[str, float] | None, points: float | None) -> dict:
    """Points per check point, per exercise: 1 (raw points), or the course weights scaled to ``points``."""
    if points is None:
        return {r.exercise: 1.0 for r in results}
    weights = weights or {}
    total_w = sum(weights.get(r.exercise, 1.0) for r in results) or 1.0
    return {r.exercise: (points * weights.get(r.exercise, 1.0) / total_w / r.max_points if r.max_points else 0.0)
            for r in results}


def _test_output(result: ExerciseResult, check) -> str:
    if check.passed:
        return "Passed."
    lines = [f"Concept at stake: {check.concept}", "", check.message or "This check failed."]
    loss = check.data.get("loss")
    if loss:
        lines += ["", "Your model's training loss per epoch: " + ", ".join(f"{v:.3g}" for v in loss[:30])]
    return "\n".join(lines)


def gradescope_results(results: list[ExerciseResult], *, weights: dict[str, float] | None = None,
                       points: float | None = None, execution_time: float | None = None) -> dict:
    """Gradescope's results.json for one submission (one or several exercises).

    A test per check: visible checks are ``visible``, hidden ones ``after_published``
    (learners see them once the instructor publishes the grades). An exercise that
    could not be graded (missing file, crash) is one test worth its points, scored 0,
    whose output says why. With ``points`` the total is rescaled to that many points,
    exercises weighted as in course.toml; without, a test is worth its check's points.
    """
    results = [sanitize(r) for r in results]  # a malformed result is an ERROR that says why, never a crash
    scale = _scales(results, weights, points)
    tests, summary = [], []
    for i, r in enumerate(results, 1):
        k = scale[r.exercise]
        summary.append(f"{r.exercise}: {r.score:g}/{r.max_points:g}"
                       + ("" if r.status == "graded" else f" ({r.status})"))
        if r.message:
            summary += [f"  {line}" for line in r.message.splitlines()]
        if not r.checks:
            tests.append({"name": f"{r.exercise}: graded", "number": f"{i}.0", "score": 0.0,
                          "max_score": _num(r.max_points * k), "status": "failed",
                          "output": r.message or f"{r.exercise} could not be graded.",
                          "output_format": "text", "tags": [r.exercise], "visibility": "visible"})
            continue
        for j, c in enumerate(r.checks, 1):
            tests.append({
                "name": f"{r.exercise}: {c.title}", "number": f"{i}.{j}",
                "score": _num(c.points * k), "max_score": _num(c.max_points * k),
                "status": "passed" if c.passed else "failed",
                "output": _test_output(r, c), "output_format": "text",
                "tags": [r.exercise, c.concept],
                "visibility": "after_published" if c.hidden else "visible",
                "extra_data": {"check": c.name, "concept": c.concept},
            })
    hidden = sum(c.hidden for r in results for c in r.checks)
    if hidden:
        summary.append(f"{hidden} more check(s) are graded now and shown when your instructor publishes grades.")
    doc = {
        "score": _num(sum(t["score"] for t in tests)),
        "output": "\n".join(summary),
        "output_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"kerasgrade": __version__},
    }
    if execution_time is not None:
        doc["execution_time"] = int(round(execution_time))
    return doc


# -- Gradescope: scores by the ids of its roster -------------------------------------------

GRADESCOPE_SCORE_COLUMNS = ("Name", "SID", "Email", "Total Score", "Max Points", "Raw Score", "Late")


def gradescope_score_rows(book: Gradebook, manifest: "Manifest | None", *, points: float = 100.0
                          ) -> tuple[list[list[str]], list[str]]:
    """A CSV of scores keyed by what Gradescope's roster knows each student by (SID, Email), and warnings.

    Only students taken in from a Gradescope export (``manifest``) have those ids; a group's
    members each get their row. ``Total Score`` is the total after the late policy, scaled
    to ``points``; ``Raw Score`` the total before it.
    """
    rows, warnings = [list(GRADESCOPE_SCORE_COLUMNS)], []
    for s in book.students:
        record = manifest.student(s) if manifest else None
        if record is None or record.platform != "gradescope":
            warnings.append(f"{s}: not taken in from a Gradescope export (no SID or email); left out")
            continue
        ids = record.platform_ids
        late = book.late(s)
        rows.append([record.name, ids.get("sid", ""), ids.get("email", ""),
                     f"{round(book.adjusted_total(s) * points / 100.0, 2):g}", f"{points:g}",
                     f"{round(book.total(s) * points / 100.0, 2):g}", "yes" if late and late.late else ""])
    return rows, warnings


# -- Gradescope's own dates: the late policy in the autograder ----------------------------------

def _when(text) -> datetime | None:
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def gradescope_lateness(metadata, policy: LatePolicy | None) -> tuple[int, datetime | None]:
    """Started days late by Gradescope's ``submission_metadata.json``, and the due date it was
    measured against: a member's own due date (an extension Gradescope lists under ``users``;
    the latest of a group's), else the assignment's, else ``[late] due`` of course.toml.
    (0, None) when the metadata says nothing usable."""
    if not isinstance(metadata, dict):
        return 0, None
    submitted = _when(metadata.get("created_at"))
    users = metadata.get("users") if isinstance(metadata.get("users"), list) else []
    own = [_when(u.get("assignment", {}).get("due_date")) for u in users
           if isinstance(u, dict) and isinstance(u.get("assignment"), dict)]
    assignment = metadata.get("assignment") if isinstance(metadata.get("assignment"), dict) else {}
    due = max((d for d in own if d is not None), default=None) or _when(assignment.get("due_date")) \
        or (policy.due if policy else None)
    if submitted is None or due is None:
        return 0, None
    return (policy or LatePolicy()).days_late(submitted, due), due


def with_lateness(doc: dict, days: int, due: datetime | None, policy: LatePolicy | None) -> dict:
    """``results.json`` with the course's late policy applied to its score, and a line that says so."""
    if days <= 0:
        return doc
    top = sum(t.get("max_score", 0.0) for t in doc["tests"])
    when = f"{days} day{'s' * (days != 1)} after the due date ({due.isoformat() if due else '?'})"
    if policy is None or top <= 0:
        line = f"Late: handed in {when}. course.toml has no [late] policy, so no points are taken here."
    else:
        raw = 100.0 * doc["score"] / top
        adjusted = policy.adjust(raw, True, days)
        doc = {**doc, "score": _num(adjusted * top / 100.0)}
        line = (f"Late: handed in {when}. The course's late policy makes the {raw:.4g}% of your checks "
                f"count {adjusted:.4g}%: {doc['score']:g} of {top:g} points.")
    return {**doc, "output": line + "\n" + doc["output"],
            "extra_data": {**doc.get("extra_data", {}), "days_late": days}}
