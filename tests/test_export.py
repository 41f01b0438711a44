"""Exports: Gradescope's results.json and autograder zip, Canvas's gradebook CSV, the plain CSV."""
import csv
import hashlib
import json
import stat
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest

from kerasgrade.cli import main
from kerasgrade.errors import KerasgradeError
from kerasgrade.integrations.canvas import CANVAS_ID_COLUMNS, canvas_rows, read_canvas_roster
from kerasgrade.integrations.gradescope_bundle import build_gradescope_bundle, bundle_files
from kerasgrade.integrations.gradescope import gradescope_results
from kerasgrade.outdir import load_gradebook, save_result
from kerasgrade.reports.gradebook_files import gradebook_rows
from kerasgrade.result import MISSING

from .books import LEARNER_LOSS, result, sample_book
from .conftest import ROOT, write_course

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())


def valid(doc: dict) -> dict:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    return doc


# -- Gradescope results.json --------------------------------------------------------------

def test_gradescope_results_follow_gradescopes_schema():
    doc = valid(gradescope_results([result("s", fail=("learns_blobs",), training_loss=LEARNER_LOSS),
                                    result("s", "ex02_config_and_super", status=MISSING)], execution_time=12.3))
    assert doc["score"] == sum(t["score"] for t in doc["tests"]) == 2.0
    assert doc["execution_time"] == 12


def test_the_schema_rejects_what_gradescope_does_not_accept():
    doc = gradescope_results([result("s")])
    for broken in ({**doc, "tests": [{**doc["tests"][0], "visibility": "later"}]},
                   {**doc, "tests": [{**doc["tests"][0], "score": "1"}]},
                   {**doc, "scores": 1.0}):
        with pytest.raises(jsonschema.ValidationError):
            valid(broken)


def test_each_check_is_a_test_and_hidden_checks_show_after_publishing():
    doc = gradescope_results([result("s", fail=("output_shape",))])
    assert [t["name"] for t in doc["tests"]] == ["ex01_first_model: Binds layers", "ex01_first_model: Output shape",
                                                 "ex01_first_model: Learns blobs"]
    assert [t["visibility"] for t in doc["tests"]] == ["visible", "after_published", "visible"]
    assert [t["status"] for t in doc["tests"]] == ["passed", "failed", "passed"]
    assert [(t["score"], t["max_score"]) for t in doc["tests"]] == [(1, 1), (0, 1), (2, 2)]


def test_a_failed_test_carries_the_teaching_message_and_the_loss_curve():
    doc = gradescope_results([result("s", fail=("learns_blobs",), training_loss=LEARNER_LOSS)])
    out = doc["tests"][2]["output"]
    assert "Concept at stake: training" in out and "accuracy is 0.33, below 0.9" in out
    assert "loss per epoch: 1.1, 1.09" in out


def test_a_missing_exercise_is_one_failed_test_worth_its_points():
    doc = valid(gradescope_results([result("s", status=MISSING)]))
    (test,) = doc["tests"]
    assert (test["score"], test["max_score"], test["status"]) == (0, 4, "failed")
    assert "not handed in" in test["output"] and "(missing)" in doc["output"]


def test_points_rescale_the_total_with_the_course_weights():
    doc = valid(gradescope_results([result("s"), result("s", "ex02_config_and_super", fail=("learns_blobs",))],
                                   weights={"ex01_first_model": 1.0, "ex02_config_and_super": 3.0}, points=100))
    assert sum(t["max_score"] for t in doc["tests"]) == pytest.approx(100)
    assert doc["score"] == pytest.approx(25 + 75 * 2 / 4, abs=0.01)


# -- Gradescope bundle ---------------------------------------------------------------------

def test_the_bundle_holds_the_course_and_kerasgrade_but_no_solution(course, tmp_path):
    out = tmp_path / "autograder.zip"
    names = build_gradescope_bundle(course, out)
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == sorted(names)
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
        contents = {n: z.read(n) for n in z.namelist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder.json", "course/course.toml",
            "package/pyproject.toml", "package/kerasgrade/integrations/gradescope_autograder.py"} <= set(names)
    assert all(f"course/graders/test_{e.id}.py" in names for e in course.exercises)
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert not [n for n in names if "solution" in n or "__pycache__" in n or n.startswith("tests/")]
    solutions = {hashlib.sha256(p.read_bytes()).digest() for p in (ROOT / "solutions").glob("*")}
    assert not [n for n, data in contents.items() if hashlib.sha256(data).digest() in solutions]
    assert "tensorflow-cpu==2.21.0" in contents["requirements.txt"].decode().splitlines()
    assert json.loads(contents["autograder.json"])["exercises"] == [e.id for e in course.exercises]


def test_the_bundle_scripts_are_valid_bash(course, tmp_path):
    files = bundle_files(course)
    for name in ("setup.sh", "run_autograder"):
        (tmp_path / name).write_bytes(files[name])
        subprocess.run(["bash", "-n", str(tmp_path / name)], check=True)
    assert b"KERASGRADE_AUTOGRADER_ROOT:-/autograder" in files["run_autograder"]
    assert b'--no-deps "$SOURCE/package"' in files["setup.sh"]


