"""The course notebooks: generated, deterministic, valid for nbgrader, and leak-free.

TensorFlow-free: the checks are read from the graders' source, notebooks are built
with nbformat and nbgrader's own preprocessors.
"""
import ast
import re
import textwrap

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from kerasgrade.integrations.nbgrader.answer_cell import BEGIN, END, merge
from kerasgrade.errors import KerasgradeError
from kerasgrade.integrations.nbgrader.notebooks import (HIDDEN_BEGIN, build_notebooks, release_notebook,
                                                        source_notebook, write_notebooks)
from kerasgrade.checks import grader_checks
from kerasgrade.integrations.nbgrader.course_folder import init_course
from kerasgrade.engine.test_cells import COURSE_ENV, find_course, run_check_in_notebook

from .conftest import ROOT


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _code(path) -> str:
    return "\n".join(c.source for c in _cells(path) if c.cell_type == "code")


def _solution_lines(source_nb) -> set[str]:
    """The code lines inside the source notebook's solution regions."""
    lines, inside = set(), False
    for cell in source_nb.cells:
        for line in cell.source.splitlines():
            if BEGIN in line:
                inside = True
            elif END in line:
                inside = False
            elif inside and line.strip() and not line.strip().startswith("#"):
                lines.add(line.strip())
    return lines


# -- the committed notebooks --------------------------------------------------------------------

def test_committed_notebooks_are_what_kerasgrade_notebooks_writes(course, tmp_path):
    report = write_notebooks(course, tmp_path)
    assert len(report) == 2 * len(course.exercises)
    stale = []
    for path, _ in report:
        committed = ROOT / path.relative_to(tmp_path)
        if not committed.is_file() or committed.read_bytes() != path.read_bytes():
            stale.append(str(committed.relative_to(ROOT)))
    assert not stale, f"{stale} differ from their .py files and graders: run `kerasgrade notebooks`"


def test_generating_twice_gives_the_same_bytes(course):
    first = build_notebooks(course, [course.exercises[0].id])
    assert first == build_notebooks(course, [course.exercises[0].id])


def test_kerasgrade_notebooks_check_reports_a_stale_notebook(course, tmp_path, capsys):
    from kerasgrade.cli import main

    ex = course.exercises[0].id
    args = ["--course", str(course.file), "notebooks", "--out", str(tmp_path), "--exercise", ex]
    assert main([*args, "--check"]) == 1
    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    (tmp_path / "exercises" / f"{ex}.ipynb").write_text("{}")
    assert main([*args, "--check"]) == 1
    assert "run `kerasgrade notebooks`" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["solutions", "exercises"])
def test_course_notebooks_pass_nbgraders_metadata_validator(course, kind):
    for ex in course.exercises:
        nb = nbformat.read(ROOT / kind / f"{ex.id}.ipynb", as_version=4)
        nbformat.validate(nb)
        MetadataValidator().validate_nb(nb)


def test_learner_notebooks_hold_no_solution_and_no_hidden_test(course):
    for ex in course.exercises:
        learner = ROOT / "exercises" / f"{ex.id}.ipynb"
        text = learner.read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{learner}: {marker}"
        code_lines = {line.strip() for line in _code(learner).splitlines()}
        stub_lines = {line.strip() for line in ex.stub.read_text().splitlines()}
        source = nbformat.read(ROOT / "solutions" / f"{ex.id}.ipynb", as_version=4)
        leaked = (_solution_lines(source) - stub_lines) & code_lines
        assert not leaked, f"{learner} shows solution code: {sorted(leaked)}"
        for check in grader_checks(ex.grader):
            if check.hidden:
                assert repr(check.name) not in text, f"{learner} runs hidden check {check.name}"


def test_learner_notebooks_leave_the_todos_to_fill_in(course):
    for ex in course.exercises:
        learner = ROOT / "exercises" / f"{ex.id}.ipynb"
        tree = ast.parse(_code(learner))
        raises = [n for n in ast.walk(tree) if isinstance(n, ast.Raise)]
        assert raises, f"{ex.id}: the learner's notebook has nothing to fill in"
        if any(isinstance(n, ast.Raise) for n in tree.body):  # a definition replaced whole...
            assert "outline" in {c.get("id") for c in _cells(learner)}, f"{ex.id}: ...needs its outline"


# -- the source notebook --------------------------------------------------------------------------

