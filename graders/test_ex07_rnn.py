"""Grader for ex07_rnn: TextClassifier, embeddings and recurrence in a subclassed model.

Written for the judge (``JUDGED``): every check runs outside the learner's process; the ids,
the weights and the training data are the judge's own draws. The embedding and the recurrent
layer are believed once they compute, with weights the judge set, what the judge's own
``Embedding`` lookup and its own Keras ``LSTM``/``GRU`` (built with the settings the layer
describes) compute on the same inputs.
"""
import numpy as np
from hypothesis import example, given, strategies as st

from kerasgrade.checks import check, grading_settings
from kerasgrade.grading import draw
from kerasgrade.grading.draw import split, weights_like
from kerasgrade.grading.expect import (Forward, accuracy, build, clean, doing, drawn_weights, expect_activation, expect_layer,
                                       expect_shape, expect_softmax, expect_tracked, expect_varies, fail,
                                       get_class, run, train, verify_dense)
from kerasgrade.grading.opening import opening_checks
from kerasgrade.grading.replica import followed

JUDGED = True
CLASS = "TextClassifier"
# The recurrent layers the exercise accepts, by the Keras class a layer (or its cell) claims.
CORES = {"LSTM": "LSTM", "GRU": "GRU", "LSTMCell": "LSTM", "GRUCell": "GRU"}
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "elu", "selu", "gelu", "silu", "swish",
               "softsign", "hard_sigmoid", "hard_silu")
MERGE_MODES = ("concat", "sum", "mul", "ave")


def model_class(submission):
    return get_class(submission, CLASS)


def forward(model, x, got, **_):
    """self.embedding (its mask too), self.rnn, then the layers a learner added in Keras's order,
    then self.classifier: rebuilt and computed by the judge with the weights the layers hold now
    (or the model's own layers in Keras's order: ``followed``)."""
    return followed(model, x, got, first=("embedding", "rnn"), last=("classifier",))


# Every output a check reads is first the judge's own computation (``run``).
FOLLOW = {CLASS: Forward(forward, "classifier(rnn(embedding(ids))), its layers applied in order")}


def ids(batch: int, length: int, vocab_size: int, low: int = 0) -> np.ndarray:
    """The judge's ids in [low, vocab_size), the largest id vocab_size - 1 always among them."""
    x = draw.rng().integers(low, vocab_size, size=(batch, length))
    x[0, 0] = vocab_size - 1
    return x.astype("int32")


def run_ids(model, x: np.ndarray, made: str):
    """Call the model on ids, with a description that says what the ids need."""
    return run(model, x, f"calling {made} on ids of shape {x.shape}, up to {int(x.max())} (every id "
                         "below vocab_size needs a row of the embedding table: "
                         "`Embedding(vocab_size, embedding_dim)`, in this order)")


def a_before_b(n: int, length: int, vocab_size: int):
    """Each sequence holds token 1 and token 2 once, among fillers 3..vocab_size-1.

    The label is 1 when token 1 comes before token 2. Every sequence of one class has a
    mirror image in the other with the same tokens, so a model blind to order cannot beat
    chance: it has to read the sequence in order.
    """
    g = draw.rng()
    x = g.integers(3, vocab_size, size=(n, length))
    y = np.arange(n) % 2
    for i in range(n):
        first, second = sorted(g.choice(length, 2, replace=False))
        x[i, first], x[i, second] = (1, 2) if y[i] == 1 else (2, 1)
    perm = g.permutation(n)
    return x[perm].astype("int32"), y[perm].astype("int32")


globals().update(opening_checks(CLASS, inputs=lambda: ids(4, 5, 100), output_shape=(4, 2),
                               persistent=("embedding", "rnn", "classifier")))


# -- the embedding, verified by lookups -----------------------------------------------------------

