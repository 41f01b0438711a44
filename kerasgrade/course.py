"""Load and validate ``course.toml`` once; every error names the key at fault.

The course file holds course-level facts only: the title, the exercises in
order (with their weight), where the course folders are, the seed and the
limits. Check points live with the checks in ``graders/``.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kerasgrade.errors import ConfigError

COURSE_FILE = "course.toml"
LESSONS_FILE = "lessons.toml"  # [course] lessons: the course's text per concept (the notebooks show it)


@dataclass(frozen=True)
class Limits:
    timeout: float = 60.0        # wall seconds for one submission (one exercise of one student)
    check_timeout: float = 20.0  # wall seconds for one check inside it
    memory_mb: int = 4096        # address-space / memory limit of the child
    output_kb: int = 64          # what the submission prints beyond this is cut
    tmp_mb: int = 256            # the child's private /tmp (and the largest file it may write)
    max_pids: int = 256          # processes and threads of one child at once (its cgroup)


UNKNOWN_DAYS_LATE = 1  # a submission the platform marks late without saying when (Canvas's LATE) counts so


@dataclass(frozen=True)
class LatePolicy:
    """``[late]`` of course.toml: applied to the course total in the gradebook, never in the checks."""

    due: datetime | None = None   # with a UTC offset; `kerasgrade collect` compares submitted-at with it
    grace_minutes: float = 0.0    # submitted within this after `due` is on time
    penalty_per_day: float = 0.0  # percentage points off the course total per started day late
    floor: float = 0.0            # the penalty never takes a total below this (in %)
    cap: float | None = None      # a late total counts at most this (in %)

    def days_late(self, submitted: datetime, due: datetime | None = None) -> int:
        """Started days past ``due`` (default: the policy's own) and its grace; 0 when on time."""
        due = due or self.due
        if due is None:
            return 0
        over = submitted - (due + timedelta(minutes=self.grace_minutes))
        return math.ceil(over / timedelta(days=1)) if over > timedelta(0) else 0

    def adjust(self, total: float, late: bool, days_late: int | None) -> float:
        """The course total (in %) after the policy; the raw ``total`` if on time."""
        if not late:
            return total
        days = UNKNOWN_DAYS_LATE if days_late is None else days_late
        adjusted = max(min(total, self.floor), total - self.penalty_per_day * days)
        if self.cap is not None:
            adjusted = min(adjusted, self.cap)
        return round(adjusted, 2)


@dataclass(frozen=True)
class Mutation:
    """``[mutation]``: what ``kerasgrade validate --mutants auto`` holds the course to."""
    min_score: float | None = None                 # killed / (killed + survivors), per exercise
    accepted: str = "tests/mutation/accepted.toml"  # mutants accepted as equivalent, with reasons


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    weight: float
    root: Path
    folders: dict

    @property
    def stub(self) -> Path:
        return self.root / self.folders["exercises"] / f"{self.id}.py"

    @property
    def solution(self) -> Path:
        return self.root / self.folders["solutions"] / f"{self.id}.py"

    @property
    def grader(self) -> Path:
        return self.root / self.folders["graders"] / f"test_{self.id}.py"

    @property
    def mutants(self) -> list[Path]:
        return sorted((self.root / self.folders["mutants"] / self.id).glob("*.py"))

    @property
    def alternatives(self) -> list[Path]:
        """Correct solutions in other styles: each must earn full marks too."""
        folder = self.root / self.folders["alternatives"] / self.id
        return sorted(p for p in folder.glob("*") if p.suffix in (".py", ".ipynb"))


@dataclass(frozen=True)
class Course:
    title: str
    file: Path
    seed: int
    limits: Limits
    exercises: tuple[Exercise, ...] = field(default_factory=tuple)
    require_sandbox: bool = True  # [sandbox] require: refuse to grade a class without full isolation
    late: LatePolicy | None = None  # None: no [late] table, no policy
    mutation: Mutation = field(default_factory=Mutation)
    lessons: dict[str, str] = field(default_factory=dict)  # concept (lower case) -> a short lesson

    def exercise(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        known = ", ".join(e.id for e in self.exercises)
        raise ConfigError(f"no exercise {exercise_id!r} in {self.file} (known: {known})")

    def exercise_for_file(self, path: Path) -> Exercise:
        """The exercise a submission file belongs to, from its name (``ex01_first_model.py``)."""
        stem = Path(path).stem
        for ex in self.exercises:
            if ex.id == stem:
                return ex
        known = ", ".join(f"{e.id}.py" for e in self.exercises)
        raise ConfigError(f"{path}: the file name does not name an exercise of this course; "
                          f"name it after one of: {known}")

    @property
    def root(self) -> Path:
        return self.file.parent

    @property
    def weights(self) -> dict[str, float]:
        return {e.id: e.weight for e in self.exercises}


DEFAULT_FOLDERS = {"exercises": "exercises", "solutions": "solutions",
                   "graders": "graders", "mutants": "tests/mutants", "alternatives": "tests/alternatives"}


def _get(table: dict, key: str, kind, where: str, default=None, required=False):
    if key not in table:
        if required:
            raise ConfigError(f"{where}: the key {key!r} is required")
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (kind in (int, (int, float)) and isinstance(value, bool))
    if not ok:
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{where}.{key} must be a {names}, got {value!r}")
    return value


def _known_keys(table: dict, fields, where: str) -> None:
    """Refuse a key that is no field of the dataclass ``fields``, naming the ones it knows."""
    for key in table:
        if key not in fields.__dataclass_fields__:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(fields.__dataclass_fields__)})")


