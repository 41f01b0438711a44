"""The trusted side after scoring can't be crashed: results a hostile child could make, reported.

Each attacker below is a result as it could reach the parent (from a child that ran a student's
code, or from a results file). ``write_outputs`` must still write grades.json, grades.csv, every
other student's feedback and the report, and the attacker's entry must say what went wrong.
"""
import csv
import json
import math

import pytest

from kerasgrade.commands.grade import write_outputs
from kerasgrade.result import ERROR, GRADED, CheckResult, ExerciseResult, Gradebook
from kerasgrade.sanitize import LIMITS, clean_text, file_stem, sanitize

from .books import LEARNER_LOSS, check, result

EX = "ex01_first_model"
TEN_MB = "x" * (10 * 2**20)


def training(loss, **changes):
    fields = dict(name="learns_blobs", title="Learns blobs", concept="training", points=0.0, max_points=2.0,
                  passed=False, hidden=False, message="Training: the accuracy is 0.33.", data={"loss": loss})
    return CheckResult(**{**fields, **changes})


def attacker(student, *checks, **fields):
    return ExerciseResult(student, EX, fields.pop("status", GRADED), tuple(checks), file=f"/sub/{student}/{EX}.py",
                          **fields)


ATTACKERS = {
    "surrogate": attacker("surrogate", check("binds_layers", False, message="bad \ud800 text")),
    "ten-mb": attacker("ten-mb", check("binds_layers", False, message=TEN_MB)),
    "name-list": attacker("name-list", CheckResult(["a", "list"], "t", "c", 0.0, 1.0, False)),
    "points-huge": attacker("points-huge", CheckResult("n", "t", "c", 10**400, 10**400, True)),
    "points-inf": attacker("points-inf", CheckResult("n", "t", "c", float("inf"), float("inf"), True)),
    "points-nan": attacker("points-nan", CheckResult("n", "t", "c", float("nan"), 1.0, True)),
    "more-than-max": attacker("more-than-max", CheckResult("n", "t", "c", 5.0, 1.0, True)),
    "passed-text": attacker("passed-text", CheckResult("n", "t", "c", 1.0, 1.0, "yes")),
    "curve-wide": attacker("curve-wide", training([1e308, -1e308])),
    "curve-huge": attacker("curve-huge", training([10**400, float("inf"), float("nan"), "x", 1.0])),
    "status-number": attacker("status-number", status=42),
    "checks-dict": ExerciseResult("checks-dict", EX, GRADED, {"a": 1}),
    "output-huge-int": attacker("output-huge-int", output=10**5000),
    "../escape": attacker("../escape", check("binds_layers", True)),
    "new\nline": attacker("new\nline", check("binds_layers", True)),
    "\udcff": attacker("\udcff", check("binds_layers", True)),
}


def honest_book(extra=()) -> Gradebook:
    book = Gradebook([EX], {EX: 1.0})
    for r in (result("alice", EX), result("bob", EX, fail=("learns_blobs",), training_loss=LEARNER_LOSS), *extra):
        book.results[(r.student, r.exercise)] = r
    return book


@pytest.fixture(scope="module")
def outputs(course, tmp_path_factory):
    """write_outputs of the honest class alone, and of the same class with every attacker in it."""
    honest, attacked = tmp_path_factory.mktemp("honest"), tmp_path_factory.mktemp("attacked")
    write_outputs(course, honest_book(), honest, jobs=1)
    write_outputs(course, honest_book(ATTACKERS.values()), attacked, jobs=1)
    return honest, attacked


def entry(out, student):
    return json.loads((out / "grades.json").read_text())["students"][clean_text(student, 200)]["exercises"][EX]


def test_every_output_is_written_beside_the_attackers(outputs):
    _, out = outputs
    students = json.loads((out / "grades.json").read_text(), parse_constant=pytest.fail)["students"]
    assert {"alice", "bob"} <= set(students) and len(students) == 2 + len(ATTACKERS)
    with open(out / "grades.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 1 + 2 + len(ATTACKERS)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>") and "fb-alice" in page and "fb-bob" in page


def test_the_honest_students_feedback_is_what_it_is_without_the_attackers(outputs):
    honest, attacked = outputs
    for name in ("alice.txt", "bob.txt", f"bob.{EX}.learns_blobs.png"):
        assert (attacked / "feedback" / name).read_bytes() == (honest / "feedback" / name).read_bytes()
    assert "Your loss curve beside the reference's: bob." in (attacked / "feedback" / "bob.txt").read_text()


