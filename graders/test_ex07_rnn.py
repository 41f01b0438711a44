"""Grader for ex07_rnn: TextClassifier, embeddings and recurrence in a subclassed model."""
import keras
import numpy as np
from hypothesis import example, given, strategies as st

from kerasgrade.checks import check, grading_settings
from kerasgrade.expect import (accuracy, build, expect_activation, expect_close,
                               expect_forwards_kwargs, expect_layer, expect_same_object,
                               expect_shape, expect_softmax, expect_super_first, expect_tracked,
                               fail, get_class, run, train_eagerly)

Embedding, Dense, Bidirectional = keras.layers.Embedding, keras.layers.Dense, keras.layers.Bidirectional
RECURRENT_CELLS = (keras.layers.LSTMCell, keras.layers.GRUCell)


def model_class(submission):
    return get_class(submission, "TextClassifier")


def ids(batch: int, length: int, vocab_size: int, low: int = 0, seed: int = 0) -> np.ndarray:
    """Random ids in [low, vocab_size), the largest id vocab_size - 1 always among them."""
    x = np.random.default_rng(seed).integers(low, vocab_size, size=(batch, length))
    x[0, 0] = vocab_size - 1
    return x.astype("int32")


def run_ids(model, x: np.ndarray, vocab_size: int):
    """Call the model on ids, with a description that says what the ids need."""
    return run(model, x, f"calling your TextClassifier(vocab_size={vocab_size}, ...) on ids of "
                         f"shape {x.shape}, up to {int(x.max())} (every id below vocab_size needs "
                         "a row of the embedding table: `Embedding(vocab_size, embedding_dim)`, "
                         "in this order)")


