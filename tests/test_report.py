"""The reporters of report.py: one student whose part can't be made costs only that part.

(write_outputs sanitizes every result first, see test_sanitize.py; these results skip that,
to show each reporter holds on its own.)
"""
import json

from kerasgrade.reports.feedback import feedback_text, write_feedback
from kerasgrade.reports.gradebook_files import gradebook_rows, to_json
from kerasgrade.result import GRADED, ExerciseResult

from .books import check, sample_book

EX = "ex01_first_model"


class ScoreRaises(ExerciseResult):
    @property
    def score(self):
        raise RuntimeError("boom")


def with_broken(result):
    book = sample_book()
    book.results[(result.student, result.exercise)] = result
    return book


def test_a_row_that_cannot_be_computed_says_why_and_the_others_are_whole():
    book = with_broken(ScoreRaises("zed", EX, GRADED, (check("binds_layers", True),)))
    rows = gradebook_rows(book)
    assert rows[-1][0] == "zed" and rows[-1][-1].startswith("ERROR: The row of zed could not be written "
                                                            "(RuntimeError: boom)")
    assert [r[0] for r in rows[1:-1]] == ["alice", "bob", "carol", "dave"] and rows[1][-1] == "100"


def test_a_json_entry_that_cannot_be_made_says_why_and_the_others_are_whole():
    students = to_json(with_broken(ScoreRaises("zed", EX, GRADED, (check("binds_layers", True),))))["students"]
    assert "RuntimeError: boom" in students["zed"]["error"] and students["zed"]["exercises"] == {}
    assert students["alice"]["total"] == 100.0
    json.dumps(students, allow_nan=False)


def test_feedback_that_cannot_be_made_is_a_file_that_says_why(tmp_path):
    book = with_broken(ExerciseResult("zed", EX, GRADED, (check("binds_layers", True),), output=12345))
    write_feedback(book, tmp_path)
    assert "The feedback of zed could not be written (AttributeError" in (tmp_path / "zed.txt").read_text()
    assert (tmp_path / "alice.txt").read_text() == feedback_text(book, "alice")
