"""Grader for ex01_first_model: SimpleMLP, a first subclassed model.

Written for the judge (``JUDGED``): every check runs outside the learner's process and asks
it, through ``submission``, to build, call, describe and train; inputs and weights are the
judge's own draws.
"""
import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.grading.draw import blobs, features, split, weights_like
from kerasgrade.grading.expect import (Forward, activation, build, dense_weights, expect_activation,
                                       expect_close, expect_layer, expect_shape, expect_softmax,
                                       expect_tracked, expect_varies, fail, get_class, layer_weights, run,
                                       train, verify_dense)
from kerasgrade.grading.opening import opening_checks
from kerasgrade.grading.replica import followed

JUDGED = True
CLASS = "SimpleMLP"


def forward(model, x, got, **_):
    """softmax(classifier(relu(hidden(x)))), computed by the judge from the two layers' weights
    (or, for a model that is not that, from the layers it has: ``replica.followed``)."""
    def contract():
        kernel, bias = dense_weights(model, "hidden", x.shape[1])
        w_out, b_out = dense_weights(model, "classifier", kernel.shape[1])
        return activation("softmax", activation("relu", x @ kernel + bias) @ w_out + b_out)

    return followed(model, x, got, contract)


# Every output a check reads is first the judge's own computation (``run``).
FOLLOW = {CLASS: Forward(forward, "softmax(classifier(relu(hidden(x))))")}


def model_class(submission):
    return get_class(submission, CLASS)


globals().update(opening_checks(CLASS, inputs=lambda: features(4, 5), output_shape=(4, 3),
                               persistent=("hidden", "classifier")))


@check(points=2, concept="binding through self")
def test_binds_the_two_layers(submission):
    "self.hidden and self.classifier are Dense layers of the right sizes, tracked by Keras"
    model = build(model_class(submission), hidden_units=7, num_classes=4)
    hidden = expect_layer(model, "hidden", "Dense", units=7)
    expect_activation(model, "hidden", "relu")
    classifier = expect_layer(model, "classifier", "Dense", units=4)
    expect_activation(model, "classifier", "softmax")
    expect_tracked(model, {"hidden": hidden, "classifier": classifier})
    run(model, features(3, 5))  # the model computes with them what the contract says (FOLLOW)
    verify_dense(model, "hidden", "relu", in_dim=5, units=7)
    verify_dense(model, "classifier", "softmax", in_dim=7, units=4)


@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 8), n_features=st.integers(1, 6), hidden_units=st.integers(1, 16),
       num_classes=st.integers(1, 6))
def test_output_shape(submission, batch, n_features, hidden_units, num_classes):
    "call() maps (batch, features) to (batch, num_classes) for any sizes"
    model = build(model_class(submission), hidden_units=hidden_units, num_classes=num_classes)
    out = run(model, features(batch, n_features), verify=num_classes > 1)  # softmax over 1 class: 1
    expect_shape(out, (batch, num_classes),
                 f"SimpleMLP(hidden_units={hidden_units}, num_classes={num_classes}) on a "
                 f"({batch}, {n_features}) input")


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(model_class(submission), num_classes=5)
    out = run(model, features(8, 4, scale=5.0))
    expect_softmax(out)
    expect_varies(out)


@check(points=1, concept="call() and output shapes", hidden=True)
def test_forward_pass_composes_the_layers(submission):
    "call() is classifier(hidden(x)), computed with weights the grader sets"
    model = build(model_class(submission), hidden_units=6, num_classes=3)
    x = features(5, 4)
    run(model, x)  # builds the layers
    expect_layer(model, "hidden", "Dense")
    expect_layer(model, "classifier", "Dense")
    w_hidden, w_classifier = weights_like([(4, 6), (6,)]), weights_like([(6, 3), (3,)])
    model.set_weights(w_hidden, path="hidden")
    model.set_weights(w_classifier, path="classifier")
    hidden = activation("relu", x @ w_hidden[0] + w_hidden[1])
    want = activation("softmax", hidden @ w_classifier[0] + w_classifier[1])
    expect_close(run(model, x), want, "The output is not softmax(classifier(relu(hidden(x))))",
                 hint="call() should apply self.hidden, then self.classifier, and nothing else.")


@check(points=2, concept="training")
def test_learns_separable_blobs(submission):
    "The model learns three separable classes (accuracy >= 0.9 on data it was not trained on)"
    x, y = blobs(256, 6, 3)
    fit_rows, held_out = split(len(y))
    model = build(model_class(submission), hidden_units=16, num_classes=3)
    train(model, x[fit_rows], y[fit_rows], loss="sparse_categorical_crossentropy", epochs=8)
    # The accuracy is the judge's own arithmetic on the weights training left in the two named
    # layers, and the model's answer on new data must be what those weights compute.
    kernel, bias = layer_weights(model, "hidden", [(6, 16), (16,)], "reading the trained `self.hidden`")
    w_out, b_out = layer_weights(model, "classifier", [(16, 3), (3,)], "reading the trained `self.classifier`")
    want = activation("softmax", activation("relu", x[held_out] @ kernel + bias) @ w_out + b_out)
    expect_close(run(model, x[held_out], "calling your trained model on new data"), want,
                 "After training, your model's output on new data is not what its trained layers compute",
                 hint="call() should apply self.hidden, then self.classifier, and nothing else.")
    acc = float(np.mean(np.argmax(want, axis=-1) == y[held_out]))
    if acc < 0.9:
        fail(f"Training: after 8 epochs the accuracy on new data is {acc:.2f}, below 0.9 on an easy "
             "task. Check that call() uses both layers and that the classifier ends in a softmax.")