def a_before_b(n: int, length: int = 4, vocab_size: int = 6, seed: int = 0):
    """Each sequence holds token 1 and token 2 once, among fillers 3..vocab_size-1.

    The label is 1 when token 1 comes before token 2. Every sequence of one class has a
    mirror image in the other with the same tokens, so a model blind to order cannot beat
    chance: it has to read the sequence in order.
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(3, vocab_size, size=(n, length))
    y = np.arange(n) % 2
    for i in range(n):
        first, second = sorted(rng.choice(length, 2, replace=False))
        x[i, first], x[i, second] = (1, 2) if y[i] == 1 else (2, 1)
    perm = rng.permutation(n)
    return x[perm].astype("int32"), y[perm].astype("int32")


def recurrent_core(model, attr: str = "rnn"):
    """``self.rnn`` checked against the contract: (the layer, the LSTM/GRU inside it, its units)."""
    layer = getattr(model, attr, None)
    if layer is None:
        fail("Binding through self: after construction, `TextClassifier` has no attribute "
             "`self.rnn`. Create the recurrent layer in `__init__` and bind it: "
             "`self.rnn = keras.layers.LSTM(rnn_units)` (or `GRU`), so Keras tracks it and it "
             "keeps its weights between calls.")
    inner = layer.forward_layer if isinstance(layer, Bidirectional) else layer
    cell = getattr(inner, "cell", None) if isinstance(inner, keras.layers.RNN) else None
    if isinstance(cell, RECURRENT_CELLS):  # LSTM, GRU, or RNN(LSTMCell(...)) and the like
        return layer, inner, cell.units
    if isinstance(cell, keras.layers.SimpleRNNCell):
        fail("`self.rnn` is a SimpleRNN. The exercise asks for an `LSTM` or a `GRU`: their gates "
             "let the state keep information over many time steps, where a SimpleRNN's gradient "
             "vanishes. Write `self.rnn = keras.layers.LSTM(rnn_units)` (or `GRU`).")
    hint = (" Pooling averages the sequence and forgets the order of the tokens, which is "
            "exactly what a recurrent layer keeps." if "Pooling" in type(inner).__name__ else "")
    fail(f"`self.rnn` should be a recurrent layer, `keras.layers.LSTM` or `keras.layers.GRU` "
         f"(optionally inside `Bidirectional`), but it is a {type(inner).__name__}.{hint}")


# -- inheritance and super() -------------------------------------------------------------------

@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "TextClassifier subclasses tf.keras.Model and can be built and called"
    model = build(model_class(submission))
    run_ids(model, ids(2, 4, 100), 100)


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "TextClassifier(name=...) reaches Keras through **kwargs"
    expect_forwards_kwargs(model_class(submission))


# -- binding through self ----------------------------------------------------------------------

@check(points=2, concept="binding through self")
def test_binds_the_layers(submission):
    "self.embedding, self.rnn (LSTM or GRU) and self.classifier, of the right kinds and sizes"
    model = build(model_class(submission), vocab_size=37, embedding_dim=5, rnn_units=7,
                  num_classes=3)
    embedding = expect_layer(model, "embedding", Embedding)
    if (embedding.input_dim, embedding.output_dim) != (37, 5):
        fail(f"`self.embedding` is Embedding({embedding.input_dim}, {embedding.output_dim}) for "
             "TextClassifier(vocab_size=37, embedding_dim=5): it should be Embedding(37, 5). "
             "The first argument is how many ids there are (vocab_size: one row of the table per "
             "id), the second the size of each id's vector (embedding_dim). Use the constructor "
             "arguments, in this order.")
    rnn, inner, units = recurrent_core(model)
    if units != 7:
        fail(f"`self.rnn` has {units} units for rnn_units=7: write "
             f"`{type(inner).__name__}(rnn_units)`, not a fixed number.")
    if getattr(rnn, "return_sequences", False) or inner.return_sequences:
        fail("`self.rnn` has return_sequences=True: it returns one output per time step, "
             "(batch, time, units), so the classifier would classify every step. The classifier "
             "needs one summary per sequence, the last output: leave return_sequences=False "
             "(the default).")
    classifier = expect_layer(model, "classifier", Dense, units=3)
    expect_activation(classifier, "classifier", "softmax")
    expect_tracked(model, {"embedding": embedding, "rnn": rnn, "classifier": classifier})


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "Layers are created once in __init__: the same ids give the same output on every call"
    model = build(model_class(submission), vocab_size=20)
    layers = {a: getattr(model, a, None) for a in ("embedding", "rnn", "classifier")}
    x = ids(3, 4, 20, seed=2)
    first, second = run_ids(model, x, 20), run_ids(model, x, 20)
    for attr, layer in layers.items():
        expect_same_object(model, attr, layer)
    expect_close(second, first, "Calling the model twice on the same ids gave different outputs",
                 hint="Create layers in __init__, not in call(): a layer created in call() "
                      "gets new random weights every time.")


# -- output shapes -------------------------------------------------------------------------------

@check(points=2, concept="call() and output shapes")
@grading_settings(max_examples=3)  # an RNN model's first call traces its loop (~0.2 s): fewer, richer examples
@given(vocab_size=st.integers(2, 40), embedding_dim=st.integers(1, 6), rnn_units=st.integers(1, 6),
       num_classes=st.integers(1, 4), batch=st.integers(1, 3), length=st.integers(1, 5))
@example(vocab_size=150, embedding_dim=3, rnn_units=2, num_classes=2, batch=2, length=3)
def test_output_shape(submission, vocab_size, embedding_dim, rnn_units, num_classes, batch, length):
    "call() maps ids (batch, time) to (batch, num_classes) for any sizes, and any id below vocab_size"
    model = build(model_class(submission), vocab_size=vocab_size, embedding_dim=embedding_dim,
                  rnn_units=rnn_units, num_classes=num_classes)
    made = (f"TextClassifier(vocab_size={vocab_size}, embedding_dim={embedding_dim}, "
            f"rnn_units={rnn_units}, num_classes={num_classes})")
    for b, t in ((batch, length), (batch % 3 + 1, length + 2)):  # one model, two input shapes
        x = ids(b, t, vocab_size, seed=b + t)
        out = run(model, x, f"calling {made} on ids of shape ({b}, {t}), up to {vocab_size - 1} "
                            "(every id below vocab_size needs a row of the embedding table: "
                            "`Embedding(vocab_size, embedding_dim)`, in this order)")
        expect_shape(out, (b, num_classes), f"{made} on ids of shape ({b}, {t})")


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(model_class(submission), vocab_size=30, num_classes=4)
    expect_softmax(run_ids(model, ids(6, 4, 30, seed=1), 30))


# -- behaviour -----------------------------------------------------------------------------------

@check(points=2, concept="behaviour: order matters")
def test_order_of_the_tokens_matters(submission):
    "Reversing a sequence changes the output: the model reads the tokens in order"
    model = build(model_class(submission), vocab_size=20, embedding_dim=8, rnn_units=8,
                  num_classes=3)
    x = ids(8, 4, 20, low=1, seed=np.random.randint(1000))
    for row in x:  # no palindromes (and no padding id 0): the reversed sequence must differ
        if row[0] == row[-1]:
            row[0] = row[-1] % 19 + 1
    forward, backward = run_ids(model, x, 20), run_ids(model, np.ascontiguousarray(x[:, ::-1]), 20)
    expect_shape(forward, (8, 3), "TextClassifier(vocab_size=20, num_classes=3) on ids of shape (8, 4)")
    if np.max(np.abs(forward - backward)) < 1e-5:
        fail("Order: the model gives the same output for a sequence and for the same tokens in "
             "reverse order (\"dog bites man\" and \"man bites dog\"), so it only sees which "
             "tokens occur, not their order. Pooling or summing the embeddings loses the order; "
             "a recurrent layer (`self.rnn = keras.layers.LSTM(rnn_units)`) reads the sequence "
             "step by step. call() should be classifier(rnn(embedding(ids))).")


# -- training ------------------------------------------------------------------------------------

@check(points=2, concept="training")
def test_learns_which_token_comes_first(submission):
    "The model learns whether token 1 comes before token 2 (accuracy >= 0.9 after a short training)"
    x, y = a_before_b(64, length=4, vocab_size=6, seed=0)
    model = build(model_class(submission), vocab_size=6, embedding_dim=8, rnn_units=16,
                  num_classes=2)
    train_eagerly(model, x, y, loss="sparse_categorical_crossentropy", epochs=4)
    acc = accuracy(model, x, y)
    if acc < 0.9:
        fail(f"Training: after 4 epochs the accuracy is {acc:.2f}, below 0.9, on a task an LSTM "
             "learns quickly: does token 1 come before token 2? Both classes hold the same "
             "tokens, only their order differs, so the model must read them in order: call() "
             "should be classifier(rnn(embedding(ids))), with return_sequences=False and a "
             "softmax classifier.")