def verify_embedding(model, vocab_size: int, embedding_dim: int) -> None:
    """``self.embedding`` is an ``Embedding(vocab_size, embedding_dim)``: with a table the judge
    set, it maps each of the judge's ids to that id's row."""
    info = expect_layer(model, "embedding", "Embedding")
    settings_ = info.get("settings") if isinstance(info.get("settings"), dict) else {}
    got = (settings_.get("input_dim"), settings_.get("output_dim"))
    want = (vocab_size, embedding_dim)
    if got != want:
        swapped = " The two arguments are swapped." if got == want[::-1] else ""
        fail(f"`self.embedding` is Embedding({clean(repr(got[0]))}, {clean(repr(got[1]))}) for "
             f"TextClassifier(vocab_size={vocab_size}, embedding_dim={embedding_dim}): it should be "
             f"Embedding({vocab_size}, {embedding_dim}).{swapped} The first argument is how many ids "
             "there are (vocab_size: one row of the table per id), the second the size of each id's "
             "vector (embedding_dim). Use the constructor arguments, in this order.")
    x = ids(4, 6, vocab_size)
    with doing("calling `self.embedding` on its own"):
        if not info.get("weights"):
            model.call_path("embedding", x[:1])
            info = model.describe("embedding", layers=False)
    shapes = [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]
    if shapes != [want]:
        fail(f"`self.embedding` should own one table of shape {want} (one row of embedding_dim "
             f"numbers per id), but it has weights of shapes {shapes}.")
    table = weights_like([want])
    with doing("setting the table of `self.embedding` and calling it"):
        model.set_weights(table, path="embedding")
        out = model.call_path("embedding", x)
    if not isinstance(out, np.ndarray) or out.shape != x.shape + (embedding_dim,) or \
            not np.allclose(out, table[0][x], atol=1e-5):
        fail("`self.embedding` does not compute what an Embedding computes: given a table, called "
             "on ids, it should return each id's row of the table. Use a plain "
             "`keras.layers.Embedding(vocab_size, embedding_dim)` for it.")


# -- the recurrent layer, verified against the judge's own ----------------------------------------

def _settings(model, path: str) -> tuple[dict, dict]:
    info = model.describe(path, layers=False)
    return info, info.get("settings") if isinstance(info.get("settings"), dict) else {}


def recurrent_claim(model) -> dict:
    """What ``self.rnn`` says it is: its core (LSTM or GRU), its wrapper, its settings.

    Only a claim: ``verify_recurrent`` believes it once the layer computes what the judge's own
    layer of that description computes.
    """
    with doing("reading `self.rnn`"):
        if not model.has("rnn"):
            fail("Binding through self: after construction, `TextClassifier` has no attribute "
                 "`self.rnn`. Create the recurrent layer in `__init__` and bind it: "
                 "`self.rnn = keras.layers.LSTM(rnn_units)` (or `GRU`), so Keras tracks it and it "
                 "keeps its weights between calls.")
        info, outer = _settings(model, "rnn")
        claim = {"info": info, "wrapper": "", "merge_mode": None, "path": "rnn"}
        kind = info.get("builtin")
        if kind == "Bidirectional":
            claim.update(wrapper="Bidirectional", merge_mode=outer.get("merge_mode"), path="rnn.forward_layer")
            core_info, inner = _settings(model, claim["path"]) if model.has(claim["path"]) else ({}, {})
            kind = core_info.get("builtin")
        else:
            inner = outer
        core_settings = dict(inner)
        if kind == "RNN" and model.has(claim["path"] + ".cell"):  # RNN(LSTMCell(...)) and the like
            cell_info, cell = _settings(model, claim["path"] + ".cell")
            kind = cell_info.get("builtin")
            core_settings = {**cell, "return_sequences": inner.get("return_sequences"),
                             "go_backwards": inner.get("go_backwards")}
    if kind in ("SimpleRNN", "SimpleRNNCell"):
        fail("`self.rnn` is a SimpleRNN. The exercise asks for an `LSTM` or a `GRU`: their gates let "
             "the state keep information over many time steps, where a SimpleRNN's gradient vanishes. "
             "Write `self.rnn = keras.layers.LSTM(rnn_units)` (or `GRU`).")
    if kind not in CORES:
        named = clean(info.get("class")) or "something else"
        hint = (" Pooling averages the sequence and forgets the order of the tokens, which is exactly "
                "what a recurrent layer keeps." if "Pooling" in named else "")
        fail(f"`self.rnn` should be a recurrent layer, `keras.layers.LSTM` or `keras.layers.GRU` "
             f"(optionally inside `Bidirectional`), but it is a {named}.{hint}")
    claim.update(core=CORES[kind], settings=core_settings)
    return claim


def _reference(claim: dict, units: int, reset_after: bool):
    """The judge's own Keras layer of the claimed description (trusted code, judge's data)."""
    import keras

    s = claim["settings"]
    options = {"go_backwards": s.get("go_backwards") is True, "use_bias": s.get("use_bias") is not False}
    if s.get("activation") in ACTIVATIONS:
        options["activation"] = s["activation"]
    if claim["core"] == "GRU":
        core = keras.layers.GRU(units, reset_after=reset_after, **options)
    else:
        core = keras.layers.LSTM(units, **options)
    if claim["wrapper"]:
        return keras.layers.Bidirectional(core, merge_mode=claim["merge_mode"])
    return core


