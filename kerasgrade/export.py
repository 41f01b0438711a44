"""Results where instructors need them: Gradescope, Canvas, a plain CSV.

Reporters are functions of the results (``gradescope_results``, ``canvas_rows``),
plus the one builder that packs the course into Gradescope's autograder zip
(``build_gradescope_bundle``; the bundle grades with ``autograder.py``).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import Course
from .errors import KerasgradeError
from .result import ExerciseResult, Gradebook
from .sanitize import sanitize, sanitize_book

if TYPE_CHECKING:
    from .intake.manifest import Manifest

__all__ = ["gradescope_results", "canvas_rows", "write_canvas", "read_canvas_roster", "gradescope_score_rows",
           "GRADESCOPE_SCORE_COLUMNS", "build_gradescope_bundle", "pinned_requirements", "CANVAS_ID_COLUMNS",
           "GRADING_PACKAGES"]


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


# -- Canvas: the gradebook import CSV -----------------------------------------------------

CANVAS_ID_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def read_canvas_roster(path: str | Path) -> list[dict[str, str]]:
    """The students of a Canvas gradebook export (its "Points Possible" and test-student rows dropped)."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise KerasgradeError(f"--roster {path}: cannot read it ({e.strerror})") from None
    if not rows or not {"Student", "ID"} <= set(rows[0]):
        raise KerasgradeError(f"--roster {path}: not a Canvas gradebook export (expected the columns "
                              f"{', '.join(CANVAS_ID_COLUMNS)}); export it from Grades > Export > Export Entire Gradebook")
    return [r for r in rows if r.get("Student", "").strip() not in ("Points Possible", "Student, Test")]


def canvas_rows(book: Gradebook, *, assignment: str, assignment_id: str | None = None, points: float = 100.0,
                roster: list[dict[str, str]] | None = None, id_column: str = "SIS Login ID",
                manifest: "Manifest | None" = None) -> tuple[list[list[str]], list[str]]:
    """Rows of Canvas's gradebook CSV (header, "Points Possible", a row per student) and warnings.

    The score is the course total after the late policy (``Gradebook.adjusted_total``, a
    weighted percentage; the raw total without a policy) scaled to ``points``. A student
    taken in from Canvas (``manifest``) is matched by the Canvas user id the download
    named them with (Canvas's ID column). Otherwise, with a ``roster`` (Canvas's own
    export) each student id is matched against its SIS Login ID, SIS User ID or ID, and
    the row is copied from it; without, the student id goes in ``id_column``.
    """
    if id_column not in CANVAS_ID_COLUMNS[1:4]:
        raise KerasgradeError(f"--id-column {id_column!r}: expected one of {', '.join(CANVAS_ID_COLUMNS[1:4])}")
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    rows = [[*CANVAS_ID_COLUMNS, column], ["Points Possible", "", "", "", "", f"{points:g}"]]
    warnings: list[str] = []
    index: dict[str, int] = {}
    for i, r in enumerate(roster or ()):
        for key in ("SIS Login ID", "SIS User ID", "ID"):
            value = (r.get(key) or "").strip()
            if value:
                index.setdefault(value, i)
                index.setdefault(value.lower(), i)
    matched: set[int] = set()
    book = sanitize_book(book)
    for s in book.students:
        try:
            score = f"{round(book.adjusted_total(s) * points / 100.0, 2):g}"
        except Exception as e:  # noqa: BLE001 - one student's score, never the export
            warnings.append(f"{s}: no score ({type(e).__name__}: {e}); left out (Canvas keeps their current score)")
            continue
        record = manifest.student(s) if manifest else None
        canvas_id = record.platform_ids.get("user_id") if record and record.platform == "canvas" else None
        if canvas_id and roster is not None and canvas_id in index:
            matched.add(index[canvas_id])
            rows.append([(roster[index[canvas_id]].get(c) or "").strip() for c in CANVAS_ID_COLUMNS] + [score])
            continue
        if canvas_id:
            if roster is not None:
                warnings.append(f"{s}: Canvas user {canvas_id} is not in the Canvas roster; row written from "
                                "the manifest")
            rows.append([record.name or s, canvas_id, "", "", "", score])
            continue
        if roster is None:
            ids = dict.fromkeys(CANVAS_ID_COLUMNS, "")
            ids["Student"], ids[id_column] = s, s
            rows.append([ids[c] for c in CANVAS_ID_COLUMNS] + [score])
            continue
        i = index.get(s, index.get(s.lower()))
        if i is None:
            warnings.append(f"{s}: not in the Canvas roster (no SIS Login ID, SIS User ID or ID {s!r}); left out")
            continue
        matched.add(i)
        rows.append([(roster[i].get(c) or "").strip() for c in CANVAS_ID_COLUMNS] + [score])
    for i, r in enumerate(roster or ()):
        if i not in matched:
            warnings.append(f"{r.get('Student', '?')}: in the Canvas roster but has no results (left out: Canvas keeps their current score)")
    return rows, warnings


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


