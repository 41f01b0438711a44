"""The manifest: what `kerasgrade collect` took in, for whom, from where, and why (``manifest.json``).

Written once by ``take_in``, read by ``kerasgrade grade`` (late flags) and by the
exports (platform ids), so that no roster is mapped by hand. Parsed once, here,
into typed values; a damaged manifest is a clear error naming the file.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kerasgrade.errors import KerasgradeError

__all__ = ["MANIFEST", "VERSION", "PLATFORMS", "FileTaken", "Ignored", "StudentRecord", "Manifest", "read_manifest",
           "write_manifest"]

MANIFEST = "manifest.json"
VERSION = 1
PLATFORMS = ("canvas", "gradescope", "nbgrader", "folders")  # the kinds of SOURCE `kerasgrade collect` reads


@dataclass(frozen=True)
class FileTaken:
    exercise: str
    source: str           # where it was in SOURCE (archive:member)
    written: str          # its path under --out, e.g. "smithbob-1234/ex01_first_model.py"
    sha256: str
    reason: str           # why this file (the only one, the newest resubmission, ambiguous ...)
    passed_over: tuple[str, ...] = ()  # the other candidates for the exercise
    ambiguous: bool = False
    problem: str = ""     # e.g. "not valid JSON": written anyway, grading tells the learner


@dataclass(frozen=True)
class Ignored:
    source: str
    reason: str


@dataclass(frozen=True)
class StudentRecord:
    student: str                      # the id kerasgrade uses (SUBMISSIONS/<student>/)
    name: str
    platform: str                     # canvas, gradescope, nbgrader, folders
    platform_ids: dict[str, str]      # canvas: user_id, file ids; gradescope: submission_id, sid, email; ...
    submitted_at: str | None = None   # ISO 8601, when the platform says
    late: bool = False
    days_late: int | None = None      # whole days (started) past the due date, when known
    group: tuple[str, ...] = ()       # the other students of a group submission
    files: tuple[FileTaken, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    problems: tuple[str, ...] = ()    # for the instructor: what needs a look


@dataclass
class Manifest:
    source: str
    platform: str
    due: str | None = None
    students: list[StudentRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # not tied to one student (refused members ...)
    version: int = VERSION

    def student(self, student_id: str) -> StudentRecord | None:
        for s in self.students:
            if s.student == student_id:
                return s
        return None

    def to_dict(self) -> dict:
        return asdict(self)


def _tuple(items, kind):
    return tuple(kind(**i) for i in items)


def manifest_from_dict(d: dict, where: str = MANIFEST) -> Manifest:
    try:
        if d.get("version") != VERSION:
            raise ValueError(f"version {d.get('version')!r}, expected {VERSION}")
        if d["platform"] not in PLATFORMS:
            raise ValueError(f"platform {d['platform']!r}")
        students = []
        for s in d["students"]:
            s = dict(s)
            s["platform_ids"] = {str(k): str(v) for k, v in s.get("platform_ids", {}).items()}
            s["group"] = tuple(str(g) for g in s.get("group", ()))
            s["files"] = tuple(FileTaken(**{**f, "passed_over": tuple(f.get("passed_over", ()))})
                               for f in s.get("files", ()))
            s["ignored"] = _tuple(s.get("ignored", ()), Ignored)
            s["problems"] = tuple(str(p) for p in s.get("problems", ()))
            record = StudentRecord(**s)
            if not isinstance(record.late, bool) or not (record.days_late is None or isinstance(record.days_late, int)):
                raise ValueError(f"{record.student}: late must be true or false, days_late a whole number")
            students.append(record)
        return Manifest(str(d["source"]), d["platform"], d.get("due"), students,
                        [str(p) for p in d.get("problems", ())])
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise KerasgradeError(f"{where}: not a manifest written by `kerasgrade collect` ({e}); collect the "
                              "submissions again, or delete it to grade without platform ids") from None


def read_manifest(path: str | Path) -> Manifest | None:
    """The manifest at ``path`` (a file, or the folder holding manifest.json), or None if there is none."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    if not path.is_file():
        return None
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise KerasgradeError(f"{path}: cannot read the manifest ({e})") from None
    if not isinstance(d, dict):
        raise KerasgradeError(f"{path}: not a manifest written by `kerasgrade collect`")
    return manifest_from_dict(d, str(path))


def write_manifest(manifest: Manifest, folder: str | Path) -> Path:
    path = Path(folder) / MANIFEST
    path.write_text(json.dumps(manifest.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def lateness_of(manifest: Manifest | None) -> dict:
    """{student: Lateness} for the gradebook (empty without a manifest)."""
    from kerasgrade.result import Lateness

    if manifest is None:
        return {}
    return {s.student: Lateness(s.late, s.days_late, s.submitted_at) for s in manifest.students}


def carry_manifest(submissions: str | Path, out: str | Path) -> Manifest | None:
    """Copy SUBMISSIONS/manifest.json into OUT (checked), so that exports from OUT find the platform ids.

    Without one in SUBMISSIONS, a manifest left in OUT by an earlier run is removed: it would
    describe other submissions.
    """
    manifest = read_manifest(submissions)
    target = Path(out) / MANIFEST
    if manifest is None:
        if target.is_file() and not target.is_symlink():
            target.unlink()
        return None
    Path(out).mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    write_manifest(manifest, out)
    return manifest