def verify_recurrent(model, rnn_units: int, embedding_dim: int) -> dict:
    """``self.rnn`` is an LSTM or GRU of ``rnn_units`` (maybe ``Bidirectional``) returning the
    last output only: with weights the judge drew it computes, on the judge's sequences, what
    the judge's own layer of that description computes with the same weights."""
    claim = recurrent_claim(model)
    s = claim["settings"]
    name = f"{claim['core']}(rnn_units)" if not claim["wrapper"] else f"Bidirectional({claim['core']}(rnn_units))"
    if s.get("units") != rnn_units:
        fail(f"`self.rnn` has units={clean(repr(s.get('units')))} for rnn_units={rnn_units}: write "
             f"`{claim['core']}(rnn_units)`, not a fixed number.")
    if s.get("return_sequences") is True:
        fail("`self.rnn` has return_sequences=True: it returns one output per time step, (batch, time, "
             "units), so the classifier would classify every step. The classifier needs one summary per "
             "sequence, the last output: leave return_sequences=False (the default).")
    if claim["wrapper"] and claim["merge_mode"] not in MERGE_MODES:
        fail(f"`self.rnn` is a Bidirectional layer with merge_mode={clean(repr(claim['merge_mode']))}: "
             "it should merge its two directions into one tensor (the default, merge_mode=\"concat\").")
    x = draw.features(3 * 5, embedding_dim).reshape(3, 5, embedding_dim)
    with doing("calling `self.rnn` on its own"):
        info = model.describe("rnn", layers=False)
        if not info.get("weights"):
            model.call_path("rnn", x[:1])
            info = model.describe("rnn", layers=False)
    shapes = [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]
    reference = None
    for reset_after in ((True, False) if claim["core"] == "GRU" else (True,)):
        candidate = _reference(claim, rnn_units, reset_after)
        candidate(x)
        if [tuple(w.shape) for w in candidate.get_weights()] == shapes:
            reference = candidate
            break
    if reference is None:
        fail(f"`self.rnn` has weights of shapes {shapes[:8]}, but a {name} with rnn_units={rnn_units} on "
             f"{embedding_dim} features per step has {[tuple(w.shape) for w in candidate.get_weights()]}. "
             f"Use a plain `keras.layers.{claim['core']}(rnn_units)` on the embedded ids.")
    weights = weights_like([w.shape for w in reference.get_weights()])
    reference.set_weights(weights)
    want = np.asarray(reference(x), dtype="float64")
    with doing("setting the weights of `self.rnn` and calling it"):
        model.set_weights(weights, path="rnn")
        out = model.call_path("rnn", x)
    if isinstance(out, np.ndarray) and out.ndim == 3:
        fail("`self.rnn` returns one output per time step, (batch, time, units): the classifier needs "
             "one summary per sequence, the last output. Leave return_sequences=False (the default).")
    if not isinstance(out, np.ndarray) or out.shape != want.shape or not np.allclose(out, want, atol=1e-4):
        shown = ", ".join(f"{k}={clean(repr(v))}" for k, v in s.items() if k in ("activation", "use_bias", "go_backwards"))
        fail(f"`self.rnn` does not compute what a {name} computes ({shown}): given the same weights, "
             "called on the same sequences, its output differs. Use a plain "
             f"`keras.layers.{claim['core']}(rnn_units)` and keep its gates as Keras defines them.")
    return claim


# -- binding through self --------------------------------------------------------------------------

@check(points=2, concept="binding through self")
def test_binds_the_layers(submission):
    "self.embedding, self.rnn (LSTM or GRU) and self.classifier, of the right kinds and sizes"
    model = build(model_class(submission), vocab_size=37, embedding_dim=5, rnn_units=7, num_classes=3)
    verify_embedding(model, 37, 5)
    claim = verify_recurrent(model, 7, 5)
    classifier = expect_layer(model, "classifier", "Dense", units=3)
    expect_activation(model, "classifier", "softmax")
    with doing("reading the layers bound on `self`"):
        embedding, rnn = model.describe("embedding", layers=False), model.describe("rnn", layers=False)
    expect_tracked(model, {"embedding": embedding, "rnn": rnn, "classifier": classifier}, exactly=False)
    width = 7 * 2 if claim["wrapper"] and claim["merge_mode"] == "concat" else 7
    verify_dense(model, "classifier", "softmax", in_dim=width)


# -- output shapes ---------------------------------------------------------------------------------

