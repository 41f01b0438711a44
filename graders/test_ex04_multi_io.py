"""Grader for ex04_multi_io: MultiTaskModel, several named inputs and outputs.

Written for the judge (``JUDGED``): every check runs outside the learner's process and asks
it, through ``submission``, to build, call, describe and train; inputs and weights are the
judge's own draws.

The contract fixes the constructor and the call (a dict in, a dict out) but names no
attribute, so the layers are found among those Keras tracks (``model.layers``, nested
``Sequential``s included) and believed once, given weights the judge drew, they compute what
a Dense layer computes. The heads are judged by what a shift of their bias does to the
outputs: the score moves by exactly that shift (no activation), the label as a softmax does.
Every output graded is first the judge's own computation (``FOLLOW``): the layers the model
tracks, rebuilt by the judge and wired as a multi-task network is (``multitask_output``).
"""
import ast
import itertools

import keras
import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.grading import draw, replica
from kerasgrade.grading.expect import (Forward, build, dense_activation, dense_shapes, doing, drawn_weights,
                                       expect_close, expect_shape, expect_softmax, expect_varies, fail, get_class,
                                       run, teaching, tracked_layers, train)
from kerasgrade.grading.opening import opening_checks

JUDGED = True
CLASS = "MultiTaskModel"
KEYS = ("label", "score")
NEW_WEIGHTS_HINT = ("Create layers in __init__, not in call(): a layer created in call() gets "
                    "new random weights every time.")
DICT_INPUTS = ("Multiple inputs: `inputs` is one dict, `{\"features\": (B, F), \"metadata\": (B, M)}`. "
               "Unpacking it (`features, metadata = inputs`) gives its keys, the strings \"features\" and "
               "\"metadata\", not the arrays; indexing it by position (`inputs[0]`) fails too. Read each "
               "input by its name: `features = inputs[\"features\"]` and `metadata = inputs[\"metadata\"]`.")


# -- the forward pass, as the judge computes it -----------------------------------------------------

MERGES = ("Concatenate", "Add")  # weightless layers joining the inputs: the judge joins them itself


def dense_units(layer) -> tuple[int, int] | None:
    """(inputs, units) of one of the judge's rebuilt Dense layers; None for another kind."""
    return (int(layer.kernel.shape[0]), int(layer.units)) if isinstance(layer, keras.layers.Dense) else None


def joined_inputs(layers: list, f, m, budget):
    """``(kind, h, rest)``: the ways the two inputs may be joined before the shared
    layers, and the layers left for them: concatenated (either order); each through a Dense
    branch of its own (a relu after it or not), then added or concatenated; or one input alone
    (a learner's mistake the judge computes too). ``kind``: 0 for one input, 1 concatenated,
    2 through branches."""
    yield 1, np.concatenate([f, m], -1), layers
    yield 1, np.concatenate([m, f], -1), layers
    branches = [(i, units) for i, units in enumerate(map(dense_units, layers)) if units]
    for i, (f_in, _) in branches:
        for j, (m_in, _) in branches:
            if i == j or f_in != f.shape[-1] or m_in != m.shape[-1]:
                continue
            rest = [layer for k, layer in enumerate(layers) if k not in (i, j)]
            for hf in replica.through([layers[i]], f, budget, relu_last=True):
                for hm in replica.through([layers[j]], m, budget, relu_last=True):
                    hf, hm = hf.astype("float32"), hm.astype("float32")
                    if hf.shape == hm.shape:
                        yield 2, hf + hm, rest
                    yield 2, np.concatenate([hf, hm], -1), rest
                    yield 2, np.concatenate([hm, hf], -1), rest
    yield 0, f, layers
    yield 0, m, layers


def fits(chain: list, width: int) -> bool:
    """Whether the chain can take ``width`` numbers per example, as far as the widths of its
    Dense and normalization layers tell (the judge calls only the chains that may)."""
    for layer in chain:
        units = dense_units(layer)
        if units:
            if units[0] != width:
                return False
            width = units[1]
        elif layer.weights and tuple(layer.weights[0].shape) != (width,):
            return False
    return True


def without_last_head(layers: list, widths: set) -> list:
    """``layers`` without the last Dense layer whose width is in ``widths``."""
    heads = [i for i, layer in enumerate(layers) if (dense_units(layer) or (0, 0))[1] in widths]
    return [layer for i, layer in enumerate(layers) if not heads or i != heads[-1]]


