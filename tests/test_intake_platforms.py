"""Each platform's download, built as the platform documents it, taken in: the files, the ids, late flags."""
import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kerasgrade.discover import STUDENT_ID, discover
from kerasgrade.errors import KerasgradeError
from kerasgrade.intake.pipeline import take_in
from kerasgrade.intake.canvas import parse_name
from kerasgrade.intake.matching import match_name
from kerasgrade.intake.summary import problem_lines, summary_lines

from .archives import NOTEBOOK, gradescope_metadata, write_zip, zip_bytes
from .conftest import ROOT

EX, EX2 = "ex01_first_model", "ex02_config_and_super"
EXERCISES = [EX, EX2, "ex03_custom_layer", "ex10_custom_train_step"]
DUE = datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc)


def files_of(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


# -- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, exercise, resubmission, copy", [
    (f"{EX}.py", EX, 0, False), (f"{EX}.ipynb", EX, 0, False), ("EX01_First_Model.PY", EX, 0, False),
    (f"{EX}-1.py", EX, 1, False), (f"{EX}-12.py", EX, 12, False), (f"{EX}-Copy1.ipynb", EX, 0, True),
    (f"{EX} (2).py", EX, 0, True), ("ex01 first-model.py", EX, 0, False), ("Ex01.ipynb", EX, 0, False),
    (f"{EX}-Copy1-2.ipynb", EX, 2, True), ("ex10_custom_train_step-3.py", "ex10_custom_train_step", 3, False),
])
def test_file_names_are_matched_forgivingly(name, exercise, resubmission, copy):
    m = match_name(name, EXERCISES)
    assert (m.exercise, m.resubmission, m.copy) == (exercise, resubmission, copy)


@pytest.mark.parametrize("name", [f"{EX}.txt", "ex01_first_model_v2.py", "notes.py", "ex1.py", f"{EX}.py.bak",
                                  "ex0.py", "x_ex01_first_model.py"])
def test_names_that_are_no_exercise_are_not_matched(name):
    assert match_name(name, EXERCISES) is None


@pytest.mark.parametrize("name, parsed", [
    ("smithalice_1001_50001_ex01_first_model.py", ("smithalice", "1001", "50001", f"{EX}.py", False)),
    ("jonesbob_LATE_1002_50012_ex01_first_model-1.py", ("jonesbob", "1002", "50012", f"{EX}-1.py", True)),
    ("jonesbob_late_1002_50012_my_file.py", ("jonesbob", "1002", "50012", "my_file.py", True)),
    ("anon_x7Q2a_50013_ex01.py", ("", "anon_x7Q2a", "50013", "ex01.py", False)),
    ("LATE_anon_x7Q2a_50013_ex01.py", ("", "anon_x7Q2a", "50013", "ex01.py", True)),
    ("millerdave_1004_text.html", ("millerdave", "1004", "", "text.html", False)),
    ("o_brienpat_1009_50020_a_b.py", ("o_brienpat", "1009", "50020", "a_b.py", False)),
])
def test_canvas_download_names_are_parsed(name, parsed):
    p = parse_name(name)
    assert (p.name, p.user_id, p.file_id, p.original, p.late) == parsed


@pytest.mark.parametrize("name", ["ex01_first_model.py", "alice_ex01.py", "smith_12a_34_x.py", "smith_12_x.py"])
def test_names_canvas_did_not_write_are_not_parsed(name):
    assert parse_name(name) is None


# -- Canvas --------------------------------------------------------------------------------

