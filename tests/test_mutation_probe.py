"""The probe: checks observed pass and fail as they are, and record what the models computed."""
import types

import pytest

from kerasgrade.mutation.probe import PROBE_KEY, same_behaviour


def test_the_same_numbers_on_every_check_are_the_same_behaviour():
    ref = {"a": [2.0, 4.0, 0.5, 0.25, 1.0], "b": [0.0]}
    assert same_behaviour(ref, {"a": [2.0, 4.0, 0.5, 0.25, 1.0 + 1e-9], "b": [0.0]}) == (True, [])


def test_another_number_or_another_count_of_calls_names_the_check():
    ref = {"a": [1.0, 4.0, 0.5], "b": [1.0, 3.0, 3.0]}
    assert same_behaviour(ref, {"a": [1.0, 4.0, 0.6], "b": [1.0, 3.0, 3.0]}) == (False, ["a"])
    assert same_behaviour(ref, {"a": [1.0, 4.0, 0.5], "b": [2.0, 3.0, 3.0, 9.0]}) == (False, ["b"])


def test_digests_that_differ_by_one_in_sixteen_bits_are_told_apart():
    assert same_behaviour({"a": [65535.0]}, {"a": [65534.0]}) == (False, ["a"])


def test_no_observation_at_all_is_no_evidence_of_the_same_behaviour():
    assert same_behaviour({}, {}) == (False, [])
    assert same_behaviour({"a": []}, {"a": []}) == (False, [])


def test_an_observed_check_passes_and_fails_as_the_real_one_and_notes_each_answer_it_reads(tmp_path):
    import numpy as np

    from kerasgrade.checks import checks_of
    from kerasgrade.grading import expect
    from kerasgrade.mutation.observe import probe_grader

    grader = tmp_path / "test_ex.py"
    grader.write_text(
        "from kerasgrade.checks import check\nfrom kerasgrade.grading.expect import fail\n\nJUDGED = True\n\n"
        "@check(points=1, concept='k')\ndef test_two_calls(submission):\n    'Two calls'\n"
        "    for op in ('reset', 'call', 'describe', 'call'):\n        submission.channel.request(op, x=1)\n"
        "    if submission.broken:\n        fail('broken')\n")
    namespace = {}
    probe_grader(namespace, str(grader), "ex")
    [(spec, fn)] = checks_of(types.SimpleNamespace(**namespace, __file__=str(grader)))
    assert spec.name == "two_calls"

    answers = {"reset": None, "call": np.full((2, 1), 0.5, "float32"), "describe": {"class": "Dense", "id": 7}}
    channel = types.SimpleNamespace(request=lambda op, **args: answers[op])
    expect.recorded.clear()
    fn(types.SimpleNamespace(channel=channel, broken=False))
    numbers = expect.recorded[PROBE_KEY]
    assert numbers[0] == 3.0  # two calls and a description; a reset is no observation
    assert numbers[1:3] == [2.0, 0.5] and len(numbers) == 1 + 4 + 3 + 4  # (size, mean, ...), a digest
    answers["describe"] = {"class": "Dense", "id": 8}  # another identity: the same description
    expect.recorded.clear()
    with pytest.raises(AssertionError, match="broken"):
        fn(types.SimpleNamespace(channel=channel, broken=True))
    assert expect.recorded[PROBE_KEY] == numbers  # recorded even when the check fails
    answers["describe"] = {"class": "Conv2D", "id": 7}
    fn(types.SimpleNamespace(channel=channel, broken=False))
    assert expect.recorded[PROBE_KEY] != numbers


def test_a_grader_not_written_for_the_judge_is_refused_by_name(tmp_path):
    from kerasgrade.errors import KerasgradeError
    from kerasgrade.mutation.observe import probe_grader

    grader = tmp_path / "test_old.py"
    grader.write_text("from kerasgrade.checks import check\n\n@check(points=1, concept='k')\n"
                      "def test_a(submission):\n    'A'\n")
    with pytest.raises(KerasgradeError, match=rf"{grader}: this grader does not say `JUDGED = True`"):
        probe_grader({}, str(grader), "ex")