@pytest.mark.parametrize("student, says", [
    ("name-list", "check 1's name is a list, not text"),
    ("points-huge", "a number too large to hold"),
    ("points-inf", "is inf, not a number from 0"),
    ("points-nan", "is nan, not a number from 0"),
    ("more-than-max", "points is 5.0, not a number from 0 to 1"),
    ("passed-text", "passed is a str, not true or false"),
    ("status-number", "the status is the int 42, not one of graded"),
    ("checks-dict", "the checks are a dict, not a list"),
    ("output-huge-int", "the output is an int of more than 30 digits, not text"),
])
def test_a_malformed_result_is_that_students_error_and_says_what_was_wrong(outputs, student, says):
    e = entry(outputs[1], student)
    assert e["status"] == ERROR and e["score"] == 0 and "malformed result" in e["message"] and says in e["message"]
    assert says in (outputs[1] / "feedback" / f"{student}.txt").read_text()


def test_a_lone_surrogate_is_shown_escaped_and_a_huge_message_is_cut(outputs):
    assert entry(outputs[1], "surrogate")["checks"][0]["message"] == "bad \\ud800 text"
    cut = entry(outputs[1], "ten-mb")["checks"][0]["message"]
    assert len(cut) <= LIMITS["message"]
    assert cut.endswith(f"[... cut: the text had {len(TEN_MB)} characters; at most {LIMITS['message']} are kept]")


def test_a_loss_curve_no_figure_can_show_is_left_out_and_the_feedback_says_so(outputs):
    out = outputs[1]
    assert entry(out, "curve-wide")["status"] == GRADED  # the check failed as graded; only its picture is missing
    assert "Your loss curve could not be drawn" in (out / "feedback" / "curve-wide.txt").read_text()
    assert not list((out / "feedback").glob("curve-wide.*.png"))


def test_a_loss_curve_with_values_that_are_no_numbers_is_drawn_from_those_that_are(outputs):
    out = outputs[1]
    assert (out / "feedback" / f"curve-huge.{EX}.learns_blobs.png").is_file()
    assert "Your loss curve beside the reference's" in (out / "feedback" / "curve-huge.txt").read_text()


def test_a_student_id_that_is_no_file_name_writes_inside_the_feedback_folder(outputs):
    out = outputs[1]
    assert not (out / "escape.txt").exists()
    written = {p.name for p in (out / "feedback").iterdir()}
    for student in ("../escape", "new\nline", "\udcff"):
        stem = file_stem(clean_text(student, 200))  # the id as reported: "\udcff" is shown escaped
        assert f"{stem}.txt" in written and stem.startswith("invalid-id-")
    assert "Feedback for ../escape" in (out / "feedback" / f"{file_stem('../escape')}.txt").read_text()


def test_sanitize_never_raises_and_keeps_an_honest_result_as_it_is():
    honest = result("alice", EX)
    assert sanitize(honest) == honest
    for r in ATTACKERS.values():
        clean = sanitize(r)
        assert math.isfinite(clean.score) and math.isfinite(clean.max_points)
        text = json.dumps(clean.to_dict())  # valid text: it encodes as UTF-8
        text.encode("utf-8")
        assert json.dumps(sanitize(clean).to_dict()) == text  # once is enough


def test_a_curve_keeps_its_finite_values_and_marks_the_others():
    (c,) = sanitize(attacker("c", training([10**400, float("inf"), "x", 0.5]))).checks
    assert [v if math.isfinite(v) else "nan" for v in c.data["loss"]] == ["nan", "nan", "nan", 0.5]


def test_the_exports_take_the_attackers_in_and_say_what_was_wrong():
    from kerasgrade.integrations.canvas import canvas_rows
    from kerasgrade.integrations.gradescope import gradescope_results

    book = honest_book(ATTACKERS.values())
    rows, warnings = canvas_rows(book, assignment="A")
    assert len(rows) == 2 + len(book.students) and not warnings
    doc = gradescope_results([ATTACKERS["name-list"], ATTACKERS["ten-mb"], result("alice", EX)])
    assert "malformed result (check 1's name is a list" in doc["tests"][0]["output"]
    assert doc["score"] == 4.0 and all(len(t["output"]) <= LIMITS["message"] + 200 for t in doc["tests"])
    json.dumps(doc, allow_nan=False)