def canvas_zip(path: Path) -> Path:
    carol = zip_bytes([(f"My Work/{EX}.py", b"carol = 1\n"), ("My Work/__MACOSX/._x.py", b""),
                       (f"My Work/{EX2}.ipynb", NOTEBOOK)])
    return write_zip(path, [
        (f"smithalice_1001_50001_{EX}.py", b"alice = 1\n"),
        (f"smithalice_1001_50002_{EX2}.py", b"alice = 2\n"),
        (f"jonesbob_LATE_1002_50003_{EX}.py", b"bob first\n"),
        (f"jonesbob_LATE_1002_50009_{EX}-1.py", b"bob second\n"),
        (f"jonesbob_LATE_1002_50010_{EX}-2.py", b"bob third\n"),
        ("nguyencarol_1003_50004_week3.zip", carol),
        ("millerdave_1004_text.html", b"<p>sorry</p>"),
        ("millerdave_1004_50005_screenshot.png", b"\x89PNG"),
        (f"okaforerin_1005_50006_{EX}.py", b"erin py\n"),
        (f"okaforerin_1005_50007_{EX}.ipynb", NOTEBOOK),
        (f"anon_Zq81x_50008_{EX}.py", b"anonymous = 1\n"),
        ("stray_readme.txt", b"not from canvas"),
    ])


def test_a_canvas_download_is_taken_in_with_ids_resubmissions_and_late_flags(tmp_path, course):
    manifest = take_in(canvas_zip(tmp_path / "submissions.zip"), tmp_path / "out", course)
    assert manifest.platform == "canvas"
    ids = {s.student: s.platform_ids for s in manifest.students}
    assert ids == {"smithalice-1001": {"user_id": "1001"}, "jonesbob-1002": {"user_id": "1002"},
                   "nguyencarol-1003": {"user_id": "1003"}, "millerdave-1004": {"user_id": "1004"},
                   "okaforerin-1005": {"user_id": "1005"}, "anon-Zq81x": {"anonymous_id": "Zq81x"}}
    assert all(STUDENT_ID.match(s) for s in ids)
    assert {s.student: s.late for s in manifest.students if s.late} == {"jonesbob-1002": True}
    files = files_of(tmp_path / "out")
    assert files["jonesbob-1002/ex01_first_model.py"] == b"bob third\n"
    bob = manifest.student("jonesbob-1002").files[0]
    assert bob.reason == "the newest resubmission" and len(bob.passed_over) == 2
    assert bob.source == f"submissions.zip:jonesbob_LATE_1002_50010_{EX}-2.py"
    assert files["nguyencarol-1003/ex01_first_model.py"] == b"carol = 1\n"
    assert files["nguyencarol-1003/ex02_config_and_super.ipynb"] == NOTEBOOK
    dave = manifest.student("millerdave-1004")
    assert dave.files == () and sorted(i.reason for i in dave.ignored) == [
        "an online text entry or URL, not a file (ignored)", "not a Python file or notebook (ignored)"]
    erin = manifest.student("okaforerin-1005").files[0]
    assert erin.ambiguous and erin.written == "okaforerin-1005/ex01_first_model.py"
    assert any("2 different files name it" in line and "okaforerin-1005" in line
               for line in problem_lines(manifest))
    assert any("stray_readme.txt: not named as Canvas names submissions" in p for p in manifest.problems)
    subs, warnings = discover(tmp_path / "out", course)
    assert {s.student for s in subs} == set(ids) and warnings == []


GROUPS_CSV = (
    "name,canvas_user_id,user_id,login_id,sections,group_name,canvas_group_id,group_id\n"
    "Alice Smith,1001,S1,alice,Sec 1,Team Alpha,70,\n"
    "Frank Ode,1007,S7,frank,Sec 1,Team Alpha,70,\n"
    "Gita Rao,1008,S8,gita,Sec 1,Team Beta,71,\n"
    "Bob Jones,1002,S2,bob,Sec 1,,,\n"
)


