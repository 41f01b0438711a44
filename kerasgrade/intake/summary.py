"""What `kerasgrade collect` tells the instructor: a line per student, then every problem, by student and file."""
from __future__ import annotations

from kerasgrade.manifest import Manifest

__all__ = ["summary_lines", "problem_lines"]

_ID_KEYS = {"canvas": ("user_id", "anonymous_id"), "gradescope": ("sid", "email"), "nbgrader": ("student",),
            "folders": ("folder",)}


def _platform_id(manifest: Manifest, record) -> str:
    for key in _ID_KEYS.get(record.platform, ()):
        if record.platform_ids.get(key):
            return record.platform_ids[key]
    return ""


def summary_lines(manifest: Manifest, n_exercises: int) -> list[str]:
    head = ("student", "name", f"{manifest.platform} id", "exercises", "ignored", "late")
    rows = [head]
    for r in manifest.students:
        late = "" if not r.late else ("yes" if r.days_late is None else f"{r.days_late} day(s)")
        rows.append((r.student, r.name, _platform_id(manifest, r), f"{len(r.files)}/{n_exercises}",
                     str(len(r.ignored)) if r.ignored else "", late))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]


def problem_lines(manifest: Manifest) -> list[str]:
    lines = [f"  {p}" for p in manifest.problems]
    for r in manifest.students:
        lines += [f"  {r.student}: {p}" for p in r.problems]
    return lines
