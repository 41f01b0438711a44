"""``take_in``: the one entry of intake. SOURCE in, ``OUT/<student>/<exercise>.py|.ipynb`` and the manifest out.

The steps: list SOURCE (``archive``), tell its kind (``detect``), let the
platform's reader cut it into uploads (``canvas``, ``gradescope``,
``nbgrader_exchange``, ``folders``), give each learner a safe, stable, unique id,
open the zips they uploaded (bounded depth), match files to exercises
(``matching``), work out lateness, write the chosen files under OUT and say
everything in ``OUT/manifest.json`` (``manifest``). A failure while taking in
one learner is that learner's problem in the manifest; the others go on.
Nothing is written outside OUT: files are created there with ``O_EXCL`` and
``O_NOFOLLOW`` under names kerasgrade makes (student id + exercise id).
"""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from kerasgrade.course import Course, LatePolicy
from kerasgrade.discover import STUDENT_ID
from kerasgrade.errors import KerasgradeError
from kerasgrade.intake import canvas, folders, gradescope, nbgrader_exchange
from kerasgrade.intake.archive import Budget, Listing, Unreadable, list_dir, list_zip
from kerasgrade.intake.matching import Candidate, choose, match_name, skip_reason
from kerasgrade.intake.upload import Upload
from kerasgrade.manifest import (
    MANIFEST,
    PLATFORMS,
    FileTaken,
    Ignored,
    Manifest,
    StudentRecord,
    read_manifest,
    write_manifest,
)

__all__ = ["PLATFORMS", "detect", "take_in"]

RESERVED_IDS = {MANIFEST.casefold()}


def detect(listing: Listing) -> str:
    """The kind of a listed SOURCE: the metadata file of Gradescope, nbgrader's timestamps, Canvas's names."""
    if gradescope.looks_like(listing):
        return "gradescope"
    if nbgrader_exchange.looks_like(listing):
        return "nbgrader"
    if canvas.looks_like(listing):
        return "canvas"
    return "folders"


def _read(platform: str, listing: Listing, assignment: str | None, groups: canvas.CanvasGroups | None):
    if platform == "gradescope":
        return gradescope.read(listing)
    if platform == "nbgrader":
        return nbgrader_exchange.read(listing, assignment)
    if platform == "canvas":
        return canvas.read(listing, groups)
    return folders.read(listing)


def _list_source(source: Path, budget: Budget) -> Listing:
    try:
        if source.is_dir():
            return list_dir(source, source.name, budget)
        if source.is_file():
            return list_zip(source, source.name, budget)
    except Unreadable as e:
        raise KerasgradeError(str(e)) from None
    raise KerasgradeError(f"{source}: no such file or folder (expected a platform's zip or a folder)")


def _check_out(source: Path, out: Path, force: bool) -> Manifest | None:
    """Refuse an --out that is not ours to write; the earlier collect's manifest (with ``force``) or None."""
    src, dst = source.resolve(), out.resolve()
    if src.is_dir() and (dst == src or src in dst.parents):
        raise KerasgradeError(f"--out {out} is inside SOURCE {source}; choose a folder outside it")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise KerasgradeError(f"--out {out}: exists and is not a folder")
    if not out.exists() or not any(out.iterdir()):
        return None
    old = read_manifest(out) if (out / MANIFEST).is_file() else None
    if old is None or not force:
        raise KerasgradeError(f"--out {out} is not empty" + (" (an earlier collect: --force replaces it)"
                                                             if old else "; choose a new folder"))
    return old