def test_a_canvas_group_assignment_gives_every_member_the_groups_latest_files(tmp_path, course):
    source = write_zip(tmp_path / "s.zip", [
        (f"teamalpha_1001_50001_{EX}.py", b"alpha first\n"),
        (f"teamalpha_1007_50009_{EX}-1.py", b"alpha second\n"),  # another member submitted again
        (f"teamalpha_LATE_1007_50010_{EX2}.py", b"alpha two\n"),
        (f"jonesbob_1002_50003_{EX}.py", b"bob\n"),
    ])
    (tmp_path / "groups.csv").write_text(GROUPS_CSV)
    manifest = take_in(source, tmp_path / "out", course, groups=tmp_path / "groups.csv")
    by = {s.student: s for s in manifest.students}
    assert set(by) == {"teamalpha-1001", "teamalpha-1007", "jonesbob-1002"}  # Team Beta did not submit
    assert by["teamalpha-1001"].group == ("teamalpha-1007",) and by["teamalpha-1007"].group == ("teamalpha-1001",)
    assert by["jonesbob-1002"].group == () and not by["jonesbob-1002"].late
    assert by["teamalpha-1001"].late and by["teamalpha-1001"].platform_ids == {"user_id": "1001"}
    files = files_of(tmp_path / "out")
    for member in ("teamalpha-1001", "teamalpha-1007"):
        assert files[f"{member}/{EX}.py"] == b"alpha second\n" and files[f"{member}/{EX2}.py"] == b"alpha two\n"
    assert files[f"jonesbob-1002/{EX}.py"] == b"bob\n"


def test_a_canvas_group_member_who_never_uploaded_is_taken_in_under_the_name_of_the_export(tmp_path, course):
    source = write_zip(tmp_path / "s.zip", [(f"teambeta_1008_50001_{EX}.py", b"beta\n")])
    (tmp_path / "groups.csv").write_text(GROUPS_CSV + "Hana Ito,1010,S10,hana,Sec 1,Team Beta,71,\n")
    manifest = take_in(source, tmp_path / "out", course, groups=tmp_path / "groups.csv")
    assert {s.student: s.group for s in manifest.students} == {"teambeta-1008": ("hana-ito-1010",),
                                                               "hana-ito-1010": ("teambeta-1008",)}
    assert files_of(tmp_path / "out")[f"hana-ito-1010/{EX}.py"] == b"beta\n"


@pytest.mark.parametrize("text, says", [
    ("name,canvas_user_id,group\nA,1,x\n", "no `group_name` column"),
    ("name,group_name\nA,x\n", "no `canvas_user_id` column"),
    ("name,canvas_user_id,group_name\nA,abc,x\n", "line 2: canvas_user_id 'abc' is not a Canvas user id"),
    ("name,canvas_user_id,group_name\nA,1,x\nA,1,y\n", "line 3: user 1 is in two groups of the set ('x' and 'y')"),
])
def test_a_group_export_that_is_not_one_names_the_line_or_column_at_fault(tmp_path, course, text, says):
    (tmp_path / "groups.csv").write_text(text)
    with pytest.raises(KerasgradeError, match=re.escape(f"--groups {tmp_path / 'groups.csv'}") + ".*" + re.escape(says)):
        take_in(canvas_zip(tmp_path / "s.zip"), tmp_path / "out", course, groups=tmp_path / "groups.csv")
    assert not (tmp_path / "out").exists()


def test_groups_for_a_download_that_is_not_canvas_are_refused(tmp_path, course):
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / f"{EX}.py").write_text("x = 1\n")
    (tmp_path / "groups.csv").write_text(GROUPS_CSV)
    with pytest.raises(KerasgradeError, match="--groups is Canvas's export of a group set"):
        take_in(tmp_path / "class", tmp_path / "out", course, groups=tmp_path / "groups.csv")


def test_the_manifest_on_disk_says_the_same_and_the_summary_shows_it(tmp_path, course):
    manifest = take_in(canvas_zip(tmp_path / "s.zip"), tmp_path / "out", course)
    on_disk = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert on_disk == json.loads(json.dumps(manifest.to_dict()))
    lines = summary_lines(manifest, len(course.exercises))
    assert lines[0].split() == ["student", "name", "canvas", "id", "exercises", "ignored", "late"]
    assert any(line.split()[:4] == ["jonesbob-1002", "jonesbob", "1002", "1/10"] and line.endswith("yes")
               for line in lines)