def plans(others: list, widths: set, f, m, budget):
    """``(h, chain)``: a joined input and the shared layers to apply to it, most likely first:
    each way of joining the inputs with all the other layers in Keras's order, then without
    the last Dense layer as wide as another output (its head), then fewer layers (the most
    first: layers of another output's own branch, separate towers, are left out of this
    one's), each in the orders ``replica.orders`` tries, by kind of join (one input,
    concatenated, branches)."""
    joins = list(joined_inputs(others, f, m, budget))
    for _, h, rest in joins:
        yield h, rest
        yield h, without_last_head(rest, widths)
    for _, h, rest in sorted(joins, key=lambda join: join[0]):
        for size in range(len(rest) - 1, -1, -1):
            for chain in itertools.combinations(rest, size):
                yield from ((h, order) for order in replica.orders(list(chain)))
        yield from ((h, order) for order in replica.orders(rest)[1:])


def head_output(layers: list, got: np.ndarray, widths: set, f, m) -> np.ndarray | None:
    """One output of the model, ``got``, as the judge computes it: a Dense layer of its width
    (the last created first) applied to a hidden state of the others (``plans``; ``widths``
    are the other outputs': a relu after each layer or not, a weightless one maybe unused),
    then what call() may apply last (``replica.finished``). None if none is ``got``."""
    budget = replica.Budget()
    heads = [k for k, u in enumerate(map(dense_units, layers)) if u and u[1] == got.shape[-1]]
    for k in reversed(heads):
        head, others = layers[k], [layer for i, layer in enumerate(layers) if i != k]
        for h, chain in plans(others, widths, f, m, budget):
            if not fits(chain + [head], h.shape[-1]):
                continue
            try:
                for hidden in replica.through(chain, h, budget, relu_last=True, skippable=True):
                    if dense_units(head)[0] != hidden.shape[-1]:
                        continue
                    if not budget.spend():
                        return None
                    want = replica.finished(got, replica.forward([head], hidden.astype("float32")))
                    if want is not None:
                        return want
            except Exception:  # noqa: BLE001 - layers that do not chain this way: not this wiring
                continue
    return None


def multitask_output(model, x, got, **_):
    """The model's outputs as the judge computes them from the layers it tracks (rebuilt with
    the weights they hold now), each by ``head_output``, in the container the model returned
    (the contract's dict, or a learner's tuple or other keys, so that those mistakes keep the
    points their other facts earn). None if one of them is not the judge's computation,
    whatever the child described: its layers are never believed."""
    parts = got if isinstance(got, dict) else dict(enumerate(got)) if isinstance(got, (list, tuple)) else {}
    if not 0 < len(parts) <= 4 or not all(isinstance(v, np.ndarray) and v.ndim == 2 for v in parts.values()):
        return None
    layers = replica.rebuilt(model, replica.layers_of(model), skip=MERGES)
    if layers is None:
        return None
    layers = [layer for _, layer in layers]
    f, m = (replica.as_input(x[k]) for k in ("features", "metadata"))
    with np.errstate(all="ignore"):
        computed = {key: head_output(layers, out, {v.shape[-1] for k, v in parts.items() if k != key}, f, m)
                    for key, out in parts.items()}
    if any(v is None for v in computed.values()):
        return None
    return computed if isinstance(got, dict) else [computed[i] for i in range(len(got))]


FOLLOW = {CLASS: Forward(multitask_output, '{"label": softmax(label_head(h)), "score": score_head(h)} with '
                                           'h = shared(concat(features, metadata)), from the layers it tracks')}


def model_class(submission):
    return get_class(submission, CLASS)


def inputs(batch, n_features, n_metadata, scale=1.0):
    """The model's input: a dict of two float32 arrays the judge drew."""
    return {"features": draw.features(batch, n_features, scale), "metadata": draw.features(batch, n_metadata, scale)}


# -- the learner who takes the dict for a pair ---------------------------------------------------

