"""The terminal (rich): a table and a learner's checks laid out on a terminal, plain text elsewhere."""
import io
import re

import pytest

from kerasgrade.reports.check_view import check_lines
from kerasgrade.reports.terminal import print_check, print_gradebook
from kerasgrade.reports.terminal import ProgressBar, grid, print_renderable

from .books import result, sample_book

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def terminal(monkeypatch):
    """A stream rich takes for a terminal (FORCE_COLOR), 100 columns wide."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return io.StringIO()


def test_off_a_terminal_the_learner_reads_exactly_the_feedback_files_text():
    r = sample_book().get("dave", "ex01_first_model")
    out = io.StringIO()
    print_check(r, 1, stream=out)
    assert out.getvalue() == "\n".join(check_lines(r, hidden_count=1)) + "\n"
    assert not ANSI.search(out.getvalue())


def test_on_a_terminal_marks_are_coloured_and_a_message_is_shown_as_written(terminal):
    print_check(sample_book().get("dave", "ex01_first_model"), 1, stream=terminal)
    text = terminal.getvalue()
    assert "\x1b[32mPASS" in text and "31mFAIL" in text  # green, red
    plain = ANSI.sub("", text)
    assert "[binding through self]" in plain and "<script>alert('x')</script> is not a layer" in plain
    assert "1 more check(s) run when your instructor grades." in plain
    assert max(len(line) for line in plain.splitlines()) <= 100


def test_no_color_keeps_the_layout_and_drops_the_colours(terminal, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    print_check(result("bob", fail=("learns_blobs",)), stream=terminal)
    text = terminal.getvalue()
    assert "FAIL" in text and not re.search(r"\x1b\[[0-9;]*3[0-7]m", text)


def test_off_a_terminal_a_table_keeps_its_natural_width_and_no_trailing_blanks():
    out = io.StringIO()
    long = "x" * 150
    print_renderable(grid(["name", "score"], [[long, "1"], ["b", "22"]]), out)
    assert out.getvalue().splitlines() == ["name" + " " * 148 + "score", f"{long}  1", "b" + " " * 151 + "22"]


def test_the_gradebook_off_a_terminal_is_plain_columns_with_statuses():
    out = io.StringIO()
    print_gradebook(sample_book(), out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["student", "ex01_first_model", "ex02_config_and_super", "total"]
    assert lines[3].split() == ["carol", "2", "0", "(missing)", "12.5", "%"]
    assert not ANSI.search(out.getvalue()) and all(line == line.rstrip() for line in lines)


def run_bar(stream) -> ProgressBar:
    with ProgressBar("grading", stream=stream) as bar:
        bar.step(1, 2, failed=1, last="alice/ex01: graded 12/12")
        bar.step(2, 2, failed=1, last="bob/ex01: error 0/12")
    return bar


def test_the_progress_bar_is_drawn_on_a_terminal(terminal):
    assert run_bar(terminal).shown
    drawn = ANSI.sub("", terminal.getvalue())
    assert "2/2" in drawn and "1 failed" in drawn and "bob/ex01: error 0/12" in drawn


def test_the_progress_bar_draws_nothing_into_a_file_or_a_pipe(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    out = io.StringIO()
    assert not run_bar(out).shown and out.getvalue() == ""


def test_quiet_draws_no_progress_bar_even_on_a_terminal(terminal):
    with ProgressBar("grading", quiet=True, stream=terminal) as bar:
        bar.step(1, 1)
    assert terminal.getvalue() == ""
