"""What a course notebook's test cells import: ``from kerasgrade.notebook import run_check_in_notebook``.

This name is the notebooks' own, kept as it is because the notebooks already handed out to
learners import it; the runtime behind it is ``kerasgrade.engine.test_cells``.
"""
from kerasgrade.engine.test_cells import (
    COURSE_ENV,
    NotebookCheckFailed,
    find_course,
    run_check_in_notebook,
)

__all__ = ["run_check_in_notebook", "find_course", "NotebookCheckFailed", "COURSE_ENV"]
