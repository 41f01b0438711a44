"""Notebook submissions: code cells in order, Jupyter-only lines dropped with a note."""
import json

import pytest

from kerasgrade.source import notebook_code, read_source


def notebook(*cells):
    return json.dumps({"cells": [{"cell_type": t, "source": s, "metadata": {}} for t, s in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_code_cells_are_joined_in_order_and_markdown_skipped():
    code, notes = notebook_code(notebook(("code", ["a = 1\n"]), ("markdown", "# no"), ("code", "b = a")))
    assert code.split() == ["a", "=", "1", "b", "=", "a"] and notes == []


def test_magics_and_shell_lines_become_pass_and_keep_line_numbers():
    code, notes = notebook_code(notebook(("code", "%matplotlib inline\nx = 1\n  !ls")))
    assert code.splitlines()[:3] == ["pass", "x = 1", "  pass"]
    assert len(notes) == 2 and "cell 1" in notes[0]


def test_unreadable_files_say_what_is_wrong(tmp_path):
    bad = tmp_path / "ex.ipynb"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="ex.ipynb is not a Jupyter notebook: its text is not JSON"):
        read_source(bad)
    latin = tmp_path / "ex.py"
    latin.write_bytes("x = 'é'".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_source(latin)


def test_a_future_import_in_a_later_cell_still_imports_and_keeps_line_numbers():
    code, _ = notebook_code(notebook(("code", "import os\n"),
                                     ("code", "from __future__ import annotations\n"
                                              "def f(x: Undefined):\n    return 1 / 0\n")))
    namespace = {}
    exec(compile(code, "nb", "exec"), namespace)  # no "from __future__ imports must occur at the beginning"
    with pytest.raises(ZeroDivisionError) as raised:
        namespace["f"](1)
    assert raised.traceback[-1].lineno + 1 == code.splitlines().index("    return 1 / 0") + 1


def raw(**top):
    return json.dumps({"metadata": {}, "nbformat": 4, "nbformat_minor": 5, **top})


HOSTILE = {
    "a list, not a notebook": "[1, 2]",
    "a future format": raw(nbformat=5, cells=[]),
    "a format given as text": raw(nbformat="4", cells=[]),
    "no cells": raw(),
    "cells that are a dict": raw(cells={"a": 1}),
    "a cell that is a number": raw(cells=[3]),
    "a cell without metadata": raw(cells=[{"cell_type": "code", "source": "x = 1"}]),
    "nesting deeper than the parser's stack": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_notebook_gets_a_message_for_the_learner_never_a_crash(tmp_path, text):
    path = tmp_path / "ex01.ipynb"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"^ex01.ipynb is not a (readable Jupyter )?notebook.*save it again"):
        read_source(path)


def test_notebooks_learners_really_hand_in_are_read_without_ids_and_from_format_3():
    no_ids = raw(cells=[{"cell_type": "code", "source": "a = 1", "metadata": {}, "outputs": [],
                         "execution_count": None}])
    assert notebook_code(no_ids)[0].split() == ["a", "=", "1"]
    v3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "b = 2", "outputs": [], "language": "python"}]}]})
    assert notebook_code(v3)[0].split() == ["b", "=", "2"]


def test_a_huge_notebook_is_refused_before_it_is_read(tmp_path):
    from kerasgrade.source import MAX_NOTEBOOK_BYTES

    path = tmp_path / "ex01.ipynb"
    with open(path, "wb") as f:
        f.truncate(MAX_NOTEBOOK_BYTES + 1)  # sparse: no disk used
    with pytest.raises(ValueError, match="clear its outputs"):
        read_source(path)