# -- Gradescope ----------------------------------------------------------------------------

def gradescope_zip(path: Path) -> Path:
    root = "assignment_4242_export"
    meta = gradescope_metadata({
        "submission_9001": {"submitters": [{"name": "Alice Smith", "sid": "A100", "email": "alice@uni.edu"}],
                            "created_at": "2026-03-01 22:10:05.123456000 +00:00", "score": 7.0},
        "submission_9002": {"submitters": [{"name": "Bob Jones", "sid": "B200", "email": "bob@uni.edu"},
                                           {"name": "Chen Li", "email": "chen@uni.edu"}],
                            "created_at": "2026-03-03 10:00:00.000000000 +01:00"},
        "submission_9003": {"submitters": [{"name": "Dee Ng", "sid": "id with spaces", "email": "not an email!"}],
                            "created_at": "2026-03-02 00:30:00 +00:00"},
    })
    return write_zip(path, [
        (f"{root}/submission_metadata.yml", meta),
        (f"{root}/submission_9001/{EX}.py", b"alice = 1\n"),
        (f"{root}/submission_9001/{EX2}.ipynb", NOTEBOOK),
        (f"{root}/submission_9002/src/{EX}.py", b"group = 1\n"),
        (f"{root}/submission_9003/{EX}-Copy1.ipynb", NOTEBOOK),
        (f"{root}/submission_9999/{EX}.py", b"not in the metadata\n"),
    ])


def test_a_gradescope_export_is_taken_in_with_sids_emails_groups_and_times(tmp_path, course):
    manifest = take_in(gradescope_zip(tmp_path / "export.zip"), tmp_path / "out", course, due=DUE)
    assert manifest.platform == "gradescope" and manifest.due == DUE.isoformat()
    by_id = {s.student: s for s in manifest.students}
    assert sorted(by_id) == ["A100", "B200", "chen@uni.edu", "id-with-spaces"]
    alice, bob, chen, dee = by_id["A100"], by_id["B200"], by_id["chen@uni.edu"], by_id["id-with-spaces"]
    assert alice.platform_ids == {"submission_id": "9001", "sid": "A100", "email": "alice@uni.edu",
                                  "gradescope_score": "7.0"}
    assert alice.name == "Alice Smith" and not alice.late and alice.submitted_at == "2026-03-01T22:10:05.123456+00:00"
    assert bob.group == ("chen@uni.edu",) and chen.group == ("B200",)
    assert bob.late and bob.days_late == 2 and chen.late and chen.days_late == 2   # 09:00 UTC on 3 March
    assert dee.late and dee.days_late == 1 and dee.platform_ids["sid"] == "id with spaces"
    files = files_of(tmp_path / "out")
    assert files["B200/ex01_first_model.py"] == files["chen@uni.edu/ex01_first_model.py"] == b"group = 1\n"
    assert files["id-with-spaces/ex01_first_model.ipynb"] == NOTEBOOK
    assert any("submission_9999 is not in the metadata" in p for p in manifest.problems)


def test_gradescope_metadata_that_is_not_yaml_refuses_the_export(tmp_path, course):
    source = write_zip(tmp_path / "e.zip", [("submission_metadata.yml", b"a: [unclosed\n"),
                                            (f"submission_1/{EX}.py", b"x\n")])
    with pytest.raises(KerasgradeError, match="submission_metadata.yml: cannot be read as YAML"):
        take_in(source, tmp_path / "out", course)
    source = write_zip(tmp_path / "e.zip", [("submission_metadata.yml", b"!!python/object:os.system 'id'\n")])
    with pytest.raises(KerasgradeError, match="cannot be read as YAML"):
        take_in(source, tmp_path / "out", course)


