"""The instructor's whole loop, for real: a platform's download > collect > grade > export (slow: grades)."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .archives import gradescope_metadata, write_zip
from .conftest import ROOT
from .test_grade import make_course

EX = "ex01_first_model"
SOLUTION = (ROOT / "solutions" / f"{EX}.py").read_bytes()
MUTANT = (ROOT / "tests" / "mutants" / EX / "kwargs_not_forwarded.py").read_bytes()  # loses one check


def course(tmp: Path) -> Path:
    """test_grade's one-exercise course, with a late policy."""
    path = make_course(tmp)
    path.write_text(path.read_text() + "[late]\ndue = 2026-03-01T23:59:00+00:00\npenalty_per_day = 10\nfloor = 50\n")
    return path


def kerasgrade(*args) -> str:
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", *map(str, args)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


def grades(out: Path) -> dict:
    return json.loads((out / "grades.json").read_text())["students"]


@pytest.mark.slow
def test_a_canvas_download_is_collected_graded_and_exported_to_canvas_ids(tmp_path):
    toml = course(tmp_path)
    download = write_zip(tmp_path / "submissions.zip", [
        (f"smithalice_1001_501_{EX}.py", SOLUTION),
        (f"jonesbob_LATE_1002_502_{EX}.py", MUTANT),
        (f"jonesbob_LATE_1002_503_{EX}-1.py", SOLUTION),       # his resubmission: the newest wins
        (f"nguyencarol_1003_504_{EX.upper()}-Copy1.py", MUTANT),
    ])
    said = kerasgrade("--course", toml, "collect", download, "--out", tmp_path / "class")
    assert "collected 3 student(s) from submissions.zip (canvas)" in said
    kerasgrade("--course", toml, "grade", tmp_path / "class", "--out", tmp_path / "out", "--jobs", "1", "--quiet")
    g = grades(tmp_path / "out")
    assert set(g) == {"smithalice-1001", "jonesbob-1002", "nguyencarol-1003"}
    assert g["smithalice-1001"]["total"] == g["smithalice-1001"]["adjusted_total"] == 100
    assert (g["jonesbob-1002"]["total"], g["jonesbob-1002"]["late"], g["jonesbob-1002"]["adjusted_total"]) \
        == (100, True, 90)                                       # LATE, days unknown: one day, 10 points
    carol = g["nguyencarol-1003"]
    assert 0 < carol["total"] < 100 and not carol["late"] and carol["adjusted_total"] == carol["total"]
    rows = list(csv.reader((tmp_path / "out" / "grades.csv").open()))
    assert rows[0][-2:] == ["late", "adjusted total"]
    kerasgrade("--course", toml, "export", "canvas", "--from", tmp_path / "out", "--out", tmp_path / "canvas.csv",
               "--points", "20")
    canvas = list(csv.reader((tmp_path / "canvas.csv").open()))
    scores = {r[1]: (r[0], r[-1]) for r in canvas[2:]}
    assert scores == {"1001": ("smithalice", "20"), "1002": ("jonesbob", "18"),
                      "1003": ("nguyencarol", f"{round(carol['total'] / 5, 2):g}")}
    assert "late (days not known" not in (tmp_path / "out" / "feedback" / "jonesbob-1002.txt").read_text()
    assert "Handed in late" in (tmp_path / "out" / "feedback" / "jonesbob-1002.txt").read_text()


@pytest.mark.slow
def test_a_gradescope_export_with_a_group_is_collected_graded_and_scored_by_sid(tmp_path):
    toml = course(tmp_path)
    root = "assignment_77_export"
    download = write_zip(tmp_path / "export.zip", [
        (f"{root}/submission_metadata.yml", gradescope_metadata({
            "submission_1": {"submitters": [{"name": "Alice Smith", "sid": "A100", "email": "alice@uni.edu"}],
                             "created_at": "2026-03-01 20:00:00.000000000 +00:00"},
            "submission_2": {"submitters": [{"name": "Bob Jones", "sid": "B200", "email": "bob@uni.edu"},
                                            {"name": "Chen Li", "sid": "C300", "email": "chen@uni.edu"}],
                             "created_at": "2026-03-04 01:00:00.000000000 +00:00"}})),
        (f"{root}/submission_1/{EX}.py", SOLUTION),
        (f"{root}/submission_2/code/{EX}.py", SOLUTION),
    ])
    kerasgrade("--course", toml, "collect", download, "--out", tmp_path / "class")
    manifest = json.loads((tmp_path / "class" / "manifest.json").read_text())
    assert {s["student"]: (s["late"], s["days_late"], s["group"]) for s in manifest["students"]} == {
        "A100": (False, None, []), "B200": (True, 3, ["C300"]), "C300": (True, 3, ["B200"])}
    kerasgrade("--course", toml, "grade", tmp_path / "class", "--out", tmp_path / "out", "--jobs", "1", "--quiet")
    g = grades(tmp_path / "out")
    assert {s: (g[s]["total"], g[s]["adjusted_total"]) for s in g} == {"A100": (100, 100), "B200": (100, 70),
                                                                     "C300": (100, 70)}
    kerasgrade("--course", toml, "export", "gradescope-scores", "--from", tmp_path / "out",
               "--out", tmp_path / "scores.csv")
    rows = list(csv.reader((tmp_path / "scores.csv").open()))
    assert rows[1:] == [["Alice Smith", "A100", "alice@uni.edu", "100", "100", "100", ""],
                        ["Bob Jones", "B200", "bob@uni.edu", "70", "100", "100", "yes"],
                        ["Chen Li", "C300", "chen@uni.edu", "70", "100", "100", "yes"]]


@pytest.mark.slow
def test_an_nbgrader_course_is_collected_graded_and_exported(tmp_path):
    toml = course(tmp_path)
    notebook = (ROOT / "examples" / "class" / "frank" / f"{EX}.ipynb").read_bytes()   # a correct notebook
    for student, stamp in (("alice", "2026-03-01 21:00:00.000000 UTC"), ("bob", "2026-03-02 03:00:00.000000 UTC")):
        folder = tmp_path / "nbcourse" / "submitted" / student / "model_subclassing"
        folder.mkdir(parents=True)
        (folder / f"{EX}.ipynb").write_bytes(notebook)
        (folder / "timestamp.txt").write_text(stamp)
    said = kerasgrade("--course", toml, "collect", tmp_path / "nbcourse", "--out", tmp_path / "class")
    assert "collected 2 student(s) from nbcourse (nbgrader)" in said
    kerasgrade("--course", toml, "grade", tmp_path / "class", "--out", tmp_path / "out", "--jobs", "1", "--quiet")
    g = grades(tmp_path / "out")
    assert {s: (g[s]["total"], g[s]["late"], g[s]["days_late"], g[s]["adjusted_total"]) for s in g} == {
        "alice": (100, False, None, 100), "bob": (100, True, 1, 90)}
    kerasgrade("--course", toml, "export", "csv", "--from", tmp_path / "out", "--out", tmp_path / "g.csv")
    rows = list(csv.reader((tmp_path / "g.csv").open()))
    assert rows[0] == ["student", EX, "total", "late", "adjusted total"]
    assert rows[2][0] == "bob" and rows[2][-2:] == ["late (1 day)", "90"]
