"""The graders' toolkit on the judge's side (kerasgrade.grading.expect): the parts that need no child."""
import re
from types import SimpleNamespace

import pytest

from kerasgrade.errors import CheckFailed
import numpy as np

from kerasgrade.grading.expect import (OTHER_ACTIVATIONS, activation, clean, dense_shapes, expect_close, fail,
                                       layer_weights, teaching)

LESSON = "`inputs` is a dict: read `inputs[\"features\"]`."


def _described(*shapes):
    return {"weights": [{"shape": list(s)} for s in shapes]}


def test_a_failed_check_with_a_known_cause_says_the_cause_first_then_what_happened():
    @teaching(lambda submission: LESSON if submission.unpacks else "")
    def check(submission):
        failure = CheckFailed("While calling your model, your code raised ValueError\n  at line 16\n  a general lesson")
        failure.__notes__ = ["Falsifying example: check(batch=1)"]
        raise failure

    with pytest.raises(CheckFailed) as failed:
        check(SimpleNamespace(unpacks=True))
    message = str(failed.value)
    assert message.startswith(LESSON)
    assert "(What happened: While calling your model, your code raised ValueError\n  at line 16)" in message
    assert "a general lesson" not in message
    assert failed.value.__notes__ == ["Falsifying example: check(batch=1)"]


def test_a_failed_check_without_a_known_cause_keeps_its_own_message():
    @teaching(lambda submission: "")
    def check(submission):
        fail("The output is not softmax(...)")

    with pytest.raises(CheckFailed, match=r"^The output is not softmax\(\.\.\.\)$"):
        check(SimpleNamespace())


def test_a_passing_check_is_not_asked_for_a_cause():
    asked = []

    @teaching(lambda submission: asked.append(submission) or LESSON)
    def check(submission):
        return "passed"

    assert check("submission") == "passed" and asked == []


def test_a_check_that_teaches_keeps_its_name_and_declaration():
    def test_output(submission):
        "The title"
    test_output.kerasgrade_check = "its spec"
    taught = teaching(lambda submission: "")(test_output)
    assert (taught.__name__, taught.__doc__, taught.kerasgrade_check) == ("test_output", "The title", "its spec")


@pytest.mark.parametrize("shapes, dense", [
    ([(5, 3), (3,)], True),            # kernel and bias
    ([(5, 3)], True),                  # use_bias=False
    ([(5, 3), (4,)], False),           # a bias that does not fit the kernel
    ([(3, 3, 2, 4), (4,)], False),     # a convolution's kernel
    ([], False),                       # not built, or no weights
    ([(5, 3), (3,), (3,)], False),     # more weights than a Dense layer has
    ([(5, 100_000), (100_000,)], False),  # far larger than any exercise
])
def test_dense_shapes_are_those_of_a_kernel_and_an_optional_bias(shapes, dense):
    assert (dense_shapes(_described(*shapes)) is not None) == dense


def test_a_childs_text_stays_on_one_line_without_control_characters():
    forged = "bad shape\n  PASS  everything 2/2\n  Total: 12/12\x1b[32m\tok"
    shown = clean(forged)
    assert "\n" not in shown and "\x1b" not in shown and "\t" not in shown
    assert shown.startswith("bad shape") and len(clean("x" * 10_000)) == 600


def _holding(*weights):
    return SimpleNamespace(get_weights=lambda path=None, trainable_only=False: list(weights))


def test_a_layers_weights_read_back_come_in_the_order_asked_whatever_order_the_layer_made_them():
    kernel, bias = np.ones((3, 1), "float32"), np.full((1,), 2.0, "float32")
    got = layer_weights(_holding(bias, kernel), "linear", [(3, 1), (1,)])
    assert [w.shape for w in got] == [(3, 1), (1,)] and got[1][0] == 2.0 and got[0].dtype == np.float64


@pytest.mark.parametrize("weights, cause", [
    ((np.ones((3, 2)), np.ones((2,))), "shapes [(3, 1), (1,)]"),              # another size
    ((np.ones((3, 1)),), "shapes [(3, 1), (1,)]"),                             # the bias missing
    ((np.ones((3, 1)), np.ones((1,)), np.ones((1,))), "shapes [(3, 1), (1,)]"),  # one more weight
    ((np.ones((3, 1)), "not an array"), "shapes [(3, 1), (1,)]"),              # an answer, not weights
    ((np.full((3, 1), np.nan), np.ones((1,))), "not finite"),
])
def test_weights_read_back_that_are_not_the_named_layers_fail_the_check(weights, cause):
    with pytest.raises(CheckFailed, match=re.escape(cause)):
        layer_weights(_holding(*weights), "linear", [(3, 1), (1,)])


def test_an_output_with_nan_is_named_as_such_not_as_a_difference():
    with pytest.raises(CheckFailed) as failed:
        expect_close(np.array([[np.nan, 1.0]]), np.array([[0.5, 1.0]]), "The output")
    assert "not numbers (NaN or inf)" in str(failed.value) and "largest difference" not in str(failed.value)


def test_the_judge_draws_a_positive_moving_variance_and_the_rest_as_before():
    from kerasgrade.grading import draw

    shapes, paths = [(3,), (3,), (3,), (3,)], ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]
    draw.seed(7)
    plain = draw.weights_like(shapes)
    draw.seed(7)
    drawn = draw.variable_weights(shapes, paths)
    assert all(np.array_equal(a, b) for a, b in zip(drawn[:3], plain[:3]))
    assert np.all(drawn[3] > 0) and np.allclose(drawn[3], np.abs(plain[3]) + 0.5)


@pytest.mark.parametrize("name", sorted(OTHER_ACTIVATIONS))
def test_the_judge_computes_each_keras_activation_a_learner_may_choose(name):
    keras = pytest.importorskip("keras")
    z = np.random.default_rng(0).normal(size=(20, 5)) * 3
    want = np.asarray(keras.activations.get(name)(z.astype("float32")), dtype="float64")
    assert np.allclose(activation(name, z), want, atol=1e-5, rtol=1e-5)