def test_gradescope_metadata_with_an_alias_bomb_is_read_without_expanding_it(tmp_path, course):
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    meta = "\n".join(laughs) + ("\nsubmission_1:\n  :submitters:\n  - :name: *i\n    :sid: *i\n    :email: x@y.z\n"
                                 "  :created_at: *i\n")
    source = write_zip(tmp_path / "e.zip", [("submission_metadata.yml", meta.encode()),
                                            (f"submission_1/{EX}.py", b"ok = 1\n")])
    manifest = take_in(source, tmp_path / "out", course)
    (record,) = manifest.students
    assert (record.student, record.name, record.submitted_at) == ("x@y.z", "", None)
    assert sum("no :submitters: list" in p for p in manifest.problems) == 9


# -- nbgrader ----------------------------------------------------------------------------

def nbgrader_course(folder: Path) -> Path:
    for student, stamp in (("alice", "2026-03-01 20:00:00.123456 UTC"), ("bob", "2026-03-04 08:00:00 UTC"),
                           ("carol", "garbage")):
        assignment = folder / "submitted" / student / "model_subclassing"
        assignment.mkdir(parents=True)
        (assignment / f"{EX}.ipynb").write_bytes(NOTEBOOK)
        (assignment / "timestamp.txt").write_text(stamp + "\n")
    (folder / "submitted" / "alice" / "model_subclassing" / ".ipynb_checkpoints").mkdir()
    (folder / "submitted" / "alice" / "model_subclassing" / ".ipynb_checkpoints" / f"{EX}-checkpoint.ipynb"
     ).write_bytes(NOTEBOOK)
    (folder / "source" / "model_subclassing").mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text("c = get_config()\n")
    return folder


@pytest.mark.parametrize("which", ["course", "submitted"])
def test_an_nbgrader_course_or_its_submitted_folder_is_taken_in_with_timestamps(tmp_path, course, which):
    folder = nbgrader_course(tmp_path / "course")
    source = folder if which == "course" else folder / "submitted"
    manifest = take_in(source, tmp_path / "out", course, due=DUE)
    assert manifest.platform == "nbgrader"
    alice, bob, carol = (manifest.student(s) for s in ("alice", "bob", "carol"))
    assert alice.platform_ids == {"student": "alice", "assignment": "model_subclassing"}
    assert (alice.late, bob.late, bob.days_late, carol.late) == (False, True, 3, False)
    assert alice.submitted_at == "2026-03-01T20:00:00.123456+00:00" and carol.submitted_at is None
    assert any("not a time nbgrader writes" in p for p in carol.problems)
    assert [i.reason for i in alice.ignored] == ["operating-system or editor files (ignored)"]
    assert files_of(tmp_path / "out")["bob/ex01_first_model.ipynb"] == NOTEBOOK


# -- folders -----------------------------------------------------------------------------

def test_the_sample_class_as_a_folder_comes_out_as_it_went_in(tmp_path, course):
    manifest = take_in(ROOT / "examples" / "class", tmp_path / "out", course)
    assert manifest.platform == "folders"
    expected = {str(p.relative_to(ROOT / "examples" / "class")): p.read_bytes()
                for p in sorted((ROOT / "examples" / "class").rglob("*"))
                if p.is_file() and p.suffix in (".py", ".ipynb")}
    assert files_of(tmp_path / "out") == expected
    assert [i.reason for i in manifest.student("dave").ignored] == ["not a Python file or notebook (ignored)"]
    assert any("README.md: a loose file" in p for p in manifest.problems)


def test_a_zip_of_student_folders_inside_one_folder_is_taken_in(tmp_path, course):
    source = write_zip(tmp_path / "class.zip", [(f"class/alice/{EX}.py", b"a\n"),
                                                (f"class/bob/deep/er/{EX2}.py", b"b\n")])
    manifest = take_in(source, tmp_path / "out", course)
    assert files_of(tmp_path / "out") == {f"alice/{EX}.py": b"a\n", f"bob/{EX2}.py": b"b\n"}
    assert manifest.student("bob").files[0].source == f"class.zip:class/bob/deep/er/{EX2}.py"