@check(points=2, concept="call() and output shapes")
@grading_settings(max_examples=3)  # an RNN model's first call traces its loop (~0.2 s): fewer, richer examples
@given(vocab_size=st.integers(2, 40), embedding_dim=st.integers(1, 6), rnn_units=st.integers(1, 6),
       num_classes=st.integers(2, 4), batch=st.integers(1, 3), length=st.integers(1, 5))  # 2+: a 1-class softmax ignores the weights
@example(vocab_size=150, embedding_dim=3, rnn_units=2, num_classes=2, batch=2, length=3)
def test_output_shape(submission, vocab_size, embedding_dim, rnn_units, num_classes, batch, length):
    "call() maps ids (batch, time) to (batch, num_classes) for any sizes, and any id below vocab_size"
    model = build(model_class(submission), vocab_size=vocab_size, embedding_dim=embedding_dim,
                  rnn_units=rnn_units, num_classes=num_classes)
    made = (f"TextClassifier(vocab_size={vocab_size}, embedding_dim={embedding_dim}, "
            f"rnn_units={rnn_units}, num_classes={num_classes})")
    for b, t in ((batch, length), (batch % 3 + 1, length + 2)):  # one model, two input shapes
        out = run_ids(model, ids(b, t, vocab_size), made)
        expect_shape(out, (b, num_classes), f"{made} on ids of shape ({b}, {t})")
        if not np.all(np.isfinite(out)) or not np.allclose(out.sum(-1), 1.0, atol=1e-4):
            fail(f"Output: {made} on ids of shape ({b}, {t}) gives rows that are not probability "
                 "distributions. The classifier should end in a softmax.")


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(model_class(submission), vocab_size=30, num_classes=4)
    out = run_ids(model, ids(6, 4, 30), "your TextClassifier(vocab_size=30, num_classes=4)")
    expect_softmax(out)
    expect_varies(out)


# -- behaviour -------------------------------------------------------------------------------------

@check(points=2, concept="behaviour: order matters")
def test_order_of_the_tokens_matters(submission):
    "Reversing a sequence changes the output: the model reads the tokens in order"
    made = "your TextClassifier(vocab_size=20, embedding_dim=8, rnn_units=8, num_classes=3)"
    model = build(model_class(submission), vocab_size=20, embedding_dim=8, rnn_units=8, num_classes=3)
    length = draw.integer(4, 8)
    x = ids(8, length, 20, low=1)
    for row in x:  # no palindromes (and no padding id 0): the reversed sequence must differ
        if row[0] == row[-1]:
            row[0] = row[-1] % 19 + 1
    run_ids(model, x, made)  # builds the layers
    with doing("setting weights the grader drew on your model"):
        shapes = [tuple(np.shape(w)) for w in model.get_weights()]
        model.set_weights(drawn_weights(model, shapes))
    forward = run_ids(model, x, made)
    backward = run_ids(model, np.ascontiguousarray(x[:, ::-1]), made)
    expect_shape(forward, (8, 3), f"{made} on ids of shape (8, {length})")
    expect_shape(backward, (8, 3), f"{made} on ids of shape (8, {length})")
    if np.max(np.abs(forward - backward)) < 1e-5:
        fail("Order: the model gives the same output for a sequence and for the same tokens in reverse "
             "order (\"dog bites man\" and \"man bites dog\"), so it only sees which tokens occur, not "
             "their order. Pooling or summing the embeddings loses the order; a recurrent layer "
             "(`self.rnn = keras.layers.LSTM(rnn_units)`) reads the sequence step by step. call() should "
             "be classifier(rnn(embedding(ids))).")


# -- training --------------------------------------------------------------------------------------

@check(points=2, concept="training")
def test_learns_which_token_comes_first(submission):
    "The model learns whether token 1 comes before token 2 (accuracy >= 0.9 on sequences it was not trained on)"
    x, y = a_before_b(128, length=4, vocab_size=6)
    fit_rows, held_out = split(len(y))
    model = build(model_class(submission), vocab_size=6, embedding_dim=8, rnn_units=16, num_classes=2)
    train(model, x[fit_rows], y[fit_rows], loss="sparse_categorical_crossentropy", epochs=8,
          eager_loop=True)
    acc = accuracy(model, x[held_out], y[held_out])
    if acc < 0.9:
        fail(f"Training: after 8 epochs the accuracy on new sequences is {acc:.2f}, below 0.9, on a task "
             "an LSTM learns quickly: does token 1 come before token 2? Both classes hold the same "
             "tokens, only their order differs, so the model must read them in order: call() should be "
             "classifier(rnn(embedding(ids))), with return_sequences=False and a softmax classifier.")
