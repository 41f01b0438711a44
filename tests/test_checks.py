"""checks.check: a check's declaration, and the hypothesis settings it runs with (per check, never global)."""
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from kerasgrade.checks import GRADING, check, grading_settings

from .conftest import ROOT


def drawn_by(fn) -> list[int]:
    """Run a check on a pretend submission; the integers hypothesis drew, in order."""
    seen = []
    fn(seen)
    return seen


def a_check(*decorators):
    def body(submission, n):
        submission.append(n)

    for d in reversed(decorators):
        body = d(body)
    return body


def test_importing_the_checks_leaves_the_loaded_hypothesis_profile_alone():
    code = ("from hypothesis import settings\n"
            "settings.register_profile('mine', max_examples=321)\nsettings.load_profile('mine')\n"
            "import kerasgrade.checks\nprint(settings.default.max_examples, settings.default.derandomize)")
    env = {k: v for k, v in os.environ.items() if k != "CI"}  # hypothesis loads its "ci" profile under CI
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                         env=env)
    assert out.stdout.split() == ["321", "False"]


def test_a_hypothesis_check_runs_six_examples_the_same_ones_every_time():
    fn = a_check(check(points=1, concept="c"), given(st.integers(0, 10**6)))
    first = drawn_by(fn)
    assert len(first) == GRADING.max_examples == 6
    assert drawn_by(fn) == first  # derandomized
    settings_used = fn._hypothesis_internal_use_settings
    assert settings_used.database is None and settings_used.deadline is None


def test_a_check_may_ask_for_fewer_examples_and_keeps_the_rest_of_the_grading_settings():
    fn = a_check(check(points=1, concept="c"), grading_settings(max_examples=3), given(st.integers(0, 10**6)))
    first = drawn_by(fn)
    assert len(first) == 3 and drawn_by(fn) == first


def test_hypothesis_own_settings_on_a_check_are_refused_with_the_way_to_fix_it():
    fix = r"body: its @settings\(...\) changes [a-z_, ]*report_multiple_bugs.*use kerasgrade.checks.grading_settings"
    with pytest.raises(ValueError, match=fix):
        a_check(check(points=1, concept="c"), settings(max_examples=3, report_multiple_bugs=True),
                given(st.integers(0, 3)))


def test_a_check_without_hypothesis_is_left_as_written():
    @check(points=2, concept="c")
    def test_plain(submission):
        "A plain check"

    assert not hasattr(test_plain, "_hypothesis_internal_use_settings")
    assert test_plain.kerasgrade_check.title == "A plain check" and test_plain.kerasgrade_check.points == 2.0


def test_a_hypothesis_helper_that_checks_call_gets_the_grading_settings_too():
    import types

    grader = types.ModuleType("grader")
    grader.helper = a_check(given(st.integers(0, 10**6)))

    @check(points=1, concept="c")
    def test_calls_helper(submission):
        "Calls the helper"
        grader.helper(submission)

    grader.test_calls_helper = test_calls_helper
    from kerasgrade.checks import checks_of

    assert [spec.name for spec, _ in checks_of(grader)] == ["calls_helper"]
    first = drawn_by(test_calls_helper)
    assert len(first) == 6 and drawn_by(test_calls_helper) == first
    checks_of(grader)  # a second look changes nothing
