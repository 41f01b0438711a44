"""Late submissions on the way back: [late] in course.toml, the adjusted total beside the raw one in the
gradebook and its reports, and the exports keyed by the platform ids of the manifest."""
import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from kerasgrade.cli import main
from kerasgrade.course import LatePolicy, load_course
from kerasgrade.errors import ConfigError
from kerasgrade.integrations.gradescope import GRADESCOPE_SCORE_COLUMNS, gradescope_score_rows
from kerasgrade.integrations.canvas import canvas_rows
from kerasgrade.outdir import load_gradebook, save_result
from kerasgrade.reports.html import report_html
from kerasgrade.manifest import Manifest, StudentRecord, carry_manifest, read_manifest, write_manifest
from kerasgrade.reports.feedback import feedback_text
from kerasgrade.reports.gradebook_files import gradebook_rows, to_json
from kerasgrade.result import Lateness

from .books import result, sample_book
from .conftest import ROOT, write_course

COURSE = """
[course]
title = "t"
[[exercises]]
id = "ex01"
"""


def course_with(tmp_path, late: str):
    return load_course(write_course(tmp_path, COURSE + "[late]\n" + late, {"ex01": "X = 1\n"}))


# -- course.toml ---------------------------------------------------------------------------

def test_no_late_table_means_no_policy(tmp_path):
    assert load_course(write_course(tmp_path, COURSE, {"ex01": "X = 1\n"})).late is None


def test_the_late_table_is_read(tmp_path):
    late = course_with(tmp_path, "due = 2026-03-01T23:59:00+01:00\ngrace_minutes = 15\npenalty_per_day = 10\n"
                                 "floor = 40\ncap = 90\n").late
    assert late == LatePolicy(datetime(2026, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=1))), 15.0, 10.0,
                              40.0, 90.0)


@pytest.mark.parametrize("toml, message", [
    ("penalty = 10\n", "[late]: unknown key 'penalty' (known: due, grace_minutes, penalty_per_day, floor, cap)"),
    ("due = 2026-03-01T23:59:00\n", "[late].due must be a date and time with its UTC offset"),
    ("due = \"tomorrow\"\n", "[late].due must be a date and time with its UTC offset"),
    ("penalty_per_day = 120\n", "[late].penalty_per_day must be a percentage from 0 to 100, got 120"),
    ("floor = -1\n", "[late].floor must be a percentage from 0 to 100"),
    ("cap = \"90\"\n", "[late].cap must be a int or float, got '90'"),
    ("grace_minutes = -5\n", "[late].grace_minutes must be 0 or more"),
])
def test_a_bad_late_table_names_the_key(tmp_path, toml, message):
    with pytest.raises(ConfigError) as e:
        course_with(tmp_path, toml)
    assert message in str(e.value) and "course.toml" in str(e.value)


@pytest.mark.parametrize("policy, total, late, days, adjusted", [
    (LatePolicy(penalty_per_day=10, floor=40), 95.0, False, 3, 95.0),
    (LatePolicy(penalty_per_day=10, floor=40), 95.0, True, 2, 75.0),
    (LatePolicy(penalty_per_day=10, floor=40), 95.0, True, 9, 40.0),     # the floor
    (LatePolicy(penalty_per_day=10, floor=40), 30.0, True, 2, 30.0),     # the floor never raises a score
    (LatePolicy(penalty_per_day=10), 95.0, True, None, 85.0),           # late, days unknown: one day
    (LatePolicy(cap=80), 95.0, True, 1, 80.0),
    (LatePolicy(cap=80), 60.0, True, 5, 60.0),
    (LatePolicy(), 95.0, True, 4, 95.0),
])
def test_the_policy_adjusts_late_totals_only(policy, total, late, days, adjusted):
    assert policy.adjust(total, late, days) == adjusted


# -- the gradebook and its reports -----------------------------------------------------------

def late_book(policy=LatePolicy(penalty_per_day=10, floor=0)):
    book = sample_book()
    book.lateness = {"alice": Lateness(True, 2, "2026-03-03T10:00:00+00:00"), "bob": Lateness(False)}
    book.late_policy = policy
    return book


def test_the_adjusted_total_stands_beside_the_raw_total():
    book = late_book()
    assert book.total("alice") == 100 and book.adjusted_total("alice") == 80
    assert book.adjusted_total("bob") == book.total("bob") and book.adjusted_total("carol") == book.total("carol")
    doc = to_json(book)["students"]
    assert (doc["alice"]["total"], doc["alice"]["adjusted_total"], doc["alice"]["late"], doc["alice"]["days_late"]) \
        == (100, 80, True, 2)
    assert doc["alice"]["submitted_at"] == "2026-03-03T10:00:00+00:00"
    assert doc["bob"]["late"] is False and doc["carol"]["days_late"] is None
    assert all(c["points"] == c["max_points"] for c in doc["alice"]["exercises"]["ex01_first_model"]["checks"])


def test_the_gradebook_table_shows_late_and_the_adjusted_total_only_when_there_is_lateness():
    assert gradebook_rows(sample_book())[0][-1] == "total"
    rows = gradebook_rows(late_book())
    assert rows[0][-3:] == ["total", "late", "adjusted total"]
    assert rows[1][0] == "alice" and rows[1][-3:] == ["100", "late (2 days)", "80"]


def test_feedback_and_the_report_say_late():
    book = late_book()
    assert "Handed in late (2 days): 80% after the late policy" in feedback_text(book, "alice")
    assert "late" not in feedback_text(book, "bob").splitlines()[1]
    page = report_html(book)
    assert "<th class='sort num'>adjusted total</th>" in page and ">late (2 days)</td>" in page
    assert "adjusted total" not in report_html(sample_book())


