"""Grader for ex05_shared_layers: SiameseNet, one encoder used on both inputs.

Written for the judge (``JUDGED``): every check runs outside the learner's process and asks
it, through ``submission``, to build, call, describe and train; inputs and weights are the
judge's own draws.

``self.encoder`` may be one layer or a ``Sequential``. Where it is made of Dense layers
(and weightless layers such as ``Dropout``), each of them is believed once, given weights the
judge drew, it computes what a Dense layer computes, and the judge then computes the
encoder itself: the model's output must be ``head(|E(a) - E(b)|)`` for that ``E``, which a
second encoder (weights the judge did not set) cannot give. Another kind of encoder is
given judge weights as a whole and rebuilt by the judge (``replica``). Every output graded is
first the judge's own computation (``FOLLOW``: ``siamese_output``).
"""
import ast

import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.grading import draw, replica
from kerasgrade.grading.expect import (Forward, activation, build, close, dense_activation, doing, drawn_weights,
                                       expect_activation, expect_close, expect_layer, expect_shape, expect_tracked,
                                       expect_varies, fail, get_class, run, teaching, tracked_layers, train,
                                       verify_dense)
from kerasgrade.grading.opening import opening_checks

JUDGED = True
CLASS = "SiameseNet"
NEW_WEIGHTS_HINT = ("Create the encoder and the head in __init__, not in call() or embed(): a "
                    "layer created there gets new random weights every time.")
# Layers an encoder may hold that compute nothing at inference (the judge skips them).
IDENTITY_AT_INFERENCE = ("Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D",
                         "Identity", "ActivityRegularization")


# -- the forward pass, as the judge computes it -----------------------------------------------------

# How call() may compare two embeddings: the contract's |e(a) - e(b)| first, then a learner's
# mistakes, which the judge computes too (so that they keep the points their other facts earn).
DISTANCES = (lambda u, v: np.abs(u - v), lambda u, v: u - v, lambda u, v: v - u, lambda u, v: np.square(u - v),
             lambda u, v: np.concatenate([u, v], -1), lambda u, v: np.concatenate([v, u], -1))


def replica_encoders(model) -> list[list]:
    """The encoders the judge may compute an input's embedding with, rebuilt from the layers
    the model holds now: ``self.encoder`` (its layers, if it is a ``Sequential`` or a learner's
    own layer, in each order ``replica.orders`` tries), no encoder at all (a learner comparing
    the raw inputs), and each other Dense layer the model tracks (a learner's second encoder)."""
    encoder, ids = replica_encoder(model)
    with doing("reading `self.head`"):
        ids.add(model.describe("head", layers=False).get("id") if model.has("head") else None)
    others = [layer for layer_id, layer in replica.rebuilt(model, [
        (p, i) for p, i in replica.layers_of(model) if i.get("id") not in ids and i.get("builtin") == "Dense"]) or []]
    return (replica.orders(encoder) if encoder else []) + [[]] + [[layer] for layer in others]


def replica_encoder(model) -> tuple[list | None, set]:
    """``self.encoder`` rebuilt by the judge with the weights it holds now (its layers, if it
    is a ``Sequential`` or a learner's own layer holding them; None if it cannot be), and the
    ids of the layers it is made of."""
    with doing("reading `self.encoder`"):
        info = model.describe("encoder", layers=False) if model.has("encoder") else {}
    found = replica.layers_of(model, "encoder") if info.get("builtin") in (*replica.CONTAINERS, "Layer") or \
        info.get("is_model") is True else [("encoder", info)] if info else []
    found = found or ([("encoder", info)] if info else [])
    encoder = replica.rebuilt(model, found, skip=IDENTITY_AT_INFERENCE) if found else None
    ids = {i.get("id") for _, i in found} | {info.get("id")}
    return (None if encoder is None else [layer for _, layer in encoder]), ids


