"""course.toml is validated once, and every error names the file and the key at fault."""
import re

import pytest

from kerasgrade.course import load_course
from kerasgrade.errors import ConfigError

from .conftest import ROOT, write_course

GOOD = """
[course]
title = "T"
[limits]
timeout = 5
[[exercises]]
id = "ex01_a"
weight = 2
"""


def test_the_course_file_of_this_repository_loads(course):
    assert course.title
    assert [e.id for e in course.exercises][0] == "ex01_first_model"
    for ex in course.exercises:
        assert ex.solution.exists() and ex.stub.exists() and ex.grader.exists()


def test_a_valid_file_gives_its_values_and_defaults(tmp_path):
    c = load_course(write_course(tmp_path, GOOD, {"ex01_a": ""}))
    assert c.limits.timeout == 5 and c.limits.check_timeout == 20
    assert c.weights == {"ex01_a": 2.0}
    assert c.exercise("ex01_a").grader == tmp_path / "graders" / "test_ex01_a.py"
    assert c.require_sandbox is True
    assert load_course(write_course(tmp_path, GOOD + "[sandbox]\nrequire = false\n")).require_sandbox is False


@pytest.mark.parametrize("toml, key", [
    ('[course]\ntitle = "T"\n', "'exercises' is required"),
    ('[[exercises]]\nid = "ex01_a"\n', "'course' is required"),
    ('[course]\ntitle = 3\n[[exercises]]\nid = "ex01_a"\n', "[course].title must be a str"),
    (GOOD.replace("timeout = 5", "timeout = -1"), "[limits].timeout must be positive"),
    (GOOD.replace("timeout = 5", "timeout = \"5\""), "[limits].timeout must be a int or float"),
    (GOOD.replace("timeout = 5", "timout = 5"), "[limits]: unknown key 'timout'"),
    (GOOD.replace("weight = 2", "weight = 0"), "'ex01_a'.weight must be positive"),
    (GOOD.replace("weight = 2", "points = 2"), "'ex01_a': unknown key 'points'"),
    (GOOD + '[[exercises]]\nid = "ex01_a"\n', "'ex01_a'.id is listed twice"),
    (GOOD + '[[exercises]]\nid = "ex02_b"\n', "'ex02_b'.id: no grader for it"),
    (GOOD + "[paths]\n", "unknown table [paths]"),
    (GOOD + "[sandbox]\nrequire = 0\n", "[sandbox].require must be a bool"),
    (GOOD + "[sandbox]\nrequired = false\n", "[sandbox]: unknown key 'required'"),
    (GOOD.replace("timeout = 5", "max_pids = 0"), "[limits].max_pids must be positive"),
    ("[course\n", "not valid TOML"),
])
def test_a_bad_file_names_the_key_at_fault(tmp_path, toml, key):
    path = write_course(tmp_path, toml, {"ex01_a": ""})
    with pytest.raises(ConfigError) as e:
        load_course(path)
    assert key in str(e.value)
    assert str(path) in str(e.value)


def test_a_missing_course_file_says_where_it_looked(tmp_path):
    with pytest.raises(ConfigError, match="no course file here"):
        load_course(tmp_path)


def test_a_file_name_that_is_no_exercise_lists_the_known_ones(course):
    with pytest.raises(ConfigError, match="ex01_first_model.py"):
        course.exercise_for_file(ROOT / "homework.py")


def test_the_mutation_table_gives_the_threshold_and_the_accepted_file(tmp_path):
    c = load_course(write_course(tmp_path, GOOD + '[mutation]\nmin_score = 0.8\naccepted = "a.toml"\n',
                                 {"ex01_a": ""}))
    assert c.mutation.min_score == 0.8 and c.mutation.accepted == "a.toml"
    plain = load_course(write_course(tmp_path, GOOD, {"ex01_a": ""}))
    assert plain.mutation.min_score is None and plain.mutation.accepted == "tests/mutation/accepted.toml"


@pytest.mark.parametrize("table, key", [
    ("min_score = 1.5", "[mutation].min_score must be between 0 and 1"),
    ('min_score = "high"', "[mutation].min_score must be a int or float"),
    ("min_scor = 0.5", "[mutation]: unknown key 'min_scor'"),
    ("accepted = 3", "[mutation].accepted must be a str"),
])
def test_a_bad_mutation_table_names_the_key_at_fault(tmp_path, table, key):
    with pytest.raises(ConfigError, match=re.escape(key)):
        load_course(write_course(tmp_path, GOOD + f"[mutation]\n{table}\n", {"ex01_a": ""}))


def test_the_course_lessons_come_from_the_course_not_the_engine(course, tmp_path):
    assert "binding through self" in course.lessons  # this repository's lessons.toml
    path = write_course(tmp_path, GOOD.replace('title = "T"', 'title = "T"\nlessons = "words.toml"'), {"ex01_a": ""})
    (tmp_path / "words.toml").write_text('[concepts]\n"Training" = "Models learn."\n')
    assert load_course(path).lessons == {"training": "Models learn."}


@pytest.mark.parametrize("lessons, key", [
    ('[concepts]\n"training" = 3\n', "[concepts].training must be a str"),
    ('[lesson]\n"training" = "x"\n', "unknown table [lesson]"),
    ('[concepts\n', "not valid TOML"),
])
def test_a_bad_lessons_file_names_the_file_and_the_concept_at_fault(tmp_path, lessons, key):
    path = write_course(tmp_path, GOOD, {"ex01_a": ""})
    (tmp_path / "lessons.toml").write_text(lessons)
    with pytest.raises(ConfigError, match=re.escape(key)) as e:
        load_course(path)
    assert "lessons.toml" in str(e.value)


def test_a_lessons_key_naming_no_file_and_an_unknown_course_key_are_named(tmp_path):
    with pytest.raises(ConfigError, match=re.escape("[course].lessons names 'nope.toml'")):
        load_course(write_course(tmp_path, GOOD.replace('title = "T"', 'title = "T"\nlessons = "nope.toml"'), {"ex01_a": ""}))
    with pytest.raises(ConfigError, match=re.escape("[course]: unknown key 'titel'")):
        load_course(write_course(tmp_path, GOOD.replace('title = "T"', 'title = "T"\ntitel = "x"'), {"ex01_a": ""}))
