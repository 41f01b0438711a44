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


@pytest.mark.slow
def test_an_observed_check_passes_and_fails_as_the_real_one_and_records_each_outer_call(tmp_path):
    import keras
    import numpy as np

    from kerasgrade.grading import in_child as expect
    from kerasgrade.checks import checks_of
    from kerasgrade.mutation.observe import probe_grader

    grader = tmp_path / "test_ex.py"
    grader.write_text(
        "import numpy as np\nfrom kerasgrade.checks import check\nfrom kerasgrade.grading.in_child import fail\n\n"
        "@check(points=1, concept='k')\ndef test_two_calls(submission):\n    'Two calls'\n"
        "    m = submission.make()\n    m(np.ones((2, 3), 'float32'))\n    m(np.zeros((2, 3), 'float32'))\n"
        "    if submission.broken:\n        fail('broken')\n")
    namespace = {}
    probe_grader(namespace, str(grader), "ex")
    [(spec, fn)] = checks_of(types.SimpleNamespace(**namespace, __file__=str(grader)))
    assert spec.name == "two_calls"

    def make():
        keras.backend.clear_session()  # as the runner does before each check: the same names
        keras.utils.set_random_seed(0)
        return keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(1)])

    expect.recorded.clear()
    fn(types.SimpleNamespace(make=make, broken=False))
    numbers = expect.recorded[PROBE_KEY]
    assert numbers[0] == 2.0  # two outer calls; the inner Dense calls are not observations
    assert numbers[1] == 2.0 and numbers[5] == -1.0  # (batch 2 x 1 output), then the model's facts once
    expect.recorded.clear()
    with pytest.raises(AssertionError, match="broken"):
        fn(types.SimpleNamespace(make=make, broken=True))
    assert expect.recorded[PROBE_KEY] == numbers  # recorded even when the check fails
    np.testing.assert_equal(len(numbers), 1 + 4 + 13 + 4)