def siamese_output(model, x, got, **_) -> np.ndarray | None:
    """``head(|E(a) - E(b)|)`` as the judge computes it: ``self.head`` and the encoder
    rebuilt from the weights they hold now (``replica_encoders``; a relu after each layer or
    not, a BatchNormalization's variants), the two inputs embedded alike, then what call()
    may apply last. None if no such computation is the model's output ``got``, whatever the
    child described: its layers are never believed."""
    if not isinstance(got, np.ndarray) or not isinstance(x, (tuple, list)) or len(x) != 2:
        return None
    with doing("reading `self.head`"):
        head_info = model.describe("head", layers=False) if model.has("head") else None
    head = replica.rebuilt(model, [("head", head_info)]) if head_info else None
    if head is None:
        return None
    head = head[0][1]
    a, b = (replica.as_input(v) for v in x)
    encoders, budget = replica_encoders(model), replica.Budget()
    with np.errstate(all="ignore"):
        for first in encoders:
            for second in [first] + [e for e in encoders if e is not first]:
                try:
                    for ea, eb in embeddings(first, second, a, b, budget):
                        for distance in DISTANCES:
                            d = distance(ea, eb).astype("float32")
                            if d.shape[-1] != head.kernel.shape[0]:
                                continue
                            if not budget.spend():
                                return None
                            want = replica.finished(got, replica.forward([head], d))
                            if want is not None:
                                return want
                except Exception:  # noqa: BLE001 - layers that do not chain this way: not this encoder
                    continue
    return None


def embeddings(first: list, second: list, a, b, budget):
    """``(E(a), E'(b))``: the inputs through the two encoders, each way ``replica.through``
    computes one (one encoder: the same way for both, as one batch)."""
    if first is second:
        for e in replica.through(first, np.concatenate([a, b]), budget, relu_last=bool(first)):
            yield e[:len(a)], e[len(a):]
        return
    for ea in replica.through(first, a, budget, relu_last=bool(first)):
        for eb in replica.through(second, b, budget, relu_last=bool(second)):
            yield ea, eb


FOLLOW = {CLASS: Forward(siamese_output, "head(|encoder(a) - encoder(b)|), from the layers it holds")}


def model_class(submission):
    return get_class(submission, CLASS)


def pair(batch, size):
    """The model's input: a pair (a, b) of float32 arrays of shape (batch, size) the judge drew."""
    return draw.features(batch, size), draw.features(batch, size)


# -- the learner who creates the encoder in embed() ------------------------------------------------

def layer_created_in(source, method: str) -> tuple[int, str] | None:
    """(line, text) of the first Keras layer that ``SiameseNet.<method>`` creates, read from the
    source by the judge: ``Dense(...)``, ``tf.keras.layers.Dense(...)``, ``keras.Sequential(...)``."""
    node = source.method(CLASS, method)
    if node is None:
        return None
    for call in sorted((n for n in ast.walk(node) if isinstance(n, ast.Call)), key=lambda n: n.lineno):
        path = source.dotted(call.func)
        if path.startswith("keras.layers.") or path in ("keras.Sequential", "keras.models.Sequential"):
            return call.lineno, path
    return None


def layer_in_methods(submission) -> str:
    """The lesson for a class whose ``embed()`` (or ``call()``) creates a layer; "" if none does."""
    for method in ("embed", "call"):
        found = layer_created_in(submission.source, method)
        if found is not None:
            line, what = found
            return (f"Shared layers: `{method}()` creates a layer (`{what}(...)`, line {line} of your file). "
                    f"`{method}()` runs on every call, for each input, so every run makes a new encoder "
                    "with new random weights: the two inputs are not embedded by one shared encoder, "
                    "and training cannot change the weights it uses. Create the encoder once in "
                    "`__init__` (`self.encoder = keras.layers.Dense(embedding_dim, ...)`, or a "
                    "`keras.Sequential`), and let `embed(x)` return `self.encoder(x)`.")
    return ""


teaches_layers_in_methods = teaching(layer_in_methods)


globals().update({name: teaches_layers_in_methods(fn) for name, fn in opening_checks(
    CLASS, inputs=lambda: pair(4, 5), output_shape=(4, 1), persistent=("encoder", "head"),
    args={"embedding_dim": 6}).items()})


# -- the encoder, as the judge computes it ---------------------------------------------------------

def embed(model, x):
    """``model.embed(x)`` as numpy, with learner errors explained."""
    with doing(f"calling your model's `embed()` on an input of shape {x.shape}"):
        out = model.method("embed", x)
    if not isinstance(out, np.ndarray):
        fail("embed(x) should return a tensor (the embeddings of x), but it returned something else.")
    return out