def test_format_forces_the_kind_and_an_empty_result_says_so(tmp_path, course):
    source = canvas_zip(tmp_path / "s.zip")
    with pytest.raises(KerasgradeError, match="no submissions found in it as gradescope"):
        take_in(source, tmp_path / "out", course, platform="gradescope")
    with pytest.raises(KerasgradeError, match="--format 'moodle'"):
        take_in(source, tmp_path / "out", course, platform="moodle")
    with pytest.raises(KerasgradeError, match="no submissions found in it as folders$"):
        take_in(source, tmp_path / "out", course, platform="folders")  # loose files, no student folders
    assert not (tmp_path / "out").exists()
    assert take_in(source, tmp_path / "out", course, platform="canvas").platform == "canvas"


def test_student_ids_are_stable_and_unique(tmp_path, course):
    source = write_zip(tmp_path / "s.zip", [(f"müllerjörg_1_10_{EX}.py", b"1\n"), (f"müllerjörg_2_11_{EX}.py", b"2\n"),
                                            (f"_3_12_{EX}.py", b"3\n")])
    first = [s.student for s in take_in(source, tmp_path / "a", course).students]
    second = [s.student for s in take_in(source, tmp_path / "b", course).students]
    assert first == second == ["canvas-3", "mullerjorg-1", "mullerjorg-2"]


def test_the_collect_command_prints_the_class_and_the_problems(tmp_path, course, capsys):
    from kerasgrade.cli import main

    source = canvas_zip(tmp_path / "s.zip")
    assert main(["--course", str(ROOT), "collect", str(source), "--out", str(tmp_path / "out"),
                 "--due", "2026-03-01T23:59:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "collected 6 student(s) from s.zip (canvas)" in out and "due 2026-03-01T23:59:00+00:00" in out
    assert "thing(s) to look at" in out and "okaforerin-1005: ex01_first_model: 2 different files" in out
    assert main(["--course", str(ROOT), "collect", str(source), "--out", str(tmp_path / "o2"),
                 "--due", "2026-03-01"]) == 2
    assert "--due '2026-03-01': expected a date and time with its UTC offset" in capsys.readouterr().err


def load_make_canvas_zip():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_canvas_zip", ROOT / "examples" / "make_canvas_zip.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_canvas_zip_is_what_the_script_builds(tmp_path):
    import zipfile

    make = load_make_canvas_zip()
    with zipfile.ZipFile(ROOT / "examples" / "canvas-submissions.zip") as z:
        committed = [(i.filename, z.read(i)) for i in z.infolist()]
    built = make.uploads()
    assert [n for n, _ in committed] == [n for n, _ in built]
    for (name, data), (_, fresh) in zip(committed, built):
        if name.endswith(".zip"):  # a learner's own zip: compare what is inside
            inner = zipfile.ZipFile(__import__("io").BytesIO(data))
            again = zipfile.ZipFile(__import__("io").BytesIO(fresh))
            assert [(i.filename, inner.read(i)) for i in inner.infolist()] == \
                [(i.filename, again.read(i)) for i in again.infolist()]
        else:
            assert data == fresh, name


def test_the_sample_class_taken_in_from_canvas_is_the_sample_class(tmp_path, course):
    make = load_make_canvas_zip()
    manifest = take_in(ROOT / "examples" / "canvas-submissions.zip", tmp_path / "out", course)
    got = files_of(tmp_path / "out")
    for folder, (name, user, late) in make.LEARNERS.items():
        sid = f"{name}-{user}"
        assert manifest.student(sid).late is late and manifest.student(sid).platform_ids == {"user_id": str(user)}
        expected = {f"{sid}/{p.name}": p.read_bytes() for p in (ROOT / "examples" / "class" / folder).iterdir()
                    if p.suffix in (".py", ".ipynb")}
        assert {k: v for k, v in got.items() if k.startswith(f"{sid}/")} == expected, folder
    assert [p for s in manifest.students for p in s.problems] == [] and manifest.problems == []
