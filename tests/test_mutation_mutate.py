"""Mutants are graded like submissions, resumed by content, and classified against the reference."""
import json
import textwrap

import pytest

from kerasgrade.course import load_course
from kerasgrade.errors import ConfigError
from kerasgrade.mutation.mutate import (ACCEPTED, EQUIVALENT, KILLED, NOT_GRADED, SURVIVOR, ExerciseMutation,
                                        Outcome, Run, below_threshold, classify, load_judged, mutate_course,
                                        probe_course)
from kerasgrade.mutation.probe import PROBE_KEY
from kerasgrade.result import ERROR, GRADED, CheckResult, ExerciseResult

from .conftest import write_course

COURSE = """
[course]
title = "Tiny"
[limits]
timeout = 60
check_timeout = 20
[[exercises]]
id = "ex01_tiny"
"""

# A grader that is blind on purpose: it checks the output's shape only.
GRADER = '''
"""Grader for ex01_tiny: the shape only."""
import keras

from kerasgrade.checks import check
from kerasgrade.grading.draw import features
from kerasgrade.grading.expect import build, expect_shape, get_class, run

JUDGED = True


@check(points=1, concept="shapes")
def test_output_shape(submission):
    "Tiny maps (batch, features) to (batch, units)"
    model = build(get_class(submission, "Tiny"), units=4)
    expect_shape(run(model, features(5, 2), verify=False), (5, 4))
'''

REFERENCE = '''
import keras


class Tiny(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(units, activation="relu")
        self.drop = keras.layers.Dropout(0.5)

    def call(self, x, training=None):
        return self.drop(self.dense(x), training=training)
'''


def tiny_course(tmp_path, extra: str = ""):
    path = write_course(tmp_path, COURSE + extra, {"ex01_tiny": GRADER})
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex01_tiny.py").write_text(textwrap.dedent(REFERENCE))
    return load_course(path)


def result(passed: list[bool], probes: list[list[float]] | None = None, status=GRADED, fingerprint="f"):
    checks = tuple(CheckResult(f"c{i}", f"C{i}", "k", 1.0 if p else 0.0, 1.0, p,
                               data={PROBE_KEY: probes[i]} if probes else {})
                   for i, p in enumerate(passed))
    return ExerciseResult("s", "ex", status, checks, fingerprint=fingerprint)


def test_a_mutant_that_loses_points_is_killed_with_the_checks_it_failed():
    status, failed, _, _ = classify(result([True, True]), result([True, False]), None)
    assert (status, failed) == (KILLED, ("c1",))


def test_a_mutant_with_full_marks_that_computes_otherwise_survives_and_names_where_it_was_seen():
    ref = result([True, True], [[1.0, 0.5], [1.0, 2.0]])
    status, _, differs, _ = classify(ref, result([True, True], [[1.0, 0.5], [1.0, 2.5]]), None)
    assert (status, differs) == (SURVIVOR, ("c1",))


def test_a_mutant_with_full_marks_that_computes_the_same_everywhere_is_equivalent():
    ref = result([True, True], [[1.0, 0.5], [0.0]])
    assert classify(ref, result([True, True], [[1.0, 0.5 + 1e-9], [0.0]]), None)[0] == EQUIVALENT


def test_without_observations_a_full_marks_mutant_is_a_survivor_not_equivalent():
    assert classify(result([True]), result([True]), None)[0] == SURVIVOR


def test_an_accepted_mutant_is_listed_apart_with_its_reason():
    status, _, _, reason = classify(result([True]), result([True]), ("accepted", "GRU is allowed"))
    assert (status, reason) == (ACCEPTED, "GRU is allowed")


def test_a_mutant_judged_blind_is_a_survivor_although_the_probe_saw_the_same_outputs():
    ref = result([True], [[1.0, 0.5]])
    same = result([True], [[1.0, 0.5]])
    assert classify(ref, same)[0] == EQUIVALENT
    status, _, _, reason = classify(ref, same, ("blind", "crashes with compile(loss='mse')"))
    assert (status, reason) == (SURVIVOR, "crashes with compile(loss='mse')")


def test_a_judged_mutant_that_loses_points_is_still_killed():
    assert classify(result([True]), result([False]), ("accepted", "GRU is allowed"))[0] == KILLED


def test_a_mutant_whose_worker_died_is_not_graded_and_not_counted():
    died = ExerciseResult("s", "ex", ERROR, message="the grading worker stopped")
    assert classify(result([True]), died, None)[0] == NOT_GRADED
    crashed = result([False], status=ERROR)  # the mutant's own crash: it has a fingerprint
    assert classify(result([True]), crashed, None)[0] == KILLED


def verdicts(statuses, reference=None) -> ExerciseMutation:
    v = ExerciseMutation("ex01", [{"name": "c0", "title": "C0"}], reference or result([True]))
    v.outcomes = [Outcome(f"op/{i}", "op", "d", "h", s, ("c0",) if s == KILLED else ()) for i, s in enumerate(statuses)]
    return v


def test_the_score_is_killed_over_killed_and_survivors():
    v = verdicts([KILLED, KILLED, KILLED, SURVIVOR, EQUIVALENT, ACCEPTED, NOT_GRADED])
    assert v.score == 0.75
    assert v.kills() == {"c0": (3, 3)}


