"""Grader for ex05_shared_layers: SiameseNet, one encoder used on both inputs."""
import keras
import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.expect import (blobs, build, doing, expect_activation, expect_close,
                               expect_forwards_kwargs, expect_layer, expect_same_object,
                               expect_shape, expect_super_first, expect_tracked, fail, features,
                               get_class, run, to_numpy, train)

Dense = keras.layers.Dense
NEW_WEIGHTS_HINT = ("Create the encoder and the head in __init__, not in call() or embed(): a "
                    "layer created there gets new random weights every time.")


def model_class(submission):
    return get_class(submission, "SiameseNet")


def pair(batch, size, seed=0):
    """The model's input: a pair (a, b) of float32 arrays of shape (batch, size)."""
    return features(batch, size, seed=seed), features(batch, size, seed=seed + 1000)


def embed(model, x):
    """``model.embed(x)`` as numpy, with learner errors explained."""
    with doing(f"calling your model's `embed()` on an input of shape {x.shape}"):
        return to_numpy(model.embed(x))


def ids(variables) -> set:
    return {id(v) for v in variables}


@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "SiameseNet subclasses tf.keras.Model and can be built and called on a pair of inputs"
    model = build(model_class(submission))
    run(model, pair(4, 5))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "SiameseNet(name=...) reaches Keras through **kwargs"
    model = expect_forwards_kwargs(model_class(submission))
    run(model, pair(2, 3))


@check(points=2, concept="binding through self")
def test_binds_encoder_and_head(submission):
    "self.encoder is a layer (or a Sequential) and self.head a Dense(1, sigmoid), both tracked by Keras"
    model = build(model_class(submission), embedding_dim=6)
    encoder = expect_layer(model, "encoder", keras.layers.Layer)
    head = expect_layer(model, "head", Dense, units=1)
    expect_activation(head, "head", "sigmoid")
    expect_tracked(model, {"encoder": encoder, "head": head}, exactly=False)


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "The encoder and head are created once: the same pair gives the same output on every call"
    model = build(model_class(submission))
    encoder, head = getattr(model, "encoder", None), getattr(model, "head", None)
    x = pair(6, 5)
    first, second = run(model, x), run(model, x)
    expect_same_object(model, "encoder", encoder)
    expect_same_object(model, "head", head)
    expect_close(second, first, "Calling the model twice on the same pair gave different outputs",
                 hint=NEW_WEIGHTS_HINT)


@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 6), n_features=st.integers(1, 5), embedding_dim=st.integers(1, 8))
def test_output_shapes(submission, batch, n_features, embedding_dim):
    "embed() maps (B, F) to (B, embedding_dim) and call() maps a pair of (B, F) to (B, 1)"
    model = build(model_class(submission), embedding_dim=embedding_dim)
    a, b = pair(batch, n_features)
    what = f"SiameseNet(embedding_dim={embedding_dim}) on a pair of ({batch}, {n_features}) inputs"
    expect_shape(run(model, (a, b)), (batch, 1), f"the output of {what}")
    expect_shape(embed(model, a), (batch, embedding_dim), f"embed(x) of {what}")


@check(points=2, concept="shared layers")
def test_is_symmetric(submission):
    "Swapping the two inputs gives the same output: f(a, b) == f(b, a)"
    model = build(model_class(submission), embedding_dim=8)
    a, b = pair(8, 5, seed=np.random.randint(1000))
    first = run(model, (a, b))
    expect_close(run(model, (a, b)), first, "Calling the model twice on the same pair gave "
                 "different outputs", hint=NEW_WEIGHTS_HINT)
    expect_close(run(model, (b, a)), first,
                 "Swapping the two inputs changed the output",
                 hint="A siamese network treats its two inputs alike: embed both with the same "
                      "encoder and compare them with a symmetric distance, "
                      "`abs(embed(a) - embed(b))`, not `embed(a) - embed(b)` nor a concatenation.")


