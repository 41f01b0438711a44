"""nbgrader's submissions: ``submitted/<student>/<assignment>/*.ipynb`` with ``timestamp.txt``.

A course folder (holding ``submitted/``) or the ``submitted/`` folder itself,
as ``nbgrader collect`` leaves it. ``timestamp.txt`` holds when the learner
submitted (e.g. ``2026-03-01 12:00:00.123456 UTC``).
"""
from __future__ import annotations

from kerasgrade.intake.archive import Listing, Unreadable
from kerasgrade.intake.upload import Upload, parse_time, safe_id
from kerasgrade.manifest import Ignored

__all__ = ["TIMESTAMP", "looks_like", "read"]

TIMESTAMP = "timestamp.txt"
SUBMITTED = "submitted"


def _root(listing: Listing) -> tuple[str, ...] | None:
    """The path of the submitted/ folder inside the listing (() when the listing is that folder)."""
    stamps = [e.path for e in listing.entries if e.name == TIMESTAMP]
    for path in stamps:
        if SUBMITTED in path[:-3] or len(path) == 3:
            i = max((k for k, p in enumerate(path[:-3]) if p == SUBMITTED), default=-1)
            return path[: i + 1]
    return None


def looks_like(listing: Listing) -> bool:
    return _root(listing) is not None


def read(listing: Listing, assignment: str | None = None) -> tuple[list[Upload], list[str]]:
    root = _root(listing)
    if root is None:
        return [], [f"no submitted/<student>/<assignment>/{TIMESTAMP} in it: not nbgrader's submissions"]
    uploads: dict[str, Upload] = {}
    problems = []
    for e in listing.entries:
        if e.path[: len(root)] != root:
            continue
        rel = e.path[len(root):]
        if len(rel) < 3:
            problems.append(f"{e.where}: not in submitted/<student>/<assignment>/; ignored")
            continue
        student, assign = rel[0], rel[1]
        up = uploads.get(student)
        if up is None:
            up = uploads[student] = Upload(safe_id(student, "nbgrader-student"), student, "nbgrader",
                                           {"student": student})
        if assignment and assign != assignment:
            up.ignored.append(Ignored(e.where, f"another assignment than {assignment!r} (ignored)"))
            continue
        up.platform_ids.setdefault("assignment", assign)
        if len(rel) == 3 and rel[2] == TIMESTAMP:
            try:
                when = parse_time(e.read().decode("utf-8", "replace"))
            except Unreadable as err:
                up.problems.append(f"{err}; submitted-at unknown")
                continue
            if when is None:
                up.problems.append(f"{e.where}: not a time nbgrader writes; submitted-at unknown")
            elif up.submitted_at is None or when > up.submitted_at:
                up.submitted_at = when
            continue
        up.files.append((e, rel[1:], 0))
    return list(uploads.values()), problems