def unpacks_inputs(source) -> bool:
    """Whether ``call()`` treats its ``inputs`` as a pair: ``a, b = inputs``, ``inputs[0]``,
    ``list(inputs)`` (read from the source by the judge)."""
    call = source.method(CLASS, "call")
    if call is None or len(call.args.args) < 2:
        return False
    name = call.args.args[1].arg

    def is_inputs(node):
        return isinstance(node, ast.Name) and node.id == name

    for node in ast.walk(call):
        if isinstance(node, (ast.Assign, ast.For)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if is_inputs(node.value if isinstance(node, ast.Assign) else node.iter) and \
                    any(isinstance(t, (ast.Tuple, ast.List)) for t in targets):
                return True
        if isinstance(node, ast.Subscript) and is_inputs(node.value) and \
                isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("list", "tuple") and len(node.args) == 1 and is_inputs(node.args[0]):
            return True
    return False


teaches_dict_inputs = teaching(lambda submission: DICT_INPUTS if unpacks_inputs(submission.source) else "")


globals().update({name: teaches_dict_inputs(fn) for name, fn in opening_checks(
    CLASS, inputs=lambda: inputs(4, 5, 3), args={"num_classes": 3, "hidden_units": 8}).items()})


# -- what the model returns and what Keras tracks ------------------------------------------------

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
             f"{sorted(map(str, out))[:6]}. Rename the keys: `return {{\"label\": ..., \"score\": ...}}`.")
    expect_shape(out["label"], (batch, num_classes), f"the 'label' output of {what}")
    expect_shape(out["score"], (batch, 1), f"the 'score' output of {what}")
    for key in KEYS:
        if not np.all(np.isfinite(out[key])):
            fail(f"Output: the '{key}' output of {what} holds values that are not finite numbers (NaN or inf).")
    return out


def weight_shapes(model) -> list[tuple]:
    """The shapes of every weight Keras tracks (after a call); none fails the check."""
    with doing("reading the weights Keras tracks"):
        shapes = [tuple(np.shape(w)) for w in model.get_weights()]
    total = sum(int(np.prod(s)) for s in shapes)
    if not shapes or total == 0:
        fail("Binding through self: after a call, Keras tracks no weights in your model. Create your "
             "layers in `__init__` and bind them on `self` (`self.shared = Dense(...)`), so that Keras "
             "tracks them and `fit()` can train them.")
    if total > 2_000_000:
        fail(f"Your model owns {total} weights, far more than this exercise needs.")
    return shapes


def set_judge_weights(model) -> None:
    """Every weight Keras tracks set to weights the judge drew."""
    shapes = weight_shapes(model)
    with doing("setting your model's weights"):
        model.set_weights(drawn_weights(model, shapes))


def dense_layers(model) -> list[tuple[str, dict]]:
    """(path, description) of the Dense layers Keras tracks in the model, nested ones included."""
    return [(path, info) for path, info in tracked_layers(model) if info.get("builtin") == "Dense"]


def heads(model, units: int) -> list[tuple[str, list]]:
    """(path, weight shapes) of the tracked Dense layers of ``units`` units with a bias."""
    return [(path, dense_shapes(info)) for path, info in dense_layers(model)
            if dense_shapes(info) is not None and dense_shapes(info)[0][1] == units]


def shifted_by_bias(model, x, path, shapes, shift, num_classes):
    """The outputs with the head at ``path`` given judge weights, then the same with ``shift``
    added to its bias."""
    w = draw.weights_like(shapes)
    with doing("setting the weights of one of your Dense layers"):
        model.set_weights(w, path=path)
    before = outputs(model, x, len(x["features"]), num_classes)
    with doing("setting the weights of one of your Dense layers"):
        model.set_weights([w[0], (w[1] + shift).astype("float32")], path=path)
    return before, outputs(model, x, len(x["features"]), num_classes)


# -- the checks ----------------------------------------------------------------------------------

@check(points=1, concept="__init__ vs call()")
@teaches_dict_inputs
def test_layers_persist_between_calls(submission):
    "Layers are created once: the same input gives the same outputs, with the same weights"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    x = inputs(6, 5, 3)
    first = outputs(model, x, 6, 3)
    with doing("reading the weights Keras tracks"):
        weights = model.describe().get("trainable", [])
    second = outputs(model, x, 6, 3)
    for key in KEYS:
        expect_close(second[key], first[key],
                     f"Calling the model twice on the same input gave different '{key}' outputs",
                     hint=NEW_WEIGHTS_HINT)
    with doing("reading the weights Keras tracks"):
        now = model.describe().get("trainable", [])
    if now != weights:
        fail(f"The model's trainable weights changed between two calls ({len(weights)} then "
             f"{len(now)} weights, or new objects): layers must be created once in `__init__`, "
             "never in `call()`.")