def test_a_reference_without_full_marks_gives_no_score_and_fails_the_threshold():
    v = verdicts([KILLED], reference=result([False]))
    assert v.score is None and "the reference scored 0/1" in v.reference_problem
    assert below_threshold(Run([v], 1, 1.0), 0.5)


def test_the_threshold_names_each_exercise_below_it():
    run = Run([verdicts([KILLED, SURVIVOR]), verdicts([KILLED])], 3, 1.0)
    [problem] = below_threshold(run, 0.8)
    assert "ex01: mutation score 0.50 is below [mutation] min_score = 0.8 (1 survivor(s))" == problem
    assert below_threshold(run, 0.5) == []


def test_the_accepted_file_gives_each_entry_its_reason(tmp_path):
    course = tiny_course(tmp_path, '[mutation]\naccepted = "ok.toml"\n')
    (tmp_path / "ok.toml").write_text('[[accepted]]\nexercise = "ex01_tiny"\nmutant = "a/B"\nreason = "fine"\n'
                                      '[[blind]]\nexercise = "ex01_tiny"\nmutant = "c/D"\nreason = "wrong"\n')
    assert load_judged(course) == {("ex01_tiny", "a/B"): ("accepted", "fine"), ("ex01_tiny", "c/D"): ("blind", "wrong")}


@pytest.mark.parametrize("text, key", [
    ('[[accepted]]\nexercise = "ex01_tiny"\nmutant = "a/B"\n', "[[accepted]] #1.reason is required"),
    ('[[accepted]]\nexercise = "ex09"\nmutant = "a/B"\nreason = "r"\n', "#1.exercise: no exercise 'ex09'"),
    ('[[accepted]]\nexercise = "ex01_tiny"\nmutant = "a/B"\nreason = "r"\nwhy = 1\n', "unknown key 'why'"),
    ("[[accepted]\n", "not valid TOML"),
    ('[[fine]]\nexercise = "ex01_tiny"\n', "unknown table [fine]"),
    ('[[blind]]\nexercise = "ex01_tiny"\nmutant = "a/B"\nreason = "r"\n'
     '[[accepted]]\nexercise = "ex01_tiny"\nmutant = "a/B"\nreason = "r"\n', "#1.mutant: 'a/B' is judged twice"),
])
def test_a_bad_accepted_file_names_the_entry_and_key_at_fault(tmp_path, text, key):
    course = tiny_course(tmp_path)
    (tmp_path / "tests" / "mutation").mkdir(parents=True)
    (tmp_path / "tests" / "mutation" / "accepted.toml").write_text(text)
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        load_judged(course)


def test_the_observed_course_keeps_the_limits_and_points_each_grader_at_the_real_one(tmp_path):
    course = tiny_course(tmp_path)
    observed = load_course(probe_course(course, tmp_path / "out" / "course"))
    assert observed.limits == course.limits and observed.seed == course.seed
    grader = observed.exercise("ex01_tiny").grader.read_text()
    assert str(course.exercise("ex01_tiny").grader) in grader and "probe_grader(globals()" in grader


@pytest.mark.slow
def test_a_blind_grader_shows_its_survivors_kills_and_equivalents_and_a_rerun_grades_nothing(tmp_path):
    course = tiny_course(tmp_path)
    accepted = "activation/Tiny.__init__:self.dense:sigmoid"
    (tmp_path / "tests" / "mutation").mkdir(parents=True)
    (tmp_path / "tests" / "mutation" / "accepted.toml").write_text(
        f'[[accepted]]\nexercise = "ex01_tiny"\nmutant = "{accepted}"\nreason = "for the test"\n')
    out = tmp_path / "out"
    run = mutate_course(course, out=out, jobs=1)
    [v] = run.exercises
    status = {o.id: o for o in v.outcomes}
    assert v.reference_problem == ""
    # killed: the output's shape is wrong, or the model cannot be made
    assert status["constant_arg/Tiny.__init__:units->self.dense"].status == KILLED
    assert status["base_class/Tiny:object"].failed == ("output_shape",)
    # survivor: another activation computes other numbers, which no check reads
    relu = status["activation/Tiny.__init__:self.dense:softmax"]
    assert relu.status == SURVIVOR and relu.differs == ("output_shape",)
    assert '-        self.dense = keras.layers.Dense(units, activation="relu")' in relu.diff
    # equivalent: a Dropout called outside training does nothing, with or without training=
    assert status["training_arg/Tiny.call:self.drop:drop"].status == EQUIVALENT
    assert status["training_arg/Tiny.call:self.drop:True"].status == SURVIVOR
    assert status[accepted].status == ACCEPTED and status[accepted].reason == "for the test"
    assert 0 < v.score < 1 and run.graded == len(v.outcomes)
    saved = list((out / "results" / "ex01_tiny").glob("*.json"))
    assert len(saved) == len(v.outcomes) + 1  # and the reference
    assert json.loads(saved[0].read_text())["key"]

    again = mutate_course(course, out=out, jobs=1)
    assert again.graded == 0
    assert [(o.id, o.status) for o in again.exercises[0].outcomes] == [(o.id, o.status) for o in v.outcomes]


def test_validate_with_generated_mutants_needs_a_threshold_and_says_which_key(tmp_path, capsys):
    from kerasgrade.cli import main

    tiny_course(tmp_path)
    assert main(["--course", str(tmp_path), "validate", "--mutants", "auto"]) == 2
    assert "needs [mutation] min_score" in capsys.readouterr().err