def test_source_notebook_has_one_graded_read_only_cell_per_check(course):
    ex = course.exercises[0]
    nb = source_notebook(ex)
    checks = grader_checks(ex.grader)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata.nbgrader.grade_id for c in tests] == [f"test_{c.name}" for c in checks]
    for cell, check in zip(tests, checks):
        meta = cell.metadata.nbgrader
        assert (meta.points, meta.locked, meta.solution, meta.schema_version) == (check.points, True, False, 3)
        assert f"run_check_in_notebook({ex.id!r}, {check.name!r}, globals())" in cell.source
        assert (HIDDEN_BEGIN in cell.source) == check.hidden
    (answer,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answer.cell_type == "code" and BEGIN in answer.source
    assert all(c.id == c.metadata.nbgrader.grade_id for c in nb.cells)


def test_the_source_answer_cell_is_the_solution(course):
    ex = course.exercises[0]
    nb = source_notebook(ex)
    (answer,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    code = "\n".join(line for line in answer.source.splitlines() if "SOLUTION" not in line)

    def defs(text):
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node):
                node.body = node.body[1:]
        return sorted(ast.dump(n) for n in tree.body if isinstance(n, ast.ClassDef))

    assert defs(code) == defs(ex.solution.read_text())


def test_release_replaces_solutions_by_nbgraders_code_stub(course):
    released = nbformat.reads(release_notebook(source_notebook(course.exercises[0])), as_version=4)
    (answer,) = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert "# YOUR CODE HERE\n" in answer.source
    assert "raise NotImplementedError()" in answer.source


# -- the answer cell ---------------------------------------------------------------------------

STUB = '''\
"""Exercise 0 — a model.

Fill in the TODO.
"""
import tensorflow as tf


class Model(tf.keras.Model):
    """A model."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        # TODO: bind a Dense layer on self.
        raise NotImplementedError("TODO")

    def call(self, inputs):
        """Forward pass."""
        # TODO: use it.
        raise NotImplementedError("TODO")
'''

SOLUTION = '''\
"""Exercise 0 (reference)."""
import numpy as np
import tensorflow as tf


class Model(tf.keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(units)

    def call(self, inputs):
        # the forward pass
        return self.dense(inputs)
'''


def test_the_answer_cell_keeps_the_stubs_view_and_the_shared_first_statements():
    answer = merge(STUB, SOLUTION)
    assert answer.merged
    assert answer.source.startswith("import tensorflow as tf\nimport numpy as np\n")
    assert "Fill in the TODO" not in answer.source
    assert ("    def __init__(self, units=3, **kwargs):\n"
            "        super().__init__(**kwargs)\n"
            "        # TODO: bind a Dense layer on self.\n"
            f"        {BEGIN}\n"
            "        self.dense = tf.keras.layers.Dense(units)\n"
            f"        {END}\n") in answer.source
    assert "        # the forward pass\n        return self.dense(inputs)\n" in answer.source
    assert '"""Forward pass."""' in answer.source


@pytest.mark.parametrize("change, named", [
    ("\n\ndef helper():\n    return 1\n", "helper"),
    ("\nSCALE = 2\n", "SCALE = 2"),
])
def test_a_solution_the_stub_cannot_hold_becomes_one_solution_region(change, named):
    answer = merge(STUB, SOLUTION + change)
    assert not answer.merged and named in answer.reason
    assert answer.source.startswith(BEGIN) and answer.source.endswith(END)


def test_a_class_whose_header_the_stub_leaves_as_a_todo_is_one_solution_region_with_an_outline():
    stub = STUB.replace("class Model(", "# TODO 0: register the class.\nclass Model(")
    solution = SOLUTION.replace("class Model(", "@keras.saving.register_keras_serializable()\nclass Model(")
    answer = merge(stub, solution)
    assert answer.merged and "decorator_list" in answer.reason
    assert f"# TODO 0: register the class.\n{BEGIN}\n@keras.saving" in answer.source
    assert answer.source.endswith(f"return self.dense(inputs)\n{END}")
    assert answer.outline.startswith("class Model(tf.keras.Model):") and "# TODO: use it." in answer.outline


# -- the checks, read without TensorFlow ----------------------------------------------------------

def test_checks_are_read_from_the_graders_source(tmp_path):
    grader = tmp_path / "test_ex.py"
    grader.write_text(textwrap.dedent('''\
        from kerasgrade.checks import check

        @check(points=2, concept="inheritance")
        def test_first(submission):
            "The first check"

        def helper():
            pass

        @check(points=1, concept="training", hidden=True)
        def test_second(submission):
            pass
        '''))
    first, second = grader_checks(grader)
    assert (first.name, first.title, first.points, first.hidden) == ("first", "The first check", 2.0, False)
    assert (second.name, second.title, second.concept, second.hidden) == ("second", "second", "training", True)


def test_a_computed_check_declaration_is_read_as_kerasgrade_runs_it(tmp_path):
    grader = tmp_path / "test_ex.py"
    grader.write_text("from kerasgrade.checks import check\nP = 2\n\n@check(points=P, concept='x')\n"
                      "def test_a(submission):\n    pass\n")
    assert [(c.name, c.points) for c in grader_checks(grader)] == [("a", 2.0)]


def test_a_grader_that_cannot_be_read_is_named(tmp_path):
    grader = tmp_path / "test_ex.py"
    grader.write_text("raise ImportError('no such helper')\n")
    with pytest.raises(KerasgradeError, match=re.escape(str(grader))):
        grader_checks(grader)


# -- the nbgrader course folder -------------------------------------------------------------------

def test_nbgrader_init_lays_out_a_course_the_notebooks_find(course, tmp_path):
    ex = course.exercises[0]
    init_course(course, tmp_path, exercises=[ex.id])
    source = tmp_path / "source" / "model_subclassing" / f"{ex.id}.ipynb"
    assert source.read_text() == (ROOT / "solutions" / f"{ex.id}.ipynb").read_text()
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert "c.Execute.timeout" in config and "assignment_id" not in config
    compile(config, "nbgrader_config.py", "exec")
    autograded = tmp_path / "autograded" / "alice" / "model_subclassing"
    autograded.mkdir(parents=True)
    assert find_course(autograded) == tmp_path / "course.toml"
    assert (tmp_path / "graders" / f"test_{ex.id}.py").read_text() == ex.grader.read_text()


# -- the notebook side --------------------------------------------------------------------------

def test_find_course_prefers_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(COURSE_ENV, str(tmp_path / "elsewhere.toml"))
    assert find_course(ROOT) == tmp_path / "elsewhere.toml"


def test_find_course_says_how_to_point_at_the_course(tmp_path, monkeypatch):
    monkeypatch.delenv(COURSE_ENV, raising=False)
    with pytest.raises(KerasgradeError, match=COURSE_ENV):
        find_course(tmp_path)


def test_test_cells_do_nothing_when_kerasgrade_imports_the_notebook():
    assert run_check_in_notebook("ex01_first_model", "no_such_check", {"__name__": "submission"}) is None


def test_a_course_whose_stub_leaves_a_decorator_to_write_gets_an_outline_cell(tmp_path):
    from kerasgrade.course import load_course

    from .conftest import write_course

    grader = '''\
        from kerasgrade.checks import check

        @check(points=1, concept="serialization")
        def test_registered(submission):
            "Model is registered"

        @check(points=2, concept="serialization", hidden=True)
        def test_round_trip(submission):
            "Model survives save and load"
        '''
    course_file = write_course(tmp_path, '''\
        [course]
        title = "T"
        [[exercises]]
        id = "ex00_model"
        ''', {"ex00_model": grader})
    (tmp_path / "exercises").mkdir()
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises" / "ex00_model.py").write_text(
        STUB.replace("class Model(", "# TODO 0: register the class.\nclass Model("))
    (tmp_path / "solutions" / "ex00_model.py").write_text(
        SOLUTION.replace("import numpy", "import keras\nimport numpy").replace(
            "class Model(", "@keras.saving.register_keras_serializable()\nclass Model("))
    warnings = []
    write_notebooks(load_course(course_file), warn=warnings.append)
    assert len(warnings) == 1 and "ex00_model" in warnings[0] and "decorator_list" in warnings[0]
    learner = tmp_path / "exercises" / "ex00_model.ipynb"
    cells = {c.id: c for c in _cells(learner)}
    assert list(cells)[:3] == ["lesson", "outline", "answer"]
    assert "register_keras_serializable" not in _code(learner)
    assert "'round_trip'" not in learner.read_text() and "Model survives" not in learner.read_text()
    assert cells["answer"].source.endswith("# YOUR CODE HERE\nraise NotImplementedError()")
    assert "def call(self, inputs):" in cells["outline"].source
    source = tmp_path / "solutions" / "ex00_model.ipynb"
    assert "register_keras_serializable" in _code(source) and HIDDEN_BEGIN in _code(source)
