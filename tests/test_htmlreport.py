"""report.html: the numbers it shows, and one self-contained file that shows them."""
import base64
import re

from markupsafe import escape

from kerasgrade.cli import main
from kerasgrade.reports.curves import picture_name
from kerasgrade.outdir import save_result
from kerasgrade.reports.html import (check_failure_rates, concept_failure_rates, exercise_percents,
                                     report_html, status_counts, write_report)
from kerasgrade.reports.figures import bars_png, loss_curves_png, score_bands_png

from .books import LEARNER_LOSS, REFERENCE_LOSS, result, sample_book
from .conftest import ROOT

PNG = b"\x89PNG\r\n\x1a\n"


def test_percents_count_handed_in_submissions_only():
    percents = exercise_percents(sample_book())
    assert sorted(percents["ex01_first_model"]) == [50.0, 50.0, 75.0, 100.0]
    assert sorted(percents["ex02_config_and_super"]) == [75.0, 100.0]  # carol's missing file is not a 0 here


def test_failure_rate_per_check_is_over_handed_in_submissions():
    rates = {(r.exercise, r.name): (r.failed, r.total) for r in check_failure_rates(sample_book())}
    assert rates[("ex01_first_model", "binds_layers")] == (2, 4)
    assert rates[("ex01_first_model", "learns_blobs")] == (1, 4)
    assert rates[("ex02_config_and_super", "output_shape")] == (1, 2)


def test_failure_rate_per_concept_puts_the_least_understood_first():
    assert concept_failure_rates(sample_book()) == [
        ("binding through self", 2, 6), ("call() and output shapes", 2, 6), ("training", 1, 6)]  # ties: by name


def test_status_counts_show_missing_files():
    assert status_counts(sample_book())["ex02_config_and_super"]["missing"] == 1


def test_plots_are_png_images():
    for png in (loss_curves_png(LEARNER_LOSS, REFERENCE_LOSS, title="t"), loss_curves_png(LEARNER_LOSS, None, title="t"),
                score_bands_png([("a", [10, 50, 100]), ("b", [])]), score_bands_png([]), bars_png([("c", 30.0)], xlabel="x"),
                bars_png([], xlabel="x")):
        assert png.startswith(PNG)


def test_the_report_is_one_file_with_inline_figures_and_a_sortable_student_table():
    page = report_html(sample_book(), title="Model Subclassing")
    assert "<h1>Model Subclassing</h1>" in page
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">', page)
    assert len(images) >= 4 and all(base64.b64decode(i).startswith(PNG) for i in images)
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # nothing outside the file
    assert "<table class=sortable id=students>" in page and "<script>" in page
    for student in ("alice", "bob", "carol", "dave"):
        assert f"<a href='#fb-{student}'>{student}</a>" in page and f"<details id='fb-{student}'>" in page
    assert "0/4 (missing)" in page


def test_learner_text_is_escaped():
    page = report_html(sample_book())
    assert "<script>alert" not in page and str(escape("<script>alert('x')</script>")) in page
    assert "&lt;script&gt;alert(" in page


def test_a_students_feedback_holds_their_loss_curve_when_it_was_drawn(tmp_path):
    book = sample_book()
    (tmp_path / picture_name("bob", "ex01_first_model", "learns_blobs")).write_bytes(PNG + b"bob")
    page = report_html(book, feedback_dir=tmp_path)
    bob = page[page.index("<details id='fb-bob'>"):]
    bob = bob[:bob.index("</details>")]
    assert base64.b64encode(PNG + b"bob").decode() in bob
    assert escape("Your loss curve beside the reference's: bob.ex01_first_model.learns_blobs.png") in bob


def test_an_empty_gradebook_still_makes_a_page():
    from kerasgrade.result import Gradebook

    page = report_html(Gradebook(["ex01_first_model"], {}))
    assert "No results yet" in page and "</html>" in page


def test_kerasgrade_report_writes_report_html_from_out(course, tmp_path, capsys):
    ex = course.exercises[0].id
    for r in (result("alice", ex), result("bob", ex, fail=("binds_layers",))):
        save_result(tmp_path, r)
    assert main(["--course", str(ROOT), "report", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text()
    assert f"<title>{course.title}</title>" in page and "fb-bob" in page
    assert str(tmp_path / "report.html") in capsys.readouterr().out


def test_write_report_returns_the_path(tmp_path):
    assert write_report(sample_book(), tmp_path / "out") == tmp_path / "out" / "report.html"


def test_a_students_feedback_that_cannot_be_made_is_replaced_by_why_and_the_others_are_whole():
    from kerasgrade.result import GRADED, ExerciseResult

    from .books import check

    book = sample_book()
    book.results[("zed", "ex01_first_model")] = ExerciseResult("zed", "ex01_first_model", GRADED,
                                                               (check("binds_layers", True),), output=12345)
    page = report_html(book)
    zed = page[page.index("<details id='fb-zed'>"):]
    assert "The feedback of zed could not be written (AttributeError" in zed[:zed.index("</details>")]
    assert "<details id='fb-alice'>" in page and "Feedback for alice: 100% of the course" in page
