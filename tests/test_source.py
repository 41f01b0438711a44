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
    with pytest.raises(ValueError, match="not a readable Jupyter notebook"):
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
