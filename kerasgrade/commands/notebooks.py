"""``kerasgrade notebooks`` (write or ``--check`` the course's notebooks) and ``kerasgrade nbgrader init``."""
from __future__ import annotations

from pathlib import Path

from kerasgrade.course import Course
from kerasgrade.integrations.nbgrader.course_folder import init_course
from kerasgrade.integrations.nbgrader.notebooks import ASSIGNMENT, write_notebooks

# -- the commands ---------------------------------------------------------------------------------

def _warn(message: str) -> None:
    import sys

    print(f"warning: {message}", file=sys.stderr)


def notebooks_main(course: Course, *, out=None, exercises=None, check: bool = False) -> int:
    """``kerasgrade notebooks``: write (or, with ``check``, compare) every notebook."""
    report = write_notebooks(course, Path(out) if out else None, exercises=exercises, check=check,
                             warn=_warn)
    for path, status in report:
        print(f"{status:9}  {path}")
    stale = [p for p, s in report if s in ("differs", "missing")]
    if stale:
        print(f"\n{len(stale)} notebook(s) differ from their .py files and graders: "
              "run `kerasgrade notebooks` and commit them.")
        return 1
    return 0


def init_main(course: Course, folder, *, assignment: str = ASSIGNMENT, exercises=None) -> int:
    """``kerasgrade nbgrader init DIR``."""
    folder = Path(folder)
    written = init_course(course, folder, assignment=assignment, exercises=exercises, warn=_warn)
    for path in written:
        print(f"wrote  {path}")
    print(f"\nnext:  cd {folder} && nbgrader generate_assignment {assignment}   (see docs/NOTEBOOKS.md)")
    return 0
