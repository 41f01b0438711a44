"""Untrusted archives and folders: each trick is refused or contained, with a message, and nothing is
written outside --out (the tree around it is compared before and after)."""
import json
import os
import zipfile
from pathlib import Path

import pytest

from kerasgrade.errors import KerasgradeError
from kerasgrade.intake import archive
from kerasgrade.intake.pipeline import take_in
from kerasgrade.intake.archive import Budget, Unreadable, clean_name, list_dir, list_zip

from .archives import (NOTEBOOK, SOLUTION_TEXT, lying_zip, member, nested_zip, tree, with_encrypted_flag, write_zip,
                       zip_bytes)

EX = "ex01_first_model"


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder holding the source and --out, a bystander file beside them, the cwd elsewhere."""
    (tmp_path / "cwd").mkdir()
    (tmp_path / "bystander.txt").write_text("keep me\n")
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path


def collect(work: Path, course, members, **kw):
    source = write_zip(work / "download.zip", members)
    before = tree(work, skip=work / "out")
    manifest = take_in(source, work / "out", course, **kw)
    assert tree(work, skip=work / "out") == before, "something was written outside --out"
    for p in (work / "out").rglob("*"):
        assert not p.is_symlink() and p.resolve().is_relative_to((work / "out").resolve())
    return manifest


def said(manifest) -> str:
    """Everything the instructor is told, as one text."""
    return "\n".join([*manifest.problems, *(f"{s.student}: {p}" for s in manifest.students for p in s.problems),
                      *(f"{s.student}: {i.source}: {i.reason}" for s in manifest.students for i in s.ignored)])


def written(work: Path) -> list[str]:
    return sorted(str(p.relative_to(work / "out")) for p in (work / "out").rglob("*") if p.is_file())


def test_a_zip_that_climbs_out_is_refused(work, course):
    manifest = collect(work, course, [
        ("../evil.py", b"x"), ("alice/../../evil.py", b"x"), ("alice/..\\..\\evil.py", b"x"),
        (f"alice/{EX}.py", SOLUTION_TEXT.encode())])
    assert written(work) == ["alice/ex01_first_model.py", "manifest.json"]
    assert said(manifest).count("climbs out of the archive") == 3
    assert not (work / "evil.py").exists() and not (work.parent / "evil.py").exists()


def test_absolute_names_and_windows_drives_are_refused(work, course):
    manifest = collect(work, course, [("/etc/evil.py", b"x"), ("C:\\evil.py", b"x"), ("c:evil.py", b"x"),
                                      (f"alice/{EX}.py", b"ok = 1\n")])
    assert said(manifest).count("an absolute path") == 3
    assert written(work) == ["alice/ex01_first_model.py", "manifest.json"]


def test_windows_separators_are_read_as_folders_and_checked(work, course):
    manifest = collect(work, course, [(f"alice\\{EX}.py", b"ok = 1\n"), (f"bob\\sub\\{EX}.py", b"ok = 2\n")])
    assert written(work) == ["alice/ex01_first_model.py", "bob/ex01_first_model.py", "manifest.json"]
    assert manifest.student("bob").files[0].source.endswith(f"bob/sub/{EX}.py")


def test_a_symlink_in_a_zip_is_refused_not_followed(work, course):
    manifest = collect(work, course, [(member(f"alice/{EX}.py", mode=0o120777), b"/etc/passwd"),
                                      (member("bob/link", mode=0o120777), b"../../.."),
                                      (f"bob/{EX}.py", b"ok = 1\n")])
    assert said(manifest).count("a symbolic link") == 2
    assert written(work) == ["alice", "bob/ex01_first_model.py", "manifest.json"][1:]
    assert not (work / "out" / "alice" / f"{EX}.py").exists()


def test_special_files_and_encrypted_members_are_refused(work, course):
    source = with_encrypted_flag(zip_bytes([(f"bob/{EX}.py", b"secret"), (f"carol/{EX}.py", b"ok = 1\n")]))
    (work / "inner.zip").write_bytes(source)
    members = [(member(f"alice/{EX}.py", mode=0o010644), b"fifo"), ("bob/upload.zip", source)]
    (work / "inner.zip").unlink()
    manifest = collect(work, course, members)
    assert "not a regular file" in said(manifest) and "encrypted" in said(manifest)
    assert written(work) == ["bob/ex01_first_model.py", "manifest.json"]
    assert manifest.student("bob").files[0].source.endswith("upload.zip:carol/ex01_first_model.py")


@pytest.mark.parametrize("name, why", [
    (f"alice/{EX}\x00.txt", "NUL byte"),
    (f"alice/\x1b[31m{EX}.py", "control or invisible characters"),
    (f"alice/{EX}\u202ettxt.py", "control or invisible characters"),  # right-to-left override
    ("alice/" + "a" * 300 + ".py", "too long"),
    ("/".join(["d"] * 40) + f"/{EX}.py", "too long"),
])
def test_names_with_odd_characters_are_refused(work, course, name, why):
    manifest = collect(work, course, [(name, b"x = 1\n"), (f"bob/{EX}.py", b"ok = 1\n")])
    assert why in said(manifest)
    assert "\x00" not in said(manifest) and "\x1b" not in said(manifest) and "\u202e" not in said(manifest)
    assert written(work) == ["bob/ex01_first_model.py", "manifest.json"]


def test_names_equal_after_unicode_normalisation_or_case_are_one_name(work, course):
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    manifest = collect(work, course, [(f"{nfc}/{EX}.py", b"first = 1\n"), (f"{nfd}/{EX}.py", b"second = 1\n"),
                                      (f"bob/{EX}.py", b"a = 1\n"), (f"BOB/{EX}.py", b"b = 1\n"),
                                      (f"bob/{EX}.py", b"c = 1\n")])
    assert said(manifest).count("a second file of the same name") == 3
    assert (work / "out" / "cafe" / f"{EX}.py").read_bytes() == b"first = 1\n"
    assert (work / "out" / "bob" / f"{EX}.py").read_bytes() == b"a = 1\n"


def test_a_zip_bomb_is_refused_by_its_header(work, course):
    bomb = b"\0" * (archive.MAX_FILE_BYTES + 1)
    manifest = collect(work, course, [(f"alice/{EX}.py", bomb), (f"bob/{EX}.py", b"ok = 1\n")])
    assert (work / "download.zip").stat().st_size < 100_000
    assert "over the limit of 16 MiB per file" in said(manifest)
    assert written(work) == ["alice", "bob/ex01_first_model.py", "manifest.json"][1:]


def test_a_member_whose_header_lies_about_its_size_is_refused(work, course):
    (work / "alice.zip").write_bytes(lying_zip(f"{EX}.py", b"A" * 5000, claimed=10))
    lie = (work / "alice.zip").read_bytes()
    manifest = collect(work, course, [("alice/work.zip", lie), (f"bob/{EX}.py", b"ok = 1\n")])
    assert "cannot be read from the zip" in said(manifest) and "CRC" in said(manifest)
    assert not (work / "out" / "alice" / f"{EX}.py").exists()


def test_a_member_that_holds_less_than_its_header_says_is_refused(work, course):
    short = lying_zip(f"{EX}.py", b"x = 1\n", claimed=4000)
    manifest = collect(work, course, [("alice/work.zip", short), (f"bob/{EX}.py", b"ok = 1\n")])
    assert "alice/work.zip:ex01_first_model.py: holds 6 bytes but its header says 4000; refused" in said(manifest)
    assert not (work / "out" / "alice" / f"{EX}.py").exists() and manifest.student("bob").files


def test_too_many_members_refuse_the_zip(work, course, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 50)
    with pytest.raises(KerasgradeError, match="members, over the limit of 50"):
        collect(work, course, [(f"s{i}/{EX}.py", b"x = 1\n") for i in range(51)])
    assert not (work / "out").exists()


def test_a_student_zip_with_too_many_members_is_that_students_problem(work, course, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 50)
    many = zip_bytes([(f"f{i}.txt", b"") for i in range(60)])
    manifest = collect(work, course, [("alice/work.zip", many), (f"bob/{EX}.py", b"ok = 1\n")])
    assert any("over the limit of 50" in p for p in manifest.student("alice").problems)
    assert manifest.student("bob").files


def test_the_total_read_is_bounded(work, course):
    members = [(f"s{i}/{EX}.py", b"# " + b"x" * 4000 + b"\n") for i in range(10)]
    manifest = collect(work, course, members, budget=Budget(max_bytes=20_000))
    taken = [s for s in manifest.students if s.files]
    assert 3 <= len(taken) <= 5
    assert "read in all; refused (an archive bomb?)" in said(manifest)


def test_nested_zips_are_opened_to_a_bounded_depth(work, course):
    shallow = nested_zip(1, [(f"{EX}.py", b"ok = 1\n")])
    deep = nested_zip(archive.MAX_DEPTH + 1, [(f"{EX}.py", b"deep = 1\n")])
    manifest = collect(work, course, [("alice/upload.zip", shallow), ("bob/upload.zip", deep)])
    assert (work / "out" / "alice" / f"{EX}.py").read_bytes() == b"ok = 1\n"
    assert "nested more than 2 deep; refused" in said(manifest)
    assert not (work / "out" / "bob" / f"{EX}.py").exists()


def test_an_unreadable_student_zip_and_a_broken_notebook_are_reported_and_the_rest_goes_on(work, course):
    manifest = collect(work, course, [("alice/work.zip", b"PK\x03\x04 this is not a zip"),
                                      (f"bob/{EX}.ipynb", b"{not json"),
                                      (f"carol/{EX}.ipynb", NOTEBOOK),
                                      ("dave/notes.docx", b"PK..."), (f"dave/{EX}.py", b"\xff\xfe\x00bad")])
    alice, bob, carol, dave = (manifest.student(s) for s in ("alice", "bob", "carol", "dave"))
    assert "alice/work.zip: not a readable zip" in " ".join(alice.problems)
    assert "not valid JSON, so not a notebook" in bob.files[0].problem
    assert any(f"bob/{EX}.ipynb" in p and "grading tells the learner" in p for p in bob.problems)
    assert carol.files[0].problem == "" and (work / "out" / "carol" / f"{EX}.ipynb").exists()
    assert [i.reason for i in dave.ignored] == ["not a Python file or notebook (ignored)"]
    assert "not UTF-8 text" in dave.files[0].problem


def test_the_top_level_source_that_is_not_a_zip_is_refused_clearly(work, course):
    (work / "download.zip").write_bytes(b"%PDF-1.4 not a zip")
    with pytest.raises(KerasgradeError, match="download.zip: not a readable zip"):
        take_in(work / "download.zip", work / "out", course)


def test_a_folder_source_with_links_and_huge_files_keeps_them_out(work, course):
    src = work / "class"
    (src / "alice").mkdir(parents=True)
    (src / "alice" / f"{EX}.py").symlink_to("/etc/passwd")
    (src / "bob").symlink_to(work)                       # a folder link that loops back
    (src / "carol").mkdir()
    with open(src / "carol" / f"{EX}.py", "wb") as f:   # sparse: 17 MiB that take no disk
        f.truncate(archive.MAX_FILE_BYTES + 2**20)
    os.mkfifo(src / "carol" / "pipe.py")
    (src / "dave").mkdir()
    (src / "dave" / f"{EX}.py").write_text("ok = 1\n")
    before = tree(work, skip=work / "out")
    manifest = take_in(src, work / "out", course)
    assert tree(work, skip=work / "out") == before
    text = said(manifest)
    assert text.count("a symbolic link (not followed)") == 2 and "over the limit" in text
    assert "not a regular file" in text
    assert written(work) == ["dave/ex01_first_model.py", "manifest.json"]


def test_out_must_be_new_or_empty_or_an_earlier_collect_with_force(work, course):
    members = [(f"alice/{EX}.py", b"a = 1\n")]
    (work / "out").mkdir()
    (work / "out" / "mine.txt").write_text("the instructor's")
    with pytest.raises(KerasgradeError, match="is not empty; choose a new folder"):
        collect(work, course, members)
    (work / "out" / "mine.txt").unlink()
    collect(work, course, members)
    with pytest.raises(KerasgradeError, match="an earlier collect: --force replaces it"):
        collect(work, course, members)
    (work / "out" / "alice" / "notes.txt").write_text("kept")
    collect(work, course, [(f"bob/{EX}.py", b"b = 1\n")], force=True)
    assert written(work) == ["alice/notes.txt", "bob/ex01_first_model.py", "manifest.json"]
    assert [s.student for s in json_students(work)] == ["bob"]


def json_students(work):
    from kerasgrade.manifest import read_manifest

    return read_manifest(work / "out").students


def test_out_inside_a_folder_source_is_refused(work, course):
    (work / "class" / "alice").mkdir(parents=True)
    with pytest.raises(KerasgradeError, match="inside SOURCE"):
        take_in(work / "class", work / "class" / "out", course)


@pytest.mark.parametrize("raw, parts", [("a/b.py", ("a", "b.py")), ("./a//b.py", ("a", "b.py")),
                                        ("a\\b.py", ("a", "b.py")), ("cafe\u0301/x.py", ("caf\u00e9", "x.py"))])
def test_clean_names_are_split_and_normalised(raw, parts):
    assert clean_name(raw) == parts


def test_a_student_id_that_would_be_the_manifest_is_renamed(work, course):
    manifest = collect(work, course, [(f"manifest.json/{EX}.py", b"x = 1\n")])
    assert [s.student for s in manifest.students] == ["manifest.json-2"]
    assert json.loads((work / "out" / "manifest.json").read_text())["version"] == 1


def test_list_dir_reads_only_what_is_asked(tmp_path):
    (tmp_path / "a.py").write_text("x")
    listing = list_dir(tmp_path, "t", budget := Budget())
    assert budget.bytes == 0 and listing.entries[0].read() == b"x" and budget.bytes == 1
