"""The parent scores what a child reported; nothing a child sends can crash it or forge points."""
from hypothesis import given, strategies as st

from kerasgrade.scoring import score
from kerasgrade.result import ERROR, GRADED, TIMEOUT

CATALOGUE = [
    {"name": "a", "title": "A", "concept": "c1", "points": 1.0, "hidden": False},
    {"name": "b", "title": "B", "concept": "c2", "points": 2.0, "hidden": True},
]


def scored(events, **kw):
    kw.setdefault("ended", "ok")
    return score("s", "ex", CATALOGUE, events, **kw)


def test_points_come_from_the_catalogue_not_from_the_child():
    r = scored([{"check": "a", "passed": True, "points": 100}, {"check": "b", "passed": True}])
    assert (r.status, r.score, r.max_points) == (GRADED, 3.0, 3.0)


def test_only_a_literal_true_passes():
    r = scored([{"check": "a", "passed": "yes"}, {"check": "b", "passed": 1}])
    assert r.score == 0


def test_a_check_reported_twice_fails():
    r = scored([{"check": "a", "passed": True}, {"check": "a", "passed": True}])
    assert not r.checks[0].passed and "more than one result" in r.checks[0].message


def test_unknown_checks_are_ignored_and_missing_ones_fail():
    r = scored([{"check": "zzz", "passed": True}, {"check": "a", "passed": True}])
    assert [c.passed for c in r.checks] == [True, False]
    assert "no result" in r.checks[1].message


def test_hidden_checks_are_left_out_for_learners():
    r = scored([{"check": "a", "passed": True}], include_hidden=False)
    assert [c.name for c in r.checks] == ["a"] and r.max_points == 1


def test_a_timeout_keeps_finished_checks_and_says_so():
    r = scored([{"check": "a", "passed": True}], ended="timeout", detail="30 s")
    assert r.status == TIMEOUT and r.score == 1
    assert "time limit (30 s)" in r.checks[1].message


def test_a_load_error_is_the_message_of_every_check():
    r = scored([{"load_error": "SyntaxError at line 3"}])
    assert r.status == ERROR and all(c.message == "SyntaxError at line 3" for c in r.checks)


def test_a_crash_is_an_error_result():
    r = scored([], ended="crash", detail="killed by signal SIGSEGV")
    assert r.status == ERROR and "SIGSEGV" in r.message and r.score == 0


def test_recorded_data_is_kept_only_as_number_lists():
    r = scored([{"check": "a", "passed": True, "data": {"loss": [1, 0.5], "bad": "x", "n": [True]}}])
    assert r.checks[0].data == {"loss": [1.0, 0.5]}


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                           lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                           max_leaves=10)
events = st.lists(st.one_of(
    json_values,
    st.fixed_dictionaries({"check": st.sampled_from(["a", "b", "c"]), "passed": json_values},
                          optional={"message": json_values, "data": json_values}),
    st.fixed_dictionaries({"load_error": json_values}),
))


@given(events, st.sampled_from(["ok", "timeout", "crash"]))
def test_no_report_can_crash_the_parent_or_exceed_the_maximum(evs, ended):
    r = scored(evs, ended=ended)
    assert 0 <= r.score <= r.max_points == 3.0
    assert [c.name for c in r.checks] == ["a", "b"]
    assert r.to_dict()["score"] == r.score


def test_hostile_values_from_the_issue_cost_only_that_check():
    r = scored([{"check": ["a"], "passed": True},                       # a name that is a list
                {"check": "a", "passed": True, "message": "x\ud800y",    # a lone surrogate
                 "data": {"loss": [10 ** 400]}},                         # a number beyond floats
                {"check": "b", "passed": True, "data": {"loss": [1e308, -1e308, float("nan")]}}])
    a, b = r.checks
    assert a.passed and a.data == {} and "\ud800" not in a.message
    a.message.encode("utf-8")  # writable anywhere
    assert b.passed and b.data == {}  # a curve with a non-finite value is dropped whole
    big = scored([{"check": "a", "passed": True, "data": {"loss": [1e308, -1e308]}}]).checks[0]
    assert big.data == {"loss": [1e12, -1e12]}  # bounded, so a figure can be drawn


def test_a_protocol_violation_zeroes_the_exercise_with_a_message():
    r = scored([{"check": "a", "passed": True}, {"violation": "it sent an answer that is not valid"}])
    assert r.status == ERROR and r.score == 0 and "out of turn" in r.message
