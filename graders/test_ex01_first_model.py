"""Grader for ex01_first_model: SimpleMLP, a first subclassed model."""
import keras
import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.expect import (accuracy, blobs, build, expect_activation, expect_close,
                               expect_forwards_kwargs, expect_layer, expect_same_object,
                               expect_shape, expect_softmax, expect_super_first, expect_tracked,
                               fail, features, get_class, run, train)

Dense = keras.layers.Dense


def model_class(submission):
    return get_class(submission, "SimpleMLP")


@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "SimpleMLP subclasses tf.keras.Model and can be built and called"
    model = build(model_class(submission))
    run(model, features(4, 5))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "SimpleMLP(name=...) reaches Keras through **kwargs"
    model = expect_forwards_kwargs(model_class(submission))
    run(model, features(2, 3))


@check(points=2, concept="binding through self")
def test_binds_the_two_layers(submission):
    "self.hidden and self.classifier are Dense layers of the right sizes, tracked by Keras"
    model = build(model_class(submission), hidden_units=7, num_classes=4)
    hidden = expect_layer(model, "hidden", Dense, units=7)
    expect_activation(hidden, "hidden", "relu")
    classifier = expect_layer(model, "classifier", Dense, units=4)
    expect_tracked(model, {"hidden": hidden, "classifier": classifier})


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "Layers are created once in __init__: the same input gives the same output on every call"
    model = build(model_class(submission))
    hidden, classifier = getattr(model, "hidden", None), getattr(model, "classifier", None)
    x = features(6, 5)
    first, second = run(model, x), run(model, x)
    expect_same_object(model, "hidden", hidden)
    expect_same_object(model, "classifier", classifier)
    expect_close(second, first, "Calling the model twice on the same input gave different outputs",
                 hint="Create layers in __init__, not in call(): a layer created in call() "
                      "gets new random weights every time.")
    if len(model.trainable_weights) != 4:
        fail(f"After calling it, the model should own 4 trainable weights (a kernel and a bias per "
             f"Dense layer), but Keras tracks {len(model.trainable_weights)}.")


@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 8), n_features=st.integers(1, 6), hidden_units=st.integers(1, 16),
       num_classes=st.integers(1, 6))
def test_output_shape(submission, batch, n_features, hidden_units, num_classes):
    "call() maps (batch, features) to (batch, num_classes) for any sizes"
    model = build(model_class(submission), hidden_units=hidden_units, num_classes=num_classes)
    out = run(model, features(batch, n_features))
    expect_shape(out, (batch, num_classes),
                 f"SimpleMLP(hidden_units={hidden_units}, num_classes={num_classes}) on a "
                 f"({batch}, {n_features}) input")


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(model_class(submission), num_classes=5)
    expect_softmax(run(model, features(8, 4, seed=1) * 5))


@check(points=1, concept="call() and output shapes", hidden=True)
def test_forward_pass_composes_the_layers(submission):
    "call() is classifier(hidden(x)), computed from the model's own weights"
    model = build(model_class(submission), hidden_units=6, num_classes=3)
    x = features(5, 4, seed=np.random.randint(1000))
    out = run(model, x)
    hidden, classifier = model.hidden, model.classifier
    h = np.maximum(x @ np.array(hidden.kernel) + np.array(hidden.bias), 0)
    logits = h @ np.array(classifier.kernel) + np.array(classifier.bias)
    want = np.exp(logits - logits.max(-1, keepdims=True))
    expect_close(out, want / want.sum(-1, keepdims=True),
                 "The output is not softmax(classifier(relu(hidden(x))))",
                 hint="call() should apply self.hidden, then self.classifier, and nothing else.")


@check(points=2, concept="training")
def test_learns_separable_blobs(submission):
    "The model learns three separable classes (accuracy >= 0.9 after a short training)"
    x, y = blobs(192, 6, 3, seed=0)
    model = build(model_class(submission), hidden_units=16, num_classes=3)
    train(model, x, y, loss="sparse_categorical_crossentropy", epochs=8)
    acc = accuracy(model, x, y)
    if acc < 0.9:
        fail(f"Training: after 8 epochs the accuracy is {acc:.2f}, below 0.9 on an easy task. "
             "Check that call() uses both layers and that the classifier ends in a softmax.")
