"""Run one kerasgrade check from a notebook cell: the autograder test cells call this.

Each read-only test cell of a course notebook is::

    from kerasgrade.notebook import run_check_in_notebook
    run_check_in_notebook("ex01_first_model", "output_shape", globals())

It runs the check as the judge does (``judge.judge_check``: the same requests,
draws from the course seed, the check time budget), served in this kernel on the
notebook's globals wrapped as the ``submission`` module, prints a line when
it passes and raises ``NotebookCheckFailed`` (an ``AssertionError``) with the
teaching message when it fails, so nbgrader gives the cell's points or none.

Three things keep nbgrader's score equal to ``kerasgrade grade``'s:

* when kerasgrade itself imports the notebook as a submission, its code
  cells run as the module ``submission``: the test cells then do nothing
  (kerasgrade runs the checks itself);
* classes defined in the notebook are seen by the check as classes of the
  module ``submission`` whose source is the notebook's cells, so checks that
  read source code (``inspect.getsource``) work as they do on a ``.py``;
* ``kerasgrade grade`` scores 0 a notebook that raises while it is imported.
  When nbgrader runs the notebook (``NBGRADER_EXECUTION`` is set), a check
  that follows a cell which raised fails with that error. In an interactive
  session it only warns, since the error may have been fixed since.

The course is ``$KERASGRADE_COURSE`` (``course.toml`` or its folder) if set,
else the first ``course.toml`` in the notebook's folder or one of its parents.
"""
from __future__ import annotations

import contextlib
import inspect
import linecache
import os
import sys
import types
from pathlib import Path

from kerasgrade.course import COURSE_FILE, Course, find_course_file, load_course
from kerasgrade.errors import KerasgradeError
from kerasgrade.explain import SUBMISSION_MODULE, message_of

__all__ = ["run_check_in_notebook", "find_course", "NotebookCheckFailed", "COURSE_ENV"]

COURSE_ENV = "KERASGRADE_COURSE"
NOTEBOOK_SOURCE = "<notebook cells>"  # the file name the notebook's source is registered under
_CELL_STARTS: dict[str, dict[str, int]] = {}  # where each cell's code starts in NOTEBOOK_SOURCE


class NotebookCheckFailed(AssertionError):
    """A course check failed in a notebook; the message teaches what to fix.

    nbgrader gives the test cell no points. Read the message, fix your code in
    the answer cell, run it again, then run the check again.
    """

    def __init__(self, message: str, earlier: BaseException | None = None):
        super().__init__(message)
        self.earlier = earlier  # the error of a learner's cell seen before this check, if any


def find_course(start: str | Path | None = None) -> Path:
    """``$KERASGRADE_COURSE``, else the nearest ``course.toml`` from ``start`` (default: cwd) up."""
    if os.environ.get(COURSE_ENV):
        return Path(os.environ[COURSE_ENV])
    here = Path(start or Path.cwd()).resolve()
    found = find_course_file(here)
    if found is not None:
        return found
    raise KerasgradeError(
        f"no {COURSE_FILE} in {here} or its parents, so the checks of this notebook cannot be "
        f"found. Open the notebook from inside the course folder, or set {COURSE_ENV} to the "
        f"course's {COURSE_FILE} (e.g. %env {COURSE_ENV}=/path/to/course/{COURSE_FILE}).")


_courses: dict[Path, Course] = {}


def _course(path: str | Path | None) -> Course:
    path = Path(path) if path else find_course()
    key = path.resolve()
    if key not in _courses:
        _courses[key] = load_course(path)
    return _courses[key]


def _check(course: Course, exercise: str, check_name: str):
    from kerasgrade.checks import checks_of
    from kerasgrade.engine.judge import import_judged_grader

    ex = course.exercise(exercise)
    module_name = f"kerasgrade_grader_{ex.id}"
    grader = sys.modules.get(module_name)
    if grader is None or Path(getattr(grader, "__file__", "")).resolve() != ex.grader.resolve():
        grader = import_judged_grader(ex.grader, module_name)
    for spec, fn in checks_of(grader):
        if spec.name == check_name:
            return spec, fn
    raise KerasgradeError(f"{ex.grader} has no check named {check_name!r}: this notebook is older "
                          "than its grader. Regenerate it with `kerasgrade notebooks`.")


def _functions_of(obj) -> list:
    """The functions that make up a class or a function, to find the cells that define them."""
    if inspect.isfunction(obj):
        return [obj]
    found = []
    for value in vars(obj).values():
        for f in (value, getattr(value, "__func__", None), getattr(value, "fget", None),
                  getattr(value, "fset", None)):
            if inspect.isfunction(f):
                found.append(inspect.unwrap(f))
    return found


def _defined_here(namespace: dict) -> list:
    main = namespace.get("__name__", "__main__")
    return [v for k, v in namespace.items() if not k.startswith("_")
            and (inspect.isclass(v) or inspect.isfunction(v)) and getattr(v, "__module__", None) == main]