def _prepare_out(out: Path, old: Manifest | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if old is None:
        return
    for record in old.students:  # remove only what the earlier collect wrote
        for f in record.files:
            path = out / f.written
            if path.parent.parent == out and path.is_file() and not path.is_symlink():
                path.unlink()
        folder = out / record.student
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
    (out / MANIFEST).unlink()


def _write(out: Path, student: str, name: str, data: bytes) -> str:
    folder = out / student
    if folder.is_symlink():
        raise OSError(f"{folder} is a symbolic link")
    folder.mkdir(exist_ok=True)
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return f"{student}/{name}"


def _unique_ids(uploads: list[Upload]) -> list[str]:
    taken: set[str] = set(RESERVED_IDS)
    ids = []
    for up in uploads:
        base = up.proposed_id if STUDENT_ID.match(up.proposed_id) else "student"
        sid, n = base, 1
        while sid.casefold() in taken:
            n += 1
            sid = f"{base}-{n}"
        if sid != up.proposed_id:
            up.problems.append(f"{up.name or up.proposed_id}: the id {up.proposed_id!r} was "
                               f"{'taken' if STUDENT_ID.match(up.proposed_id) else 'not usable'}; "
                               f"collected as {sid!r}")
        taken.add(sid.casefold())
        ids.append(sid)
    return ids


def _lateness(up: Upload, policy: LatePolicy) -> tuple[bool, int | None]:
    days = policy.days_late(up.submitted_at) if up.submitted_at is not None else 0
    return (True, days) if days else (up.late, None)


def _take_one(up: Upload, sid: str, exercises: list[str], out: Path, budget: Budget, policy: LatePolicy) -> StudentRecord:
    ignored, problems = list(up.ignored), list(up.problems)
    found: dict[str, list[Candidate]] = {}
    queue = list(up.files)
    while queue:
        entry, rel, order = queue.pop(0)
        reason = skip_reason(rel)
        if reason:
            ignored.append(Ignored(entry.where, reason))
            continue
        try:
            if rel[-1].lower().endswith(".zip"):
                inner = list_zip(entry.read(), entry.where, budget, entry.depth + 1)
                problems += [f"{where}: {why}" for where, why in inner.refused]
                queue += [(e, rel + e.path, order) for e in inner.entries]
                continue
            match = match_name(rel[-1], exercises)
            if match is None:
                ignored.append(Ignored(entry.where, "a Python file or notebook whose name is no exercise of this "
                                       f"course (expected e.g. {exercises[0]}.py)"))
                continue
            data = entry.read()
            found.setdefault(match.exercise, []).append(Candidate(entry, rel, match, order, data))
        except Unreadable as e:
            problems.append(str(e))
    files = []
    (out / sid).mkdir(exist_ok=True)  # a learner with nothing to grade is still in the gradebook: missing
    for ex in exercises:
        if ex not in found:
            continue
        choice = choose(ex, found[ex])
        c = choice.chosen
        try:
            written = _write(out, sid, f"{ex}{c.suffix}", c.data)
        except OSError as e:
            problems.append(f"{c.entry.where}: could not be written ({e})")
            continue
        files.append(FileTaken(ex, c.entry.where, written, c.sha256, choice.reason,
                               tuple(o.entry.where for o in choice.others), choice.ambiguous, choice.problem))
        if choice.ambiguous:
            problems.append(f"{ex}: {len(choice.others) + 1} different files name it "
                            f"({', '.join(o.entry.where for o in (c, *choice.others))}); took {c.entry.where}: check")
        if choice.problem:
            problems.append(f"{c.entry.where}: {choice.problem} (taken in all the same: grading tells the learner)")
    late, days = _lateness(up, policy)
    return StudentRecord(sid, up.name, up.platform, dict(up.platform_ids),
                         up.submitted_at.isoformat() if up.submitted_at else None, late, days, (), tuple(files),
                         tuple(ignored), tuple(problems))


def take_in(source: str | Path, out: str | Path, course: Course, *, platform: str | None = None,
            due: datetime | None = None, assignment: str | None = None, force: bool = False,
            budget: Budget | None = None, groups: str | Path | None = None) -> Manifest:
    """Take in SOURCE (a platform's zip or folder) as OUT/<student>/<exercise>.py|.ipynb and OUT/manifest.json;
    ``groups``: Canvas's export of a group set, for a group assignment."""
    source, out = Path(source), Path(out)
    if platform is not None and platform not in PLATFORMS:
        raise KerasgradeError(f"--format {platform!r}: expected one of {', '.join(PLATFORMS)}")
    budget = budget or Budget()
    old = _check_out(source, out, force)
    listing = _list_source(source, budget)
    kind = platform or detect(listing)
    if groups is not None and kind != "canvas":
        raise KerasgradeError(f"--groups is Canvas's export of a group set, but {source} is a {kind} "
                              "download (Gradescope and nbgrader name a group's members themselves)")
    group_set = canvas.read_groups(groups) if groups is not None else None
    try:
        uploads, problems = _read(kind, listing, assignment, group_set)
    except Unreadable as e:
        raise KerasgradeError(str(e)) from None
    if not uploads:
        raise KerasgradeError(f"{source}: no submissions found in it as {kind}" +
                              ("" if platform else " (--format forces a kind)"))
    _prepare_out(out, old)
    policy = replace(course.late or LatePolicy(), **({"due": due} if due else {}))
    due = policy.due
    exercises = [e.id for e in course.exercises]
    uploads.sort(key=lambda u: (u.proposed_id.casefold(), u.proposed_id, sorted(u.platform_ids.items())))
    records = []
    for up, sid in zip(uploads, _unique_ids(uploads)):
        try:
            records.append(_take_one(up, sid, exercises, out, budget, policy))
        except Exception as e:  # noqa: BLE001 - one learner's failure is that learner's problem
            records.append(StudentRecord(sid, up.name, up.platform, dict(up.platform_ids),
                                         problems=(f"could not be taken in: {type(e).__name__}: {e}",)))
    groups: dict[str, list[str]] = {}
    for up, r in zip(uploads, records):
        if up.group_key:
            groups.setdefault(up.group_key, []).append(r.student)
    records = [r if not up.group_key else
               replace(r, group=tuple(s for s in groups[up.group_key] if s != r.student))
               for up, r in zip(uploads, records)]
    refused = [f"{where}: {why}" for where, why in listing.refused]
    manifest = Manifest(str(source.name), kind, due.isoformat() if due else None, records, refused + problems)
    write_manifest(manifest, out)
    return manifest