def _positive(value, where: str):
    if value <= 0:
        raise ConfigError(f"{where} must be positive, got {value!r}")
    return value


def find_course_file(start: str | Path) -> Path | None:
    """The nearest ``course.toml`` in ``start`` (a folder) or one of its parents, or None."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / COURSE_FILE).is_file():
            return folder / COURSE_FILE
    return None
def _percent(value, where: str) -> float:
    if not 0 <= value <= 100:
        raise ConfigError(f"{where} must be a percentage from 0 to 100, got {value!r}")
    return float(value)


def _late_policy(table: dict, f: str) -> LatePolicy:
    where = f"{f}: [late]"
    known = LatePolicy.__dataclass_fields__
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(known)})")
    due = table.get("due")
    if due is not None and (not isinstance(due, datetime) or due.tzinfo is None):
        raise ConfigError(f"{where}.due must be a date and time with its UTC offset, e.g. "
                          f"due = 2026-03-01T23:59:00+01:00, got {due!r}")
    grace = _get(table, "grace_minutes", (int, float), where, 0.0)
    if grace < 0:
        raise ConfigError(f"{where}.grace_minutes must be 0 or more, got {grace!r}")
    cap = _get(table, "cap", (int, float), where, None)
    return LatePolicy(due=due, grace_minutes=float(grace),
                      penalty_per_day=_percent(_get(table, "penalty_per_day", (int, float), where, 0.0),
                                               f"{where}.penalty_per_day"),
                      floor=_percent(_get(table, "floor", (int, float), where, 0.0), f"{where}.floor"),
                      cap=None if cap is None else _percent(cap, f"{where}.cap"))


def load_course(path: str | Path | None = None) -> Course:
    """Read ``course.toml`` (a file, or the folder holding it; default: the current folder)."""
    path = Path(path or ".")
    if path.is_dir():
        path = path / COURSE_FILE
    if not path.exists():
        raise ConfigError(f"{path}: no course file here; run kerasgrade from the course folder "
                          f"or pass --course PATH/TO/{COURSE_FILE}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    f = str(path)
    known_top = {"course", "limits", "folders", "exercises", "sandbox", "late", "mutation"}
    for key in data:
        if key not in known_top:
            raise ConfigError(f"{f}: unknown table [{key}] (expected one of: {', '.join(sorted(known_top))})")

    course = _get(data, "course", dict, f, required=True)
    for key in course:
        if key not in ("title", "seed", "lessons"):
            raise ConfigError(f"{f}: [course]: unknown key {key!r} (known: title, seed, lessons)")
    title = _get(course, "title", str, f"{f}: [course]", required=True)
    seed = _get(course, "seed", int, f"{f}: [course]", default=0)
    lessons = _lessons(path, _get(course, "lessons", str, f"{f}: [course]", default=None))

    lim = _get(data, "limits", dict, f, default={})
    where = f"{f}: [limits]"
    _known_keys(lim, Limits, where)
    defaults = Limits()
    limits = Limits(
        timeout=_positive(_get(lim, "timeout", (int, float), where, defaults.timeout), f"{where}.timeout"),
        check_timeout=_positive(_get(lim, "check_timeout", (int, float), where, defaults.check_timeout),
                                f"{where}.check_timeout"),
        memory_mb=_positive(_get(lim, "memory_mb", int, where, defaults.memory_mb), f"{where}.memory_mb"),
        output_kb=_positive(_get(lim, "output_kb", int, where, defaults.output_kb), f"{where}.output_kb"),
        tmp_mb=_positive(_get(lim, "tmp_mb", int, where, defaults.tmp_mb), f"{where}.tmp_mb"),
        max_pids=_positive(_get(lim, "max_pids", int, where, defaults.max_pids), f"{where}.max_pids"),
    )

    sandbox = _get(data, "sandbox", dict, f, default={})
    for key in sandbox:
        if key != "require":
            raise ConfigError(f"{f}: [sandbox]: unknown key {key!r} (known: require)")
    require_sandbox = _get(sandbox, "require", bool, f"{f}: [sandbox]", True)

    folders = dict(DEFAULT_FOLDERS)
    for key, value in _get(data, "folders", dict, f, default={}).items():
        if key not in DEFAULT_FOLDERS:
            raise ConfigError(f"{f}: [folders]: unknown key {key!r} (known: {', '.join(DEFAULT_FOLDERS)})")
        folders[key] = _get({key: value}, key, str, f"{f}: [folders]")

    items = _get(data, "exercises", list, f, required=True)
    if not items:
        raise ConfigError(f"{f}: [[exercises]] is empty; list at least one exercise")
    exercises, seen = [], set()
    for i, item in enumerate(items, 1):
        where = f"{f}: [[exercises]] #{i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} must be a table")
        eid = _get(item, "id", str, where, required=True)
        where = f"{f}: [[exercises]] {eid!r}"
        for key in item:
            if key not in ("id", "title", "weight"):
                raise ConfigError(f"{where}: unknown key {key!r} (known: id, title, weight)")
        if eid in seen:
            raise ConfigError(f"{where}.id is listed twice")
        seen.add(eid)
        weight = _positive(float(_get(item, "weight", (int, float), where, 1.0)), f"{where}.weight")
        ex = Exercise(eid, _get(item, "title", str, where, eid), weight, path.parent.resolve(), folders)
        if not ex.grader.exists():
            raise ConfigError(f"{where}.id: no grader for it at {ex.grader}")
        exercises.append(ex)
    late = _get(data, "late", dict, f, default=None)
    late = None if late is None else _late_policy(late, f)
    return Course(title, path.resolve(), seed, limits, tuple(exercises), require_sandbox, late,
                  _mutation(data, f), lessons)


def _lessons(course_file: Path, given: str | None) -> dict[str, str]:
    """``[concepts]`` of the lessons file (``[course] lessons``, else lessons.toml if there is one)."""
    path = course_file.parent / (given or LESSONS_FILE)
    if not path.is_file():
        if given is None:
            return {}
        raise ConfigError(f"{course_file}: [course].lessons names {given!r}, which is not a file beside it")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    for key in data:
        if key != "concepts":
            raise ConfigError(f"{path}: unknown table [{key}] (expected: [concepts])")
    concepts = _get(data, "concepts", dict, str(path), default={})
    for concept in concepts:
        _get(concepts, concept, str, f"{path}: [concepts]")
    return {concept.strip().lower(): text for concept, text in concepts.items()}


def _mutation(data: dict, f: str) -> Mutation:
    table = _get(data, "mutation", dict, f, default={})
    where = f"{f}: [mutation]"
    _known_keys(table, Mutation, where)
    defaults = Mutation()
    score = _get(table, "min_score", (int, float), where, defaults.min_score)
    if score is not None and not 0 <= score <= 1:
        raise ConfigError(f"{where}.min_score must be between 0 and 1 (a fraction of the mutants "
                          f"killed), got {score!r}")
    return Mutation(None if score is None else float(score),
                    _get(table, "accepted", str, where, defaults.accepted))