@check(points=2, concept="binding through self")
@teaches_dict_inputs
def test_keras_tracks_every_weight(submission):
    "After a call, Keras tracks every weight the outputs depend on"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    outputs(model, inputs(4, 5, 3), 4, 3)
    shapes = weight_shapes(model)
    with doing("setting every weight Keras tracks to zero"):
        model.set_weights([np.zeros(s, dtype="float32") for s in shapes])
    first, second = outputs(model, inputs(4, 5, 3), 4, 3), outputs(model, inputs(4, 5, 3), 4, 3)
    for key in KEYS:
        if not np.allclose(first[key], second[key], atol=1e-6):
            fail(f"Binding through self: with every weight Keras tracks set to zero, the "
                 f"'{key}' output still depends on the input, so it uses weights Keras does not "
                 "track: a layer created in call() (for example `Dense(...)(x)` written as in "
                 "the Functional API), or kept where Keras cannot see it. Create every layer "
                 "once in `__init__`, bind it on `self`, and only use it in call().")


@check(points=1, concept="binding through self")
@teaches_dict_inputs
def test_hidden_units_sets_the_width(submission):
    "hidden_units sets the size of a hidden Dense layer"
    units = draw.integer(5, 12)
    model = build(model_class(submission), num_classes=2, hidden_units=units)
    outputs(model, inputs(3, 4, 3), 3, 2)
    found = [(p, info) for p, info in dense_layers(model) if (dense_shapes(info) or [(0, 0)])[0][1] == units]
    if not found or not any(dense_activation(model, p, info) for p, info in found):
        fail(f"Constructor arguments: `MultiTaskModel(hidden_units={units})` has no hidden Dense layer of "
             f"{units} units (Keras tracks Dense layers of sizes "
             f"{sorted({(dense_shapes(i) or [(0, 0)])[0][1] for _, i in dense_layers(model)})}). Use the "
             "argument, `Dense(hidden_units, activation=\"relu\")`, not a fixed number.")


@check(points=2, concept="call() and output shapes")
@teaches_dict_inputs
@given(batch=st.integers(1, 6), n_features=st.integers(1, 5), n_metadata=st.integers(1, 5),
       num_classes=st.integers(1, 5), hidden_units=st.integers(1, 8))
def test_output_shapes(submission, batch, n_features, n_metadata, num_classes, hidden_units):
    "call() maps {features (B, F), metadata (B, M)} to {label (B, num_classes), score (B, 1)}"
    model = build(model_class(submission), num_classes=num_classes, hidden_units=hidden_units)
    out = outputs(model, inputs(batch, n_features, n_metadata), batch, num_classes,
                  f"MultiTaskModel(num_classes={num_classes}, hidden_units={hidden_units}) on "
                  f"features ({batch}, {n_features}) and metadata ({batch}, {n_metadata})")
    expect_softmax(out["label"], "the 'label' output")


@check(points=1, concept="call() and output shapes")
@teaches_dict_inputs
def test_label_is_softmax(submission):
    "The 'label' output is the softmax of a Dense(num_classes) head"
    model = build(model_class(submission), num_classes=5, hidden_units=8)
    x = inputs(8, 4, 3, scale=3.0)
    outputs(model, x, 8, 5)
    set_judge_weights(model)
    base = outputs(model, x, 8, 5)
    expect_softmax(base["label"], "the 'label' output")
    expect_varies(base["label"], "the 'label' output")
    shift = draw.features(1, 5, scale=1.5)[0]
    for path, shapes in heads(model, 5):
        before, after = shifted_by_bias(model, x, path, shapes, shift, 5)
        want = before["label"] * np.exp(shift)
        if np.allclose(after["label"], want / want.sum(-1, keepdims=True), atol=1e-4):
            return
    fail("The 'label' output should be softmax(Dense(num_classes)(hidden)): with weights the grader set, "
         "raising the bias of your label head (a Dense layer of num_classes units) should change the "
         "probabilities as a softmax does, and it did not. Give the label head "
         "`activation=\"softmax\"` and apply nothing after it.")


@check(points=1, concept="call() and output shapes")
@teaches_dict_inputs
def test_score_is_unbounded(submission):
    "The 'score' output is a plain number (no activation): Dense(1)(hidden)"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    x = inputs(8, 5, 4)
    outputs(model, x, 8, 3)
    set_judge_weights(model)
    shift = float(draw.rng().choice([-1, 1]) * (4 + 4 * draw.rng().random()))
    for path, shapes in heads(model, 1):
        before, after = shifted_by_bias(model, x, path, shapes, shift, 3)
        if np.allclose(after["score"], before["score"] + shift, atol=1e-3, rtol=1e-4):
            return
    fail(f"The 'score' output is a regression: it must be able to take any real value. With weights the "
         f"grader set, adding {shift:.2f} to the bias of your score head (a Dense layer of 1 unit) "
         f"should move every score by exactly {shift:.2f}, and it did not: the score is bounded or "
         "transformed, as if an activation (sigmoid, tanh, relu, softmax...) squashed it. Give the "
         "score layer no activation, `Dense(1)`, and apply nothing after it.")


