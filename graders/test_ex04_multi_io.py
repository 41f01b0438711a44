"""Grader for ex04_multi_io: MultiTaskModel, several named inputs and outputs.

The contract fixes the constructor and the call (a dict in, a dict out) but names no
attribute, so binding through `self` is checked by behaviour: the weights Keras tracks
after a call are all the weights the outputs depend on, and they persist between calls.
"""
import keras
import numpy as np
import tensorflow as tf
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.expect import (blobs, build, doing, expect_close, expect_forwards_kwargs,
                               expect_shape, expect_softmax, expect_super_first, fail, features,
                               get_class, run, train)

KEYS = ("label", "score")
NEW_WEIGHTS_HINT = ("Create layers in __init__, not in call(): a layer created in call() gets "
                    "new random weights every time.")


def model_class(submission):
    return get_class(submission, "MultiTaskModel")


def inputs(batch, n_features, n_metadata, seed=0, scale=1.0):
    """The model's input: a dict of two float32 arrays drawn from the given seed."""
    return {"features": features(batch, n_features, seed=seed) * scale,
            "metadata": features(batch, n_metadata, seed=seed + 1000) * scale}


def outputs(model, x, batch, num_classes, what="your MultiTaskModel"):
    """Call the model and check that it returns {"label": (B, num_classes), "score": (B, 1)}."""
    out = run(model, x)
    if not isinstance(out, dict):
        fail(f"Multiple outputs: call() should return a dict {{\"label\": ..., \"score\": ...}}, "
             f"but {what} returned a {type(out).__name__}. Named outputs let Keras match each "
             "output with its own loss (`compile(loss={\"label\": ..., \"score\": ...})`). "
             "Write `return {\"label\": label, \"score\": score}`.")
    if set(out) != set(KEYS):
        fail(f"Multiple outputs: the dict returned by call() should have exactly the keys "
             f"'label' and 'score' (the names the losses are given), but it has "
             f"{sorted(map(str, out))}. Rename the keys: `return {{\"label\": ..., \"score\": ...}}`.")
    expect_shape(out["label"], (batch, num_classes), f"the 'label' output of {what}")
    expect_shape(out["score"], (batch, 1), f"the 'score' output of {what}")
    return out


def expect_trainable(model):
    """After a call, Keras tracks some layers and trainable weights."""
    if not model.layers or not model.trainable_weights:
        fail(f"Binding through self: after a call, Keras tracks {len(model.layers)} layer(s) and "
             f"{len(model.trainable_weights)} trainable weight(s). Create your layers in "
             "`__init__` and bind them on `self` (`self.hidden = Dense(...)`), so that Keras "
             "tracks them and `fit()` can train them.")


def named_leaves(out):
    """(name, array) for each output, whatever structure call() returned."""
    if isinstance(out, dict):
        return [(repr(k), v) for k, v in out.items()]
    if isinstance(out, (list, tuple)):
        return [(f"#{i}", v) for i, v in enumerate(out)]
    return [("", out)]


def changes(before, after) -> bool:
    return bool(np.max(np.abs(np.asarray(after) - np.asarray(before))) > 1e-5)


@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "MultiTaskModel subclasses tf.keras.Model and can be built and called on a dict of inputs"
    model = build(model_class(submission))
    run(model, inputs(4, 5, 3))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "MultiTaskModel(name=...) reaches Keras through **kwargs"
    model = expect_forwards_kwargs(model_class(submission))
    run(model, inputs(2, 3, 2))


