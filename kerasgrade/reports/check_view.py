"""One result's checks as every report shows them: a line per check, its points, its lesson."""
from __future__ import annotations

from dataclasses import dataclass

from kerasgrade.reports.wording import points_text
from kerasgrade.result import GRADED, ExerciseResult


@dataclass(frozen=True)
class CheckLine:
    """One check as the learner sees it: its mark, title, points and the lines under it."""

    passed: bool
    title: str
    points: str
    details: tuple[tuple[str, str], ...]  # (text, style): style "" or "dim"


@dataclass(frozen=True)
class CheckView:
    """The learner's view of one exercise, before layout: lines above the checks, the checks, and
    lines below them, each (text, style). ``check_lines`` lays it out as text, ``print_check`` with rich."""

    head: tuple[tuple[str, str], ...]
    checks: tuple[CheckLine, ...]
    tail: tuple[tuple[str, str], ...]


def check_view(result: ExerciseResult, *, hidden_count: int = 0, pictures: dict[str, str | None] | None = None
               ) -> CheckView:
    """What the learner reads about one exercise: a line per check, the lesson under each failure.

    ``pictures`` maps a check's name to a PNG drawn for it (a failed training check's loss curve),
    or to None when it could not be drawn.
    """
    head = [(f"{result.exercise}  ({result.file})" if result.file else result.exercise, "bold")]
    if result.status != GRADED and result.message:
        head += [("", ""), *((f"  {m}", "") for m in result.message.splitlines()), ("", "")]
    elif result.message:
        head += [(f"  note: {m}", "dim") for m in result.message.splitlines()]
    seen: dict[str, str] = {}
    checks = []
    for c in result.checks:
        details: list[tuple[str, str]] = []
        if not c.passed and c.message:
            cause = _cause(c.message)
            if cause in seen:
                details.append((f"(same cause as \"{seen[cause]}\")", "dim"))
            elif result.status == GRADED or c.message != result.message:
                seen[cause] = c.title
                details.append((f"[{c.concept}]", ""))
                details += [(m, "") for m in c.message.splitlines()]
        if pictures and c.name in pictures:
            details.append((f"Your loss curve beside the reference's: {pictures[c.name]}" if pictures[c.name]
                            else "Your loss curve could not be drawn: its values are not ones a figure can show.",
                            ""))
        checks.append(CheckLine(c.passed, c.title, f"{points_text(c.points)}/{points_text(c.max_points)}", tuple(details)))
    tail = [(f"  Total: {points_text(result.score)}/{points_text(result.max_points)}", "bold")]
    if hidden_count:
        tail.append((f"  {hidden_count} more check(s) run when your instructor grades.", "dim"))
    if result.output.strip():
        shown = result.output.strip().splitlines()[-10:]
        tail += [("  Your code printed (last lines):", "dim"), *((f"  | {s}", "dim") for s in shown)]
    return CheckView(tuple(head), tuple(checks), tuple(tail))


def check_lines(result: ExerciseResult, *, hidden_count: int = 0, pictures: dict[str, str | None] | None = None
                ) -> list[str]:
    """``check_view`` as plain text (the feedback files, and ``kerasgrade check`` off a terminal)."""
    view = check_view(result, hidden_count=hidden_count, pictures=pictures)
    width = max((len(c.title) for c in view.checks), default=0)
    lines = [text for text, _ in view.head]
    for c in view.checks:
        lines.append(f"  {'PASS' if c.passed else 'FAIL'}  {c.title.ljust(width)}  {c.points}")
        lines += [f"        {text}" for text, _ in c.details]
    return lines + [text for text, _ in view.tail]


def _cause(message: str) -> str:
    """Messages that differ only in what was being done ("While creating X, ...") share a cause."""
    lines = message.splitlines()
    return "\n".join(lines[1:]) if len(lines) > 1 and lines[0].startswith("While ") else message