@check(points=2, concept="multiple inputs and outputs")
@teaches_dict_inputs
def test_both_outputs_depend_on_both_inputs(submission):
    "Changing only the features, or only the metadata, changes both outputs"
    model = build(model_class(submission), num_classes=3, hidden_units=16)
    x = inputs(8, 5, 4)
    outputs(model, x, 8, 3)
    set_judge_weights(model)
    base = outputs(model, x, 8, 3)
    again = outputs(model, x, 8, 3)
    for key in KEYS:
        expect_close(again[key], base[key], f"Calling the model twice on the same input gave "
                     f"different '{key}' outputs", hint=NEW_WEIGHTS_HINT)
    for name in ("features", "metadata"):
        moved = dict(x, **{name: x[name] + draw.features(*x[name].shape)})
        out = outputs(model, moved, 8, 3)
        for key in KEYS:
            if np.allclose(base[key], out[key], atol=1e-6):
                fail(f"Multiple inputs: changing only the '{name}' input left the '{key}' "
                     f"output unchanged, so '{key}' ignores '{name}'. Both outputs should be "
                     "computed from both inputs: combine them first (for example "
                     "`Concatenate()([inputs[\"features\"], inputs[\"metadata\"]])` into a "
                     "shared hidden layer), then branch into the two heads.")


@check(points=1, concept="multiple inputs and outputs")
@teaches_dict_inputs
def test_reads_inputs_by_key(submission):
    "call() reads the inputs by name: the order of the dict's keys does not matter"
    model = build(model_class(submission), num_classes=3, hidden_units=8)
    x = inputs(5, 4, 4)
    outputs(model, x, 5, 3)
    set_judge_weights(model)
    first = outputs(model, x, 5, 3)
    again = outputs(model, {"metadata": x["metadata"], "features": x["features"]}, 5, 3)
    for key in KEYS:
        expect_close(again[key], first[key],
                     f"The same inputs given as a dict in another key order gave another "
                     f"'{key}' output",
                     hint="Named inputs are read by name: `inputs[\"features\"]` and "
                          "`inputs[\"metadata\"]`, never by position (`inputs.values()`), "
                          "which depends on the order the caller wrote the keys in.")


def multitask_data(n=384):
    """Class labels from the features (blobs), a linear score of unit variance from the metadata."""
    x, y = draw.blobs(n, 6, 3)
    metadata = draw.features(n, 4)
    w = draw.weights_like([(4, 1)], scale=1.0)[0]
    score = (metadata @ (w / np.linalg.norm(w)) + 0.5).astype("float32")
    return {"features": x, "metadata": metadata}, {"label": y, "score": score}


@check(points=2, concept="training")
@teaches_dict_inputs
def test_learns_both_tasks(submission):
    "Trained with a loss per output, it learns the label and the score (measured on new data)"
    x, y = multitask_data()
    fit_rows, held_out = draw.split(len(y["label"]))
    part = lambda data, rows: {k: v[rows] for k, v in data.items()}  # noqa: E731
    model = build(model_class(submission), num_classes=3, hidden_units=32)
    train(model, part(x, fit_rows), part(y, fit_rows),
          loss={"label": "sparse_categorical_crossentropy", "score": "mse"},
          epochs=15, batch_size=16, learning_rate=0.02)
    test_x, test_y = part(x, held_out), part(y, held_out)
    out = outputs(model, test_x, len(held_out), 3, "your trained MultiTaskModel")
    acc = float(np.mean(np.argmax(out["label"], axis=-1) == test_y["label"]))
    r2 = 1 - float(np.mean((out["score"] - test_y["score"]) ** 2) / np.var(test_y["score"]))
    if acc < 0.9 or r2 < 0.8:
        fail(f"Training: after 15 epochs with `loss={{\"label\": \"sparse_categorical_crossentropy\", "
             f"\"score\": \"mse\"}}`, on data it was not trained on, the label accuracy is {acc:.2f} "
             f"(0.9 wanted) and the score explains {max(r2, 0):.0%} of the target's variance (80% "
             "wanted), on easy tasks. Check that the label head ends in a softmax, that the score "
             "head has no activation, and that both inputs reach the shared layer.")
