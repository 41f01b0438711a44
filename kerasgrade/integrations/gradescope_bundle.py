"""``kerasgrade export gradescope``: the course packed as Gradescope's autograder zip.

The bundle holds ``setup.sh`` and ``run_autograder`` (templates in ``templates/gradescope``),
the pinned requirements, kerasgrade itself, the course file and the graders, and never a
reference solution; on Gradescope it grades with ``gradescope_autograder``.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from kerasgrade import __version__
from kerasgrade.course import Course
from kerasgrade.errors import KerasgradeError

if TYPE_CHECKING:
    pass


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
              "module": "kerasgrade.integrations.gradescope_autograder", "version": __version__}
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
    package = Path(__file__).resolve().parents[1]  # kerasgrade/
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
