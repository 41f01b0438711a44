"""A plain folder, or a zip, of per-student folders: ``<student>/<files>`` (any depth below)."""
from __future__ import annotations

from kerasgrade.intake.archive import Listing
from kerasgrade.intake.upload import Upload, safe_id, strip_common_root

__all__ = ["read"]


def read(listing: Listing) -> tuple[list[Upload], list[str]]:
    uploads: dict[str, Upload] = {}
    problems = []
    for e in strip_common_root(listing, keep=2).entries:
        if len(e.path) < 2:
            problems.append(f"{e.where}: a loose file, not in a student's folder; ignored")
            continue
        student = e.path[0]
        up = uploads.get(student)
        if up is None:
            up = uploads[student] = Upload(safe_id(student, "student"), student, "folders", {"folder": student})
        up.files.append((e, e.path[1:], 0))
    return list(uploads.values()), problems
