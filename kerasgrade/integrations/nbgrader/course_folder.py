"""``kerasgrade nbgrader init``: an nbgrader course folder holding the source notebooks as one assignment."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from kerasgrade.course import COURSE_FILE, Course
from kerasgrade.errors import KerasgradeError
from kerasgrade.integrations.nbgrader.notebooks import (
    ASSIGNMENT,
    _grade_id,
    build_notebooks,
)

# -- an nbgrader course folder ------------------------------------------------------------------

NBGRADER_CONFIG = '''\
# nbgrader configuration of "{title}", written by `kerasgrade nbgrader init`.
# Run nbgrader from this folder: see docs/NOTEBOOKS.md of the course.
c = get_config()  # noqa: F821 - nbgrader provides it

c.CourseDirectory.course_id = {course_id!r}

# The test cells run kerasgrade's checks. A cell gets as long as kerasgrade gives a whole
# submission ([limits] timeout of course.toml), plus 60 s for the first cell's import of
# TensorFlow (the grading worker imports it before the clock starts).
c.Execute.timeout = {timeout}

# What replaces a ### BEGIN SOLUTION / ### END SOLUTION region (nbgrader's default,
# stated here because exercises/*.ipynb are generated with it).
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''


def init_course(course: Course, folder: Path, *, assignment: str = ASSIGNMENT, exercises=None,
                warn=None) -> list[Path]:
    """Lay out ``folder`` for nbgrader; the files written.

    ``folder/nbgrader_config.py``, ``folder/source/<assignment>/<ex>.ipynb`` (the source notebooks)
    and a copy of ``course.toml`` and the graders, so that the notebooks' test cells find the
    course from wherever nbgrader runs them (``autograded/<student>/<assignment>/``).
    """
    folder = Path(folder)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", assignment):
        raise KerasgradeError(f"--assignment {assignment!r}: use letters, digits and _.- only")
    written = []
    src_dir = folder / "source" / assignment
    src_dir.mkdir(parents=True, exist_ok=True)
    for nbf in build_notebooks(course, exercises, warn=warn):
        if nbf.kind != "source":
            continue
        path = src_dir / nbf.path.name
        path.write_text(nbf.text, encoding="utf-8")
        written.append(path)
    config = folder / "nbgrader_config.py"
    config.write_text(NBGRADER_CONFIG.format(
        title=course.title, course_id=_grade_id(course.title.lower()),
        timeout=int(course.limits.timeout) + 60), encoding="utf-8")
    written.append(config)
    shutil.copyfile(course.file, folder / COURSE_FILE)  # the test cells look for this name
    written.append(folder / COURSE_FILE)
    for ex in course.exercises:
        try:
            rel = ex.grader.resolve().relative_to(course.root)
        except ValueError:
            continue  # a grader outside the course folder is found where it is
        dest = folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ex.grader, dest)
        written.append(dest)
    return written