@check(points=2, concept="shared layers")
def test_one_encoder_for_both_inputs(submission):
    "The model's weights are those of one encoder and the head: the encoder is shared, not copied"
    model = build(model_class(submission), embedding_dim=8)
    run(model, pair(4, 5))
    encoder = expect_layer(model, "encoder", keras.layers.Layer, when="after a call")
    head = expect_layer(model, "head", Dense, when="after a call")
    if not encoder.trainable_weights:
        fail("Shared layers: after a call, `self.encoder` still has no weights, so call() never "
             "used it. Embed both inputs with it: `self.embed(a)` and `self.embed(b)`, where "
             "`embed(x)` returns `self.encoder(x)`.")
    shared = ids(encoder.trainable_weights) | ids(head.trainable_weights)
    extra = [w for w in model.trainable_weights if id(w) not in shared]
    if extra:
        names = ", ".join(f"{w.path} {tuple(w.shape)}" for w in extra[:4])
        fail(f"Shared layers: the model should own the weights of one encoder and the head, but "
             f"it has {len(extra)} more: {names}. A shared layer is one object called twice; "
             "a second encoder (or any layer created for the second input) has weights of its "
             "own. Call `self.encoder` on both inputs.")


@check(points=1, concept="shared layers", hidden=True)
def test_output_is_head_of_distance(submission):
    "embed(x) is encoder(x), and the output is head(|embed(a) - embed(b)|), from the model's own weights"
    model = build(model_class(submission), embedding_dim=4)
    a, b = pair(5, 3, seed=np.random.randint(1000))
    out = run(model, (a, b))
    encoder = expect_layer(model, "encoder", keras.layers.Layer, when="after a call")
    head = expect_layer(model, "head", Dense, when="after a call")
    with doing("calling your `self.encoder` on an input"):
        encoded = to_numpy(encoder(a))
    expect_close(embed(model, a), encoded, "embed(x) differs from self.encoder(x)",
                 hint="embed() should return `self.encoder(x)`: the one shared encoder.")
    distance = np.abs(embed(model, a) - embed(model, b))
    with doing("reading the weights of your `self.head`"):
        kernel = np.array(head.kernel)
    if kernel.shape[0] != distance.shape[-1]:
        fail(f"self.head takes {kernel.shape[0]} numbers per example, but "
             f"|embed(a) - embed(b)| has {distance.shape[-1]} (embedding_dim=4): the head "
             "should receive the absolute difference of the two embeddings, "
             "`self.head(tf.abs(self.embed(a) - self.embed(b)))`, not the raw inputs nor "
             "the two embeddings side by side.")
    bias = 0.0 if getattr(head, "bias", None) is None else np.array(head.bias)
    want = 1 / (1 + np.exp(-(distance @ kernel + bias)))
    expect_close(out, want, "The output is not head(|embed(a) - embed(b)|)",
                 hint="call() should embed both inputs, take the absolute difference "
                      "of the embeddings, and pass it to self.head: "
                      "`self.head(tf.abs(self.embed(a) - self.embed(b)))`.")


def same_or_not(n, seed=0):
    """n pairs of points from 4 separable classes, half of the same class (label 1)."""
    x, y = blobs(4 * n, 6, 4, seed=seed)
    rng = np.random.default_rng(seed + 1)
    by_class = [np.flatnonzero(y == c) for c in range(4)]
    first = rng.integers(0, len(x), n)
    same = (np.arange(n) % 2 == 0)
    second = np.empty(n, dtype=int)
    for k, (i, s) in enumerate(zip(first, same)):
        c = y[i] if s else (y[i] + rng.integers(1, 4)) % 4
        second[k] = rng.choice(by_class[c])
    return (x[first], x[second]), same.astype("float32").reshape(-1, 1)


@check(points=2, concept="training")
def test_learns_same_class_or_not(submission):
    "The model learns whether two points come from the same class (accuracy >= 0.85)"
    (a, b), same = same_or_not(256, seed=0)
    model = build(model_class(submission), embedding_dim=8)
    train(model, (a, b), same, loss="binary_crossentropy", epochs=8, batch_size=64,
          learning_rate=0.05)
    prob = run(model, (a, b), "measuring the accuracy of your trained model")
    acc = float(np.mean((np.asarray(prob).reshape(-1) > 0.5) == (same.reshape(-1) > 0.5)))
    if acc < 0.85:
        fail(f"Training: after 8 epochs the accuracy on \"same class or not\" pairs is {acc:.2f}, "
             "below 0.85 on an easy task. Check that both inputs go through the same encoder, "
             "that call() compares them with `abs(embed(a) - embed(b))`, and that the head is "
             "`Dense(1, activation=\"sigmoid\")`.")