@check(points=2, concept="binding through self")
def test_keras_tracks_every_weight(submission):
    "After a call, Keras tracks the model's layers and every weight its outputs depend on"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    run(model, inputs(4, 5, 3))
    expect_trainable(model)
    with doing("setting every weight Keras tracks to zero"):
        for w in model.weights:
            if "float" in str(w.dtype):
                w.assign(keras.ops.zeros(w.shape, dtype=w.dtype))
    first, second = run(model, inputs(4, 5, 3, seed=1)), run(model, inputs(4, 5, 3, seed=2))
    for (key, a), (_, b) in zip(named_leaves(first), named_leaves(second)):
        if changes(a, b):
            fail(f"Binding through self: with every weight Keras tracks set to zero, the "
                 f"{key} output still depends on the input, so it uses weights Keras does not "
                 "track: a layer created in call() (for example `Dense(...)(x)` written as in "
                 "the Functional API), or kept where Keras cannot see it. Create every layer "
                 "once in `__init__`, bind it on `self`, and only use it in call().")


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "Layers are created once: the same input gives the same outputs, with the same weights"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    x = inputs(6, 5, 3)
    first = outputs(model, x, 6, 3)
    weights = list(model.trainable_weights)
    second = outputs(model, x, 6, 3)
    for key in KEYS:
        expect_close(second[key], first[key],
                     f"Calling the model twice on the same input gave different '{key}' outputs",
                     hint=NEW_WEIGHTS_HINT)
    now = list(model.trainable_weights)
    if len(now) != len(weights) or any(a is not b for a, b in zip(now, weights)):
        fail(f"The model's trainable weights changed between two calls ({len(weights)} then "
             f"{len(now)} weights, or new objects): layers must be created once in `__init__`, "
             "never in `call()`.")


@check(points=1, concept="binding through self")
def test_hidden_units_sets_the_width(submission):
    "hidden_units sets the size of the hidden layer(s): more units, more weights"
    counts = {}
    for units in (3, 9):
        model = build(model_class(submission), num_classes=2, hidden_units=units)
        run(model, inputs(2, 4, 3))
        expect_trainable(model)
        counts[units] = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    if counts[9] <= counts[3]:
        fail(f"Constructor arguments: MultiTaskModel(hidden_units=3) has {counts[3]} trainable "
             f"parameters and MultiTaskModel(hidden_units=9) has {counts[9]}: `hidden_units` "
             "does not size the hidden layer. Use the argument, "
             "`Dense(hidden_units, activation=\"relu\")`, not a fixed number.")


@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 6), n_features=st.integers(1, 5), n_metadata=st.integers(1, 5),
       num_classes=st.integers(1, 5), hidden_units=st.integers(1, 8))
def test_output_shapes(submission, batch, n_features, n_metadata, num_classes, hidden_units):
    "call() maps {features (B, F), metadata (B, M)} to {label (B, num_classes), score (B, 1)}"
    model = build(model_class(submission), num_classes=num_classes, hidden_units=hidden_units)
    outputs(model, inputs(batch, n_features, n_metadata), batch, num_classes,
            f"MultiTaskModel(num_classes={num_classes}, hidden_units={hidden_units}) on "
            f"features ({batch}, {n_features}) and metadata ({batch}, {n_metadata})")


@check(points=1, concept="call() and output shapes")
def test_label_is_softmax(submission):
    "Each row of the 'label' output is a probability distribution"
    model = build(model_class(submission), num_classes=5)
    out = outputs(model, inputs(8, 4, 3, scale=5.0), 8, 5)
    expect_softmax(out["label"], "the 'label' output")


def pushed_score(model, x, direction, steps=4, step_size=0.5):
    """The mean score after a few sign-gradient steps on the model's own weights that push it
    up (direction=+1) or down (-1). A score with no activation moves by at least `step_size`
    per step (through the bias alone); a bounded one (sigmoid, tanh, relu...) gets stuck."""
    weights = list(model.trainable_weights)
    with doing("computing the gradient of the 'score' output with respect to your weights"):
        for _ in range(steps):
            with tf.GradientTape() as tape:
                score = tf.reduce_mean(model(x)["score"])
            grads = tape.gradient(score, weights)
            for w, g in zip(weights, grads):
                if g is not None:
                    w.assign_add(direction * step_size * tf.sign(g))
        return float(tf.reduce_mean(model(x)["score"]))