def encoder_info(model) -> dict:
    """``self.encoder``, which must be a Keras layer (one layer or a Sequential)."""
    with doing("reading `self.encoder`"):
        present = model.has("encoder")
        info = model.describe("encoder", layers=False) if present else {}
    if not present:
        fail("Binding through self: `SiameseNet` has no attribute `self.encoder`. Create the encoder "
             "once in `__init__` and bind it: `self.encoder = keras.layers.Dense(embedding_dim, "
             "activation=\"relu\")`, or a `keras.Sequential([...])` whose last layer has `embedding_dim` "
             "units.")
    if info.get("is_layer") is not True:
        fail(f"Binding through self: `self.encoder` should be a Keras layer (a `Dense`, or a "
             f"`keras.Sequential` of layers), but it is a {info.get('class') or 'something else'}.")
    return info


def judge_encoder(model):
    """Set judge weights on ``self.encoder``; the encoder as a function the judge computes
    (Dense layers, each verified, in order; other built-in layers rebuilt by the judge), or
    None if it holds layers the judge cannot rebuild."""
    info = encoder_info(model)
    layers = [("encoder", info)] if info.get("builtin") == "Dense" else \
        [(p, i) for p, i in tracked_layers(model, "encoder", depth=1)] if info.get("builtin") == "Sequential" else None
    steps = []
    for path, layer in layers or []:
        if layer.get("builtin") == "Dense":
            found = dense_activation(model, path, layer)
            if found is None:
                fail(f"`self.encoder` holds a Dense layer (`self.{path}`) that, given weights the grader set "
                     "and called on its own, does not compute activation(x @ kernel + bias). Use plain "
                     "`keras.layers.Dense` layers.")
            steps.append(found)
        elif layer.get("builtin") in IDENTITY_AT_INFERENCE and not layer.get("weights"):
            continue
        else:
            layers = None
            break
    if not layers or not steps:
        with doing("setting the weights of `self.encoder`"):
            shapes = [tuple(np.shape(w)) for w in model.get_weights(path="encoder")]
            if not shapes or sum(int(np.prod(s)) for s in shapes) > 1_000_000:
                fail(f"`self.encoder` should own the encoder's weights after a call, but it has weights "
                     f"of shapes {shapes[:6]}: embed both inputs with it.")
            model.set_weights(drawn_weights(model, shapes, path="encoder"), path="encoder")
        layers, _ = replica_encoder(model)
        return None if layers is None else replica_encode(model, layers)

    def encode(x):
        h = np.asarray(x, dtype="float64")
        for act, w in steps:
            h = activation(act, h @ w[0] + (w[1] if len(w) == 2 else 0.0))
        return h
    return encode


def replica_encode(model, layers: list):
    """The encoder rebuilt by the judge (``layers``) as a function of ``x``: of the ways the
    judge computes it (its layers in an order ``replica.orders`` tries, a relu after each or
    not: a learner's own layer may apply `tf.nn.relu` in its call()), the one the child's
    encoder gives on ``x``, else the plain chain. Always the judge's computation: the child's
    answer only picks which."""
    def encode(x):
        x = replica.as_input(x)
        with doing("calling `self.encoder` on its own"):
            said = model.call_path("encoder", x)
        budget = replica.Budget()
        with np.errstate(all="ignore"):
            for order in replica.orders(layers):
                try:
                    for e in replica.through(order, x, budget, relu_last=True):
                        if close(said, e):
                            return e
                except Exception:  # noqa: BLE001 - layers that do not chain in this order
                    continue
        return replica.forward(layers, x).astype("float64")
    return encode


def encodings(model, encode, x):
    """E(x), the judge's computation (``judge_encoder``); an encoder it cannot compute fails."""
    if encode is None:
        fail("`self.encoder` holds layers the grader cannot rebuild to compute your embeddings "
             "itself: make it a built-in layer (`keras.layers.Dense(embedding_dim, ...)`) or a "
             "`keras.Sequential` of built-in layers (Dense, BatchNormalization, Dropout...).")
    return encode(x)


