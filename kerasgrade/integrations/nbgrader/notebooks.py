"""The course as Jupyter notebooks, for nbgrader.

For every exercise of ``course.toml``:

* ``solutions/<ex>.ipynb`` — the nbgrader *source* notebook: the lesson
  (markdown, read-only, from the course's ``lessons.toml``), the answer cell (the stub's code
  with the solution between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, see ``answer_cell``),
  and one read-only autograder test cell per check, with its points, calling
  the very check ``kerasgrade`` runs (``kerasgrade.notebook``); hidden checks
  sit between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``;
* ``exercises/<ex>.ipynb`` — the learner's notebook, made from the source by
  nbgrader's own ``generate_assignment`` preprocessors (no solutions, no hidden
  tests), so it is what ``nbgrader generate_assignment`` releases.

Both are deterministic (cell ids from grade ids, no outputs, no timestamps):
generating twice gives the same bytes. The checks are those the grader declares when imported
(``checks.grader_checks``), factory-made ones included.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kerasgrade.checks import CheckSpec, grader_checks
from kerasgrade.course import Course, Exercise
from kerasgrade.errors import KerasgradeError
from kerasgrade.integrations.nbgrader.answer_cell import merge, strip_docstring

ASSIGNMENT = "model_subclassing"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


_GRADE_ID = re.compile(r"[^A-Za-z0-9_-]+")


# -- the source notebook ---------------------------------------------------------------------

def _grade_id(text: str) -> str:
    return _GRADE_ID.sub("_", text).strip("_")[:60] or "cell"


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _points(x: float) -> str:
    return f"{x:g} point" + ("" if x == 1 else "s")


def _intro(ex: Exercise, doc: str, checks: list[CheckSpec], outlined: bool) -> str:
    lines = doc.strip().splitlines()
    title = lines[0].rstrip(".") if lines else ex.title
    body = "\n".join(lines[1:]).strip()
    body = body.replace(f"{ex.stub.parent.name}/{ex.id}.py", f"{ex.stub.parent.name}/{ex.id}.ipynb")
    hidden = [c for c in checks if c.hidden]
    total = sum(c.points for c in checks)
    how = (f"**How this notebook works.** Write your code in the next cell, where it says "
           f"`YOUR CODE HERE`, and run it. The cells after it are the checks ({len(checks)}, "
           f"{_points(total)} in all): run them to see what passes and, when something fails, why. ")
    if hidden:
        n, pts = len(hidden), _points(sum(c.points for c in hidden))
        how += (f"{n} of them ({pts}) {'is' if n == 1 else 'are'} hidden: "
                f"{'it runs' if n == 1 else 'they run'} when your notebook is graded. ")
    how += ("The notebook is graded as a whole, from top to bottom: before you hand it in, "
            "restart the kernel and run all cells, without errors.")
    if outlined:
        how += ("\n\nPart of the code to write is outlined in the next cell; write it in the code "
                "cell after it, in place of `YOUR CODE HERE`.")
    return f"# {title}\n\n{body}\n\n{how}" if body else f"# {title}\n\n{how}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Plain text (a check's title or concept) as markdown: ``__init__`` must not turn bold."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _heading(concept: str) -> str:
    if re.match(r"[a-z]+(\s|$)", concept):  # a plain word first: capitalise it
        concept = concept[0].upper() + concept[1:]
    return _md(concept) if concept else "Checks"


def _lesson(concept: str, group: list[CheckSpec], lessons: dict[str, str]) -> str:
    text = [f"## {_heading(concept)}"]
    lesson = lessons.get(concept.strip().lower())
    if lesson:
        text.append(lesson)
    items = [f"* {'a hidden check' if c.hidden else _md(c.title)} ({_points(c.points)})" for c in group]
    text.append("The checks below:\n\n" + "\n".join(items))
    return "\n\n".join(text)


def _test_source(ex: Exercise, c: CheckSpec) -> str:
    call = ("from kerasgrade.notebook import run_check_in_notebook\n"
            f"run_check_in_notebook({ex.id!r}, {c.name!r}, globals())")
    if c.hidden:
        return (f"# A hidden check ({_points(c.points)}): it runs when your notebook is graded.\n"
                f"{HIDDEN_BEGIN}\n{call}\n{HIDDEN_END}")
    return f"# {c.title}\n{call}"


def source_notebook(ex: Exercise, checks: list[CheckSpec] | None = None, *, lessons: dict[str, str] | None = None,
                    warn=None):
    """The nbgrader source notebook of ``ex`` (an ``nbformat`` node), validated by nbgrader;
    ``lessons`` (the course's, by concept in lower case) head each concept's checks."""
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    checks = checks if checks is not None else grader_checks(ex.grader)
    for path in (ex.stub, ex.solution):
        if not path.is_file():
            raise KerasgradeError(f"{ex.id}: no {path}; the notebooks are made from the stub and "
                                  "the solution")
    stub = ex.stub.read_text(encoding="utf-8")
    doc, _ = strip_docstring(stub)
    answer = merge(stub, ex.solution.read_text(encoding="utf-8"))
    if answer.reason and warn:
        what = "the answer cell is one solution region" if not answer.merged else \
            "a definition is one solution region (its stub is shown as an outline)"
        warn(f"{ex.id}: {what}, because {answer.reason}")

    v4 = nbformat.v4
    cells = []

    def add(cell, grade_id, **meta):
        cell.id = grade_id
        cell.metadata = _meta(grade_id, **meta)
        cells.append(cell)

    add(v4.new_markdown_cell(_intro(ex, doc, checks, bool(answer.outline))), "lesson", locked=True)
    if answer.outline:
        add(v4.new_markdown_cell("The outline of the code to write (its docstrings and `TODO`s say "
                                 "what to do):\n\n```python\n" f"{answer.outline}\n```"),
            "outline", locked=True)
    add(v4.new_code_cell(answer.source), "answer", solution=True)
    used: set[str] = set()
    groups: list[tuple[str, list[CheckSpec]]] = []
    for c in checks:
        if groups and groups[-1][0] == c.concept:
            groups[-1][1].append(c)
        else:
            groups.append((c.concept, [c]))
    for concept, group in groups:
        gid = f"lesson_{_grade_id(concept.lower())}"
        n = 2
        while gid in used:
            gid, n = f"lesson_{_grade_id(concept.lower())}_{n}", n + 1
        used.add(gid)
        add(v4.new_markdown_cell(_lesson(concept, group, lessons or {})), gid, locked=True)
        for c in group:
            add(v4.new_code_cell(_test_source(ex, c)), _grade_id(f"test_{c.name}"),
                grade=True, locked=True, points=c.points)
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC),
                                                "language_info": {"name": "python"}})
    nb.nbformat, nb.nbformat_minor = 4, 5
    MetadataValidator().validate_nb(nb)
    return nb


# -- the learner's notebook, as nbgrader releases it --------------------------------------------

def release_notebook(source) -> str:
    """The learner's notebook: ``source`` through ``nbgrader generate_assignment``'s preprocessors.

    The same preprocessors, in the same order and with the same (default) settings, and the same
    exporter; only ``SaveCells`` (which records the cells in the gradebook database) is left out.
    """
    import copy

    from nbconvert.exporters import NotebookExporter
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import SaveCells
    from traitlets.config import Config

    config = Config()
    config.Exporter.default_preprocessors = []
    exporter = NotebookExporter(config=config)
    for pp in GenerateAssignment.class_traits()["preprocessors"].default():
        if pp is not SaveCells:
            exporter.register_preprocessor(pp(config=config), enabled=True)
    text, _ = exporter.from_notebook_node(copy.deepcopy(source),
                                          resources={"metadata": {"path": "."}})
    return text


def notebook_text(nb) -> str:
    """``nb`` as nbgrader (nbconvert's ``NotebookExporter``) writes it."""
    import nbformat

    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


# -- files ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NotebookFile:
    path: Path      # where it belongs (relative to the course folder)
    text: str
    kind: str       # "source" (solutions/) or "release" (exercises/)


def _relative(path: Path, root: Path) -> Path:
    """``path`` under the course folder; a folder set elsewhere keeps its last name."""
    try:
        return path.resolve().relative_to(root)
    except ValueError:
        return Path(path.parent.name) / path.name


def _need_nbgrader() -> None:
    try:
        import nbformat  # noqa: F401
        import nbgrader  # noqa: F401
    except ImportError as e:
        raise KerasgradeError(f"the notebooks are made with nbgrader's own tools, and {e.name} is not "
                              "installed: pip install 'kerasgrade[notebooks]'") from None


def build_notebooks(course: Course, exercises: list[str] | None = None, *, warn=None) -> list[NotebookFile]:
    """The source and learner notebooks of the course's exercises, in memory."""
    _need_nbgrader()
    for eid in exercises or ():
        course.exercise(eid)  # an unknown one raises, naming the known ones
    out = []
    for ex in course.exercises:
        if exercises and ex.id not in exercises:
            continue
        src = source_notebook(ex, lessons=course.lessons, warn=warn)
        out.append(NotebookFile(_relative(ex.solution.with_suffix(".ipynb"), ex.root),
                                notebook_text(src), "source"))
        out.append(NotebookFile(_relative(ex.stub.with_suffix(".ipynb"), ex.root),
                                release_notebook(src), "release"))
    return out


def _absolute(course: Course, nbf: NotebookFile) -> Path:
    ex = next(e for e in course.exercises if e.id == nbf.path.stem)
    return (ex.solution if nbf.kind == "source" else ex.stub).with_suffix(".ipynb")


def write_notebooks(course: Course, out: Path | None = None, *, exercises=None, check: bool = False,
                    warn=None) -> list[tuple[Path, str]]:
    """Write the notebooks under ``out`` (default: the course folder); (path, status) each.

    status: ``wrote``, ``unchanged``, or with ``check=True`` (nothing written) ``differs``/``missing``.
    """
    report = []
    for nbf in build_notebooks(course, exercises, warn=warn):
        path = Path(out) / nbf.path if out else _absolute(course, nbf)
        old = path.read_bytes() if path.is_file() else None
        new = nbf.text.encode("utf-8")
        if old == new:
            report.append((path, "unchanged"))
        elif check:
            report.append((path, "missing" if old is None else "differs"))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(new)
            report.append((path, "wrote"))
    return report