@check(points=1, concept="call() and output shapes")
def test_score_is_unbounded(submission):
    "The 'score' output is a plain number (no activation): it can be pushed above 1 and below -1"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    x = inputs(16, 5, 4, seed=np.random.randint(1000))
    outputs(model, x, 16, 3)
    expect_trainable(model)
    start = [np.array(w) for w in model.trainable_weights]
    high = pushed_score(model, x, +1)
    for w, value in zip(model.trainable_weights, start):
        w.assign(value)
    low = pushed_score(model, x, -1)
    if not (high > 1.5 and low < -1.5):
        fail(f"The 'score' output is a regression: it must be able to take any real value. "
             f"Training your model's own weights a few steps to push the mean score up reaches "
             f"{high:.3g}, and down reaches {low:.3g}: the score is bounded, as if an activation "
             "(sigmoid, tanh, relu, softmax...) squashed it. Give the score layer no activation: "
             "`Dense(1)`.")


@check(points=2, concept="multiple inputs and outputs")
def test_both_outputs_depend_on_both_inputs(submission):
    "Changing only the features, or only the metadata, changes both outputs"
    model = build(model_class(submission), num_classes=3, hidden_units=16)
    seed = np.random.randint(1000)
    x = inputs(8, 5, 4, seed=seed)
    base = outputs(model, x, 8, 3)
    for name in ("features", "metadata"):
        moved = dict(x, **{name: x[name] + features(8, x[name].shape[1], seed=seed + 7)})
        out = outputs(model, moved, 8, 3)
        for key in KEYS:
            if not changes(base[key], out[key]):
                fail(f"Multiple inputs: changing only the '{name}' input left the '{key}' "
                     f"output unchanged, so '{key}' ignores '{name}'. Both outputs should be "
                     "computed from both inputs: combine them first (for example "
                     "`Concatenate()([inputs[\"features\"], inputs[\"metadata\"]])` into a "
                     "shared hidden layer), then branch into the two heads.")


@check(points=1, concept="multiple inputs and outputs")
def test_reads_inputs_by_key(submission):
    "call() reads the inputs by name: the order of the dict's keys does not matter"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    x = inputs(5, 4, 4, seed=np.random.randint(1000))
    first = outputs(model, x, 5, 3)
    for key, value in outputs(model, x, 5, 3).items():
        expect_close(value, first[key], f"Calling the model twice on the same input gave "
                     f"different '{key}' outputs", hint=NEW_WEIGHTS_HINT)
    again = outputs(model, {"metadata": x["metadata"], "features": x["features"]}, 5, 3)
    for key in KEYS:
        expect_close(again[key], first[key],
                     f"The same inputs given as a dict in another key order gave another "
                     f"'{key}' output",
                     hint="Named inputs are read by name: `inputs[\"features\"]` and "
                          "`inputs[\"metadata\"]`, never by position (`inputs.values()`), "
                          "which depends on the order the caller wrote the keys in.")


def multitask_data(seed=0):
    """Class labels from the features (blobs), a linear score from the metadata."""
    x, y = blobs(192, 6, 3, seed=seed)
    rng = np.random.default_rng(seed + 1)
    metadata = rng.normal(size=(192, 4)).astype("float32")
    score = (metadata @ rng.normal(size=(4, 1)) + 0.5).astype("float32")
    return {"features": x, "metadata": metadata}, {"label": y, "score": score}


@check(points=2, concept="training")
def test_learns_both_tasks(submission):
    "Trained with a loss per output, it learns the label from the features and the score from the metadata"
    x, y = multitask_data(seed=0)
    model = build(model_class(submission), num_classes=3, hidden_units=32)
    train(model, x, y, loss={"label": "sparse_categorical_crossentropy", "score": "mse"},
          epochs=8, batch_size=64, learning_rate=0.05)
    out = outputs(model, x, 192, 3, "your trained MultiTaskModel")
    acc = float(np.mean(np.argmax(out["label"], axis=-1) == y["label"]))
    r2 = 1 - float(np.mean((out["score"] - y["score"]) ** 2) / np.var(y["score"]))
    if acc < 0.9 or r2 < 0.8:
        fail(f"Training: after 8 epochs with `loss={{\"label\": \"sparse_categorical_crossentropy\", "
             f"\"score\": \"mse\"}}`, the label accuracy is {acc:.2f} (0.9 wanted) and the score "
             f"explains {max(r2, 0):.0%} of the target's variance (80% wanted) on easy tasks. "
             "Check that the label head ends in a softmax, that the score head has no "
             "activation, and that both inputs reach the shared layer.")