def judge_head(model, in_dim: int):
    """Set judge weights on ``self.head``; they are returned. Its kernel must take ``in_dim`` numbers."""
    with doing("reading `self.head`"):
        info = model.describe("head", layers=False)
    shapes = [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]
    if len(shapes) != 2 or shapes[1] != (1,) or len(shapes[0]) != 2:
        fail(f"`self.head` should be `Dense(1, activation=\"sigmoid\")` with a kernel and a bias, but its "
             f"weights have shapes {shapes}.")
    if shapes[0][0] != in_dim:
        fail(f"`self.head` takes {shapes[0][0]} numbers per example, but |embed(a) - embed(b)| has {in_dim}: "
             "the head should receive the absolute difference of the two embeddings, "
             "`self.head(tf.abs(self.embed(a) - self.embed(b)))`, not the raw inputs nor "
             "the two embeddings side by side.")
    w = draw.weights_like(shapes)
    with doing("setting the weights of `self.head`"):
        model.set_weights(w, path="head")
    return w


# -- the checks ------------------------------------------------------------------------------------

@check(points=2, concept="binding through self")
@teaches_layers_in_methods
def test_binds_encoder_and_head(submission):
    "self.encoder is a layer (or a Sequential) and self.head a Dense(1, sigmoid), both tracked by Keras"
    model = build(model_class(submission), embedding_dim=6)
    run(model, pair(4, 5))  # a model the judge follows: what it says of its layers is otherwise its word
    encoder = encoder_info(model)
    head = expect_layer(model, "head", "Dense", units=1)
    expect_activation(model, "head", "sigmoid")
    expect_tracked(model, {"encoder": encoder, "head": head}, exactly=False)
    verify_dense(model, "head", "sigmoid", in_dim=6)


@check(points=2, concept="call() and output shapes")
@teaches_layers_in_methods
@given(batch=st.integers(1, 6), n_features=st.integers(1, 5), embedding_dim=st.integers(1, 8))
def test_output_shapes(submission, batch, n_features, embedding_dim):
    "embed() maps (B, F) to (B, embedding_dim) and call() maps a pair of (B, F) to (B, 1)"
    model = build(model_class(submission), embedding_dim=embedding_dim)
    a, b = pair(batch, n_features)
    what = f"SiameseNet(embedding_dim={embedding_dim}) on a pair of ({batch}, {n_features}) inputs"
    out = run(model, (a, b))
    expect_shape(out, (batch, 1), f"the output of {what}")
    if not np.all((out >= 0) & (out <= 1)):
        fail(f"The output of {what} should be a probability (between 0 and 1), but it holds "
             f"{float(np.min(out)):.3g} to {float(np.max(out)):.3g}: the head is "
             "`Dense(1, activation=\"sigmoid\")`.")
    expect_shape(embed(model, a), (batch, embedding_dim), f"embed(x) of {what}")


@check(points=2, concept="shared layers")
@teaches_layers_in_methods
def test_is_symmetric(submission):
    "Swapping the two inputs gives the same output: f(a, b) == f(b, a), with weights the grader set"
    model = build(model_class(submission), embedding_dim=8)
    a, b = pair(8, 5)
    run(model, (a, b))
    with doing("setting your model's weights"):
        shapes = [tuple(np.shape(w)) for w in model.get_weights()]
        model.set_weights(drawn_weights(model, shapes))
    first = run(model, (a, b))
    expect_shape(first, (8, 1), "the output of SiameseNet(embedding_dim=8) on a pair of (8, 5) inputs")
    expect_varies(first)
    expect_close(run(model, (a, b)), first, "Calling the model twice on the same pair gave "
                 "different outputs", hint=NEW_WEIGHTS_HINT)
    expect_close(run(model, (b, a)), first,
                 "Swapping the two inputs changed the output",
                 hint="A siamese network treats its two inputs alike: embed both with the same "
                      "encoder and compare them with a symmetric distance, "
                      "`abs(embed(a) - embed(b))`, not `embed(a) - embed(b)` nor a concatenation.")