def test_grade_carries_the_manifest_and_load_gradebook_reads_its_late_flags(tmp_path, course):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    write_manifest(Manifest("s.zip", "canvas", None, [
        StudentRecord("alice", "smithalice", "canvas", {"user_id": "1001"}, late=True),
        StudentRecord("bob", "jonesbob", "canvas", {"user_id": "1002"})]), subs)
    save_result(out, result("alice"))
    save_result(out, result("bob"))
    assert carry_manifest(subs, out).students[0].late
    book = load_gradebook(out, course)
    assert book.lateness == {"alice": Lateness(True), "bob": Lateness(False)}
    (subs / "manifest.json").unlink()
    assert carry_manifest(subs, out) is None and read_manifest(out) is None   # no stale manifest is left


def test_a_damaged_manifest_is_a_clear_error(tmp_path):
    from kerasgrade.errors import KerasgradeError

    (tmp_path / "manifest.json").write_text(json.dumps({"version": 1, "platform": "canvas", "source": "s",
                                                        "students": [{"student": "a"}]}))
    with pytest.raises(KerasgradeError, match="manifest.json: not a manifest written by `kerasgrade collect`"):
        read_manifest(tmp_path)


# -- the exports ---------------------------------------------------------------------------

def canvas_manifest() -> Manifest:
    return Manifest("s.zip", "canvas", None, [
        StudentRecord("alice", "smithalice", "canvas", {"user_id": "1001"}, late=True, days_late=2),
        StudentRecord("bob", "jonesbob", "canvas", {"user_id": "1002"})])


def test_the_canvas_export_uses_the_canvas_user_ids_and_the_adjusted_total():
    book = late_book()
    rows, warnings = canvas_rows(book, assignment="A", points=50, manifest=canvas_manifest())
    by_id = {r[1]: r for r in rows[2:]}
    assert by_id["1001"] == ["smithalice", "1001", "", "", "", "40"]     # 80% of 50 after the policy
    assert by_id["1002"][0] == "jonesbob"
    assert {r[0] for r in rows[2:]} >= {"carol", "dave"} and warnings == []  # not from Canvas: by student id


def test_the_canvas_export_copies_the_roster_row_of_the_canvas_user_id(tmp_path):
    roster = [{"Student": "Smith, Alice", "ID": "1001", "SIS User ID": "S-1", "SIS Login ID": "asmith",
               "Section": "Lab A"}]
    rows, warnings = canvas_rows(late_book(), assignment="A", roster=roster, manifest=canvas_manifest())
    assert ["Smith, Alice", "1001", "S-1", "asmith", "Lab A", "80"] in rows
    assert ["jonesbob", "1002", "", "", "", f"{late_book().total('bob'):g}"] in rows
    assert any("Canvas user 1002 is not in the Canvas roster" in w for w in warnings)


def test_the_gradescope_scores_are_keyed_by_sid_and_email():
    manifest = Manifest("e.zip", "gradescope", None, [
        StudentRecord("A100", "Alice Smith", "gradescope", {"submission_id": "9", "sid": "A100",
                                                            "email": "alice@uni.edu"}, late=True, days_late=2),
        StudentRecord("bob@uni.edu", "Bob", "gradescope", {"submission_id": "8", "sid": "", "email": "bob@uni.edu"},
                      group=("A100",))])
    book = late_book()
    book.results = {(("A100" if s == "alice" else "bob@uni.edu" if s == "bob" else s), ex): r
                    for (s, ex), r in book.results.items()}
    book.lateness = {"A100": Lateness(True, 2)}
    rows, warnings = gradescope_score_rows(book, manifest, points=10)
    assert rows[0] == list(GRADESCOPE_SCORE_COLUMNS)
    assert rows[1] == ["Alice Smith", "A100", "alice@uni.edu", "8", "10", "10", "yes"]
    assert rows[2][:3] == ["Bob", "", "bob@uni.edu"] and rows[2][-1] == ""
    assert sorted(w.split(":")[0] for w in warnings) == ["carol", "dave"]


def test_the_export_commands_read_the_manifest_grade_carried(tmp_path, course, capsys):
    out = tmp_path / "out"
    save_result(out, result("alice"))
    write_manifest(canvas_manifest(), out)
    assert main(["--course", str(ROOT), "export", "canvas", "--from", str(out), "--out", str(tmp_path / "c.csv")]) == 0
    rows = list(csv.reader((tmp_path / "c.csv").open()))
    assert rows[2][:2] == ["smithalice", "1001"]
    assert main(["--course", str(ROOT), "export", "gradescope-scores", "--from", str(out),
                 "--out", str(tmp_path / "g.csv")]) == 0
    assert "alice: not taken in from a Gradescope export" in capsys.readouterr().err


def test_merge_carries_the_shards_manifest_and_refuses_two_different_ones(tmp_path, course):
    from kerasgrade.errors import KerasgradeError
    from kerasgrade.outdir import merge

    shards = [tmp_path / "s1", tmp_path / "s2"]
    for shard, student in zip(shards, ("alice", "bob")):
        save_result(shard, result(student))
        write_manifest(canvas_manifest(), shard)
    book = merge(course, shards, tmp_path / "all")
    assert read_manifest(tmp_path / "all") == canvas_manifest() and book.late("alice").late
    write_manifest(Manifest("other.zip", "canvas", None, []), shards[1])
    with pytest.raises(KerasgradeError, match="differs from another shard's manifest.json"):
        merge(course, shards, tmp_path / "all2")