def write_canvas(rows: list[list[str]], path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


# -- Gradescope: the autograder bundle ----------------------------------------------------

AUTOGRADER_ROOT_ENV = "KERASGRADE_AUTOGRADER_ROOT"  # moves the bundle's root (tests stand a folder in)
DEFAULT_AUTOGRADER_ROOT = "/autograder"              # where Gradescope unpacks the bundle
EXECUTABLES = ("setup.sh", "run_autograder")


def bundle_scripts() -> dict[str, bytes]:
    """setup.sh, run_autograder and the package's pyproject.toml, from ``templates/gradescope/``."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("kerasgrade", "templates/gradescope"), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=True)  # shell and TOML: nothing to escape
    values = {"root_env": AUTOGRADER_ROOT_ENV, "default_root": DEFAULT_AUTOGRADER_ROOT,
              "module": "kerasgrade.autograder", "version": __version__}
    names = {"setup.sh": "setup.sh", "run_autograder": "run_autograder", "package/pyproject.toml": "pyproject.toml"}
    return {name: env.get_template(template).render(values).encode() for name, template in names.items()}


DEFAULT_TIME_LIMIT = 540.0  # seconds: below Gradescope's default 10-minute autograder timeout


# What grading imports (the packages of a grading child), pinned in the bundle to the versions
# installed here. pyproject.toml's other dependencies only draw reports, take submissions in or
# make mutants (REPORT_ONLY), which the bundle never does.
GRADING_PACKAGES = ("tensorflow-cpu", "keras", "numpy", "hypothesis", "nbformat")
REPORT_ONLY = ("matplotlib", "rich", "jinja2", "pyyaml", "libcst")


def pinned_requirements() -> list[str]:
    """The grading packages pinned to the versions installed here (what the course was validated on)."""
    from importlib import metadata

    pins = []
    for name in GRADING_PACKAGES:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise KerasgradeError(f"{name} is not installed here: install kerasgrade's dependencies "
                                  "(pip install -e .) before building the bundle, so the pins are the "
                                  "versions the course was validated with") from None
    return pins


def _files_under(folder: Path):
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc" and not p.name.startswith("."):
            yield p


def bundle_files(course: Course, exercises: list[str] | None = None, *, time_limit: float = DEFAULT_TIME_LIMIT,
                 jobs: int = 1, points: float | None = None) -> dict[str, bytes]:
    """Every file of the autograder zip, by its name in the zip (no solutions, ever)."""
    chosen = exercises or [e.id for e in course.exercises]
    for ex in chosen:
        course.exercise(ex)  # a clear error for an unknown id
    package = Path(__file__).resolve().parent
    files: dict[str, bytes] = {
        **bundle_scripts(),
        "requirements.txt": ("\n".join(pinned_requirements()) + "\n").encode(),
        "autograder.json": json.dumps({"exercises": chosen, "time_limit": time_limit, "jobs": jobs,
                                       "points": points, "kerasgrade": __version__}, indent=1).encode(),
        "course/course.toml": course.file.read_bytes(),
    }
    for p in _files_under(package):
        files[f"package/kerasgrade/{p.relative_to(package).as_posix()}"] = p.read_bytes()
    for folder in sorted({e.grader.parent.resolve() for e in course.exercises}):
        try:
            rel = folder.relative_to(course.root)
        except ValueError:
            raise KerasgradeError(f"{folder}: the graders folder is outside the course folder {course.root}; "
                                  "the bundle keeps the course's layout, so keep graders inside it") from None
        for p in _files_under(folder):
            files[f"course/{(rel / p.relative_to(folder)).as_posix()}"] = p.read_bytes()
    solutions = {hashlib.sha256(e.solution.read_bytes()).hexdigest(): e.solution
                 for e in course.exercises if e.solution.is_file()}
    for name, data in files.items():
        leaked = solutions.get(hashlib.sha256(data).hexdigest())
        if leaked is not None:
            raise KerasgradeError(f"{name} in the bundle is a copy of the reference solution {leaked}; "
                                  "learners must never receive it: move it out of the graders folder")
    return files


def build_gradescope_bundle(course: Course, out: str | Path, exercises: list[str] | None = None, *,
                            time_limit: float = DEFAULT_TIME_LIMIT, jobs: int = 1,
                            points: float | None = None) -> list[str]:
    """Write Gradescope's autograder zip (setup.sh and run_autograder at its root); the names in it."""
    files = bundle_files(course, exercises, time_limit=time_limit, jobs=jobs, points=points)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            executable = name in EXECUTABLES
            info.external_attr = ((0o100755 if executable else 0o100644) << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    Path(out).write_bytes(buf.getvalue())
    return list(files)