@check(points=2, concept="shared layers")
@teaches_layers_in_methods
def test_one_encoder_for_both_inputs(submission):
    "Both inputs go through self.encoder: the output is head(|E(a) - E(b)|) with the weights the grader gave it"
    model = build(model_class(submission), embedding_dim=4)
    a, b = pair(6, 3)
    run(model, (a, b))
    encode = judge_encoder(model)
    distance = np.abs(encodings(model, encode, a) - encodings(model, encode, b))
    w = judge_head(model, distance.shape[-1])
    want = activation("sigmoid", distance @ w[0] + w[1])
    got = run(model, (a, b))
    expect_shape(got, want.shape, "the output of SiameseNet(embedding_dim=4) on a pair of (6, 3) inputs")
    if np.allclose(got, want, atol=1e-4, rtol=1e-4):
        return
    with doing("reading the weights Keras tracks"):
        owned = set(model.describe().get("trainable", []))
        shared = set(model.describe("encoder").get("trainable", [])) | set(model.describe("head").get("trainable", []))
    extra = owned - shared
    if extra:
        fail(f"Shared layers: with the weights the grader gave `self.encoder` and `self.head`, the output is "
             f"not head(|encoder(a) - encoder(b)|), and the model owns {len(extra)} weight(s) besides theirs. "
             "A shared layer is one object called twice; a second encoder (or any layer created for the "
             "second input) has weights of its own. Call `self.encoder` (through `self.embed`) on both inputs.")
    fail("Shared layers: with the weights the grader gave `self.encoder` and `self.head`, the output is not "
         "head(|encoder(a) - encoder(b)|). call() should embed both inputs with the one encoder, take the "
         "absolute difference of the embeddings and pass it to the head: "
         "`self.head(tf.abs(self.embed(a) - self.embed(b)))`.")


@check(points=1, concept="shared layers", hidden=True)
@teaches_layers_in_methods
def test_embed_is_the_encoder(submission):
    "embed(x) is self.encoder(x), with the weights the grader gave the encoder"
    model = build(model_class(submission), embedding_dim=5)
    a, _ = pair(5, 3)
    run(model, pair(5, 3))
    encode = judge_encoder(model)
    expect_close(embed(model, a), encodings(model, encode, a), "embed(x) differs from self.encoder(x)",
                 hint="embed() should return `self.encoder(x)`: the one shared encoder, created in __init__.")


def same_or_not(x, y, n, classes):
    """n pairs of rows of ``x``, half of them of the same class (target 1), drawn by the judge."""
    g = draw.rng()
    by_class = [np.flatnonzero(y == c) for c in range(classes)]
    first = g.integers(0, len(x), n)
    same = np.arange(n) % 2 == 0
    second = np.array([g.choice(by_class[y[i] if s else (y[i] + g.integers(1, classes)) % classes])
                       for i, s in zip(first, same)])
    return (x[first], x[second]), same.astype("float32").reshape(-1, 1)


@check(points=2, concept="training")
@teaches_layers_in_methods
def test_learns_same_class_or_not(submission):
    "The model learns whether two points come from the same class (accuracy >= 0.85 on new points)"
    x, y = draw.blobs(512, 6, 4)
    fit_rows, held_out = draw.split(len(y))
    (a, b), same = same_or_not(x[fit_rows], y[fit_rows], 256, 4)
    (test_a, test_b), test_same = same_or_not(x[held_out], y[held_out], 128, 4)
    model = build(model_class(submission), embedding_dim=8)
    train(model, (a, b), same, loss="binary_crossentropy", epochs=8, batch_size=64, learning_rate=0.05)
    prob = run(model, (test_a, test_b), "measuring the accuracy of your trained model")
    if prob.shape != test_same.shape:
        fail(f"Training: the trained model's output on {len(test_same)} pairs has shape {prob.shape}.")
    acc = float(np.mean((prob > 0.5) == (test_same > 0.5)))
    if acc < 0.85:
        fail(f"Training: after 8 epochs the accuracy on \"same class or not\" pairs of new points is "
             f"{acc:.2f}, below 0.85 on an easy task. Check that both inputs go through the same encoder, "
             "that call() compares them with `abs(embed(a) - embed(b))`, and that the head is "
             "`Dense(1, activation=\"sigmoid\")`.")