def test_the_bundle_refuses_a_grader_folder_holding_a_solution(tmp_path):
    from kerasgrade.course import load_course

    path = write_course(tmp_path, """
        [course]
        title = "t"
        [[exercises]]
        id = "ex01"
        """, {"ex01": "X = 1\n"})
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex01.py").write_text("class Secret: pass\n")
    (tmp_path / "graders" / "reference_ex01.py").write_text("class Secret: pass\n")
    with pytest.raises(KerasgradeError, match="graders/reference_ex01.py in the bundle is a copy of the reference"):
        bundle_files(load_course(path))


def test_the_bundle_names_an_unknown_exercise(course):
    with pytest.raises(KerasgradeError, match="no exercise 'ex99'"):
        bundle_files(course, ["ex99"])


# -- Canvas ------------------------------------------------------------------------------

def test_canvas_csv_has_canvas_columns_the_points_row_and_the_course_total():
    book = sample_book()
    rows, warnings = canvas_rows(book, assignment="Model Subclassing", assignment_id="1234", points=50)
    assert rows[0] == [*CANVAS_ID_COLUMNS, "Model Subclassing (1234)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "50"]
    by_student = {r[0]: r for r in rows[2:]}
    assert by_student["alice"] == ["alice", "", "", "alice", "", "50"]
    assert by_student["bob"][-1] == f"{round(book.total('bob') / 2, 2):g}"
    assert warnings == []


def test_canvas_rows_copy_names_ids_and_sections_from_the_roster(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Quiz (7)\n"
                      "    Points Possible,,,,,10\n"
                      "\"Smith, Alice\",101,S-1,alice,Lab A,5\n"
                      "\"Jones, Bob\",102,S-2,BOB,Lab B,\n"
                      "\"Doe, Erin\",105,S-5,erin,Lab A,\n", encoding="utf-8-sig")
    rows, warnings = canvas_rows(sample_book(), assignment="Model Subclassing", roster=read_canvas_roster(export))
    assert rows[2:4] == [["Smith, Alice", "101", "S-1", "alice", "Lab A", "100"],
                         ["Jones, Bob", "102", "S-2", "BOB", "Lab B", f"{round(sample_book().total('bob'), 2):g}"]]
    assert any(w.startswith("carol: not in the Canvas roster") for w in warnings)
    assert any(w.startswith("Doe, Erin: in the Canvas roster but has no results") for w in warnings)


def test_a_roster_that_is_not_a_canvas_export_is_refused(tmp_path):
    (tmp_path / "r.csv").write_text("name,grade\na,1\n")
    with pytest.raises(KerasgradeError, match="not a Canvas gradebook export"):
        read_canvas_roster(tmp_path / "r.csv")


# -- the commands, on results `kerasgrade grade` wrote ----------------------------------

def saved_out(tmp_path, course) -> Path:
    out = tmp_path / "out"
    ex = course.exercises[0].id
    for r in (result("alice", ex), result("bob", ex, fail=("learns_blobs",)), result("zed", "ex_not_in_course")):
        save_result(out, r)
    return out


def test_load_gradebook_reads_every_saved_result_of_the_course(course, tmp_path):
    book = load_gradebook(saved_out(tmp_path, course), course)
    assert book.students == ["alice", "bob"] and book.exercises == [e.id for e in course.exercises]


def test_export_csv_and_canvas_read_the_results_grade_wrote(course, tmp_path, capsys):
    out = saved_out(tmp_path, course)
    assert main(["--course", str(ROOT), "export", "csv", "--from", str(out), "--out", str(tmp_path / "g.csv")]) == 0
    with open(tmp_path / "g.csv", newline="") as f:
        assert list(csv.reader(f)) == gradebook_rows(load_gradebook(out, course))
    assert main(["--course", str(ROOT), "export", "canvas", "--from", str(out), "--out", str(tmp_path / "c.csv"),
                 "--assignment", "Model Subclassing", "--assignment-id", "77"]) == 0
    with open(tmp_path / "c.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-1] == "Model Subclassing (77)" and [r[0] for r in rows[2:]] == ["alice", "bob"]
    assert "wrote" in capsys.readouterr().out


def test_export_without_results_says_what_to_run(tmp_path, capsys):
    assert main(["--course", str(ROOT), "export", "canvas", "--from", str(tmp_path), "--out",
                 str(tmp_path / "c.csv")]) == 2
    assert "run `kerasgrade grade SUBMISSIONS --out OUT` first" in capsys.readouterr().err


def test_export_gradescope_writes_the_zip(tmp_path, capsys):
    assert main(["--course", str(ROOT), "export", "gradescope", "--out", str(tmp_path / "a.zip")]) == 0
    assert zipfile.is_zipfile(tmp_path / "a.zip") and "autograder" in capsys.readouterr().out


def test_the_bundle_pins_every_dependency_grading_needs():
    import re
    import tomllib

    from kerasgrade.integrations.gradescope_bundle import GRADING_PACKAGES, REPORT_ONLY, pinned_requirements

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in deps}
    assert names - set(REPORT_ONLY) <= set(GRADING_PACKAGES)
    assert [p.split("==")[0] for p in pinned_requirements()] == list(GRADING_PACKAGES)