def _notebook_source(objects: list) -> tuple[str, dict[str, int]]:
    """The source of the cells that define ``objects``, in the order they were defined, and
    where each cell starts in it (the lines before it, by the cell's file name)."""
    files: list[str] = []
    for obj in objects:
        for f in _functions_of(obj):
            name = f.__code__.co_filename
            if name not in files:
                files.append(name)
    chunks, starts, line = [], {}, 0
    for name in files:
        lines = linecache.getlines(name)
        if lines:
            chunk = "".join(lines).rstrip("\n") + "\n"
            starts[name] = line
            line += chunk.count("\n") + 1  # and the blank line that joins the chunks
            chunks.append(chunk)
    return "\n".join(chunks), starts


@contextlib.contextmanager
def _as_submission(namespace: dict):
    """The notebook's globals as the module ``submission``, as the grading child has it."""
    module = types.ModuleType(SUBMISSION_MODULE)
    module.__dict__.update({k: v for k, v in namespace.items() if k not in ("__name__", "__spec__",
                                                                           "__loader__")})
    ours = _defined_here(namespace)
    code, starts = _notebook_source(ours)
    linecache.cache[NOTEBOOK_SOURCE] = (len(code), None, code.splitlines(True), NOTEBOOK_SOURCE)
    module.__file__ = NOTEBOOK_SOURCE
    _CELL_STARTS[NOTEBOOK_SOURCE] = starts
    before = {id(o): o.__module__ for o in ours}
    saved = sys.modules.get(SUBMISSION_MODULE)
    sys.modules[SUBMISSION_MODULE] = module
    try:
        for obj in ours:
            obj.__module__ = SUBMISSION_MODULE
        yield module
    finally:
        for obj in ours:
            obj.__module__ = before[id(obj)]
        if saved is None:
            sys.modules.pop(SUBMISSION_MODULE, None)
        else:
            sys.modules[SUBMISSION_MODULE] = saved


def _judge_here(fn, name: str, module: types.ModuleType, course: Course, exercise: str) -> dict:
    """A check written for the judge, run in this kernel: the same requests, served here
    (``LocalChannel``), as nbgrader runs test cells in the learner's kernel by design."""
    import hashlib

    from kerasgrade.engine.judge import judge_check
    from kerasgrade.engine.server import Server
    from kerasgrade.grading import draw
    from kerasgrade.grading.expect import Submission
    from kerasgrade.wire.handle import LocalChannel

    code = linecache.cache.get(NOTEBOOK_SOURCE, (0, None, [], ""))[2]
    code = "".join(code)
    server = Server(code, NOTEBOOK_SOURCE, cells=_CELL_STARTS.get(NOTEBOOK_SOURCE, {}))
    server.module, server.objects[0] = module, module
    base = (course.seed, "notebook", exercise, hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest())
    draw.seed(draw.key(b"", *base, name))
    server.op_reset(draw.key(b"", *base, name, "child") % (1 << 31))
    channel = LocalChannel(server, course.limits.check_timeout)
    follow = getattr(sys.modules.get(f"kerasgrade_grader_{exercise}"), "FOLLOW", None)
    return judge_check(fn, Submission(channel, code, NOTEBOOK_SOURCE, follow=follow),
                       check_timeout=course.limits.check_timeout)


def _earlier_error() -> BaseException | None:
    """The last error a learner's cell of this session raised (IPython keeps the last error).

    A failed check is no learner error, but it remembers the one seen before it.
    """
    err = getattr(sys, "last_value", None)
    return err.earlier if isinstance(err, NotebookCheckFailed) else err


def _graded_by_nbgrader() -> bool:
    return os.environ.get("NBGRADER_EXECUTION") in ("autograde", "validate")


def _points(x: float) -> str:
    return f"{x:g} point" + ("" if x == 1 else "s")


def run_check_in_notebook(exercise: str, check_name: str, namespace: dict, *,
                          course: str | Path | None = None) -> bool | None:
    """Run the check ``check_name`` of ``exercise`` on the notebook whose globals are ``namespace``.

    Returns True when it passes; raises ``NotebookCheckFailed`` with the lesson when it fails;
    returns None (and runs nothing) when kerasgrade imports the notebook as a submission.
    """
    __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
    if namespace.get("__name__") == SUBMISSION_MODULE:
        return None
    the_course = _course(course)
    spec, fn = _check(the_course, exercise, check_name)
    title = f"{spec.title} ({_points(spec.points)})"
    earlier = _earlier_error()
    if earlier is not None and _graded_by_nbgrader():
        raise NotebookCheckFailed(
            f"{title}: not run. A cell before this check raised {type(earlier).__name__}: "
            f"{message_of(earlier)}\n  A notebook is graded like a file: it must run from top to "
            "bottom without errors. Restart the kernel, run all cells, and fix the first error.",
            earlier)
    with _as_submission(namespace) as submission:
        event = _judge_here(fn, spec.name, submission, the_course, exercise)
    if earlier is not None:
        print(f"Note: a cell of this session raised {type(earlier).__name__} earlier. If it still "
              "does, the notebook scores 0 when graded: restart the kernel and run all cells.")
    if not event["passed"]:
        raise NotebookCheckFailed(f"{title} [{spec.concept}]\n  " + event["message"].replace(
            "\n", "\n  "), earlier) from None
    print(f"PASS  {title}")
    return True
