"""Grader for ex02_config_and_super: ConfigurableMLP, constructor arguments, get_config and saving.

Written for the judge (``JUDGED``): every check runs outside the learner's process and asks
it, through ``submission``, to build, call, describe, save and train; inputs, weights and
constructor arguments are the judge's own draws. A config, a registration or a loaded model
is the child's word: a point is earned when the model rebuilt from the config, or loaded
from the file, given weights the judge drew, computes on the judge's inputs what the model
the judge asked for computes (``expect_computes``), and its Dropout drops what the rate says
(``expect_dropout``, measured by the judge).
"""
import ast
import itertools

import numpy as np
import tensorflow as tf
from hypothesis import Phase, given, strategies as st

from kerasgrade.checks import check, grading_settings
from kerasgrade.wire.handle import LearnerError, Remote
from kerasgrade.wire.protocol import Ref
from kerasgrade.grading.draw import blobs, features, integer, rng, split, weights_like
from kerasgrade.grading.expect import (Forward, activation, build, clean, dense_weights, doing, expect_activation,
                                       expect_close, expect_layer, expect_shape, expect_tracked, fail, get_class,
                                       layer_weights, run, train, verify_dense)
from kerasgrade.grading.opening import opening_checks
from kerasgrade.grading.replica import draw_layer_weights, followed, layers_of, rebuild

JUDGED = True
CLASS = "ConfigurableMLP"
HYPER_PARAMETERS = ("hidden_sizes", "num_classes", "dropout_rate")
PARENT_KEYS = ("name", "trainable", "dtype")  # what Keras's own Model.get_config() provides
# No shrinking: hypothesis's first failing case is already small (it starts from the simplest
# one), while shrinking a model that always fails re-runs it until the check's time is up.
NO_SHRINK = grading_settings(phases=(Phase.explicit, Phase.reuse, Phase.generate))


def model_class(submission):
    return get_class(submission, CLASS)


def draw_args(entries: int, dropout: bool = True) -> dict:
    """Constructor arguments the judge drew: ``entries`` hidden sizes, classes, a dropout rate."""
    rate = round(float(rng().uniform(0.2, 0.6)), 2) if dropout else 0.0
    return {"hidden_sizes": tuple(integer(2, 9) for _ in range(entries)), "num_classes": integer(2, 7),
            "dropout_rate": rate}


def args_text(args: dict) -> str:
    return f"{CLASS}(" + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")"


globals().update(opening_checks(
    CLASS, inputs=lambda: features(4, 5), args={"hidden_sizes": (8,), "num_classes": 3},
    output_shape=(4, 3), persistent=("hidden_layers[0]", "dropout", "classifier")))


# -- what the judge verifies itself --------------------------------------------------------------

def sizes_of(value):
    """``hidden_sizes`` as a tuple of ints, stored as a list or a tuple; None for anything else."""
    if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    return tuple(value)


def same_value(key: str, got, want) -> bool:
    if key == "hidden_sizes":
        return sizes_of(got) == tuple(want)
    return isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - want) < 1e-9


def hidden_count(model, sizes: tuple, where: str = "") -> int:
    """``self.hidden_layers`` is a list (or tuple) of ``len(sizes)`` layers; its length.
    ``where`` names the model in the messages when it is not the learner's own (a rebuilt one)."""
    with doing("reading `self.hidden_layers`"):
        present = model.has("hidden_layers")
        value = model.get("hidden_layers") if present else None
    if not present:
        fail(f"{where}Binding through self: the model has no `self.hidden_layers`. Create the hidden layers "
             "in `__init__` as a list, one per entry of `hidden_sizes`: "
             "`self.hidden_layers = [Dense(size, activation=\"relu\") for size in hidden_sizes]`.")
    if not isinstance(value, (list, tuple)):
        fail(f"{where}Binding through self: `self.hidden_layers` should be a list of Dense layers (one per "
             f"entry of `hidden_sizes`), but it is {'a Keras object' if isinstance(value, Remote) else 'not a list'}. "
             "Write `self.hidden_layers = [Dense(size, activation=\"relu\") for size in hidden_sizes]`.")
    if len(value) != len(sizes):
        fail(f"{where}Binding through self: with hidden_sizes={sizes} the list `self.hidden_layers` should "
             f"hold {len(sizes)} Dense layer(s), one per entry, but it holds {len(value)}. Build the "
             "list from `hidden_sizes` with a loop, not a fixed number of layers.")
    return len(value)


def expect_dense(model, path: str, units: int, act: str, in_dim: int) -> dict:
    """``self.<path>`` is a Dense of ``units`` with activation ``act``, believed once it computes
    ``act(x @ W + b)`` with the judge's weights."""
    info = expect_layer(model, path, "Dense", units=units)
    if act == "linear":
        expect_logits(model, path)
    else:
        expect_activation(model, path, act)
    with doing(f"calling `self.{path}` on its own"):
        if not info.get("weights"):
            model.call_path(path, features(2, in_dim))
        shapes = [tuple(w.get("shape", ())) for w in model.describe(path, layers=False).get("weights", [])
                  if isinstance(w, dict)]
    if len(shapes) == 2 and shapes[1] != (units,):
        fail(f"`self.{path}` should be `Dense({units})`, but its bias has shape {shapes[1]}.")
    verify_dense(model, path, act, in_dim=in_dim)
    return info


def expect_logits(model, path: str) -> None:
    """The layer's activation is the identity: the model returns logits."""
    z = features(3, 4, scale=2.0)
    try:
        got = model.call_path(f"{path}.activation", z)
    except Exception:  # noqa: BLE001 - no callable activation: verify_dense says what it computes
        return
    if not isinstance(got, np.ndarray) or got.shape != z.shape or not np.allclose(got, z, atol=1e-5):
        fail(f"Logits: `self.{path}` should be `Dense(num_classes)` with no activation, so that the "
             "model returns logits (raw scores); the loss applies the softmax itself "
             "(`from_logits=True`). Remove the activation from the classifier.")


def expect_dropout(model, rate: float, what: str = "") -> None:
    """``self.dropout`` is a Dropout that, measured by the judge, drops ``rate`` of its inputs."""
    what = what or "`self.dropout`"
    expect_layer(model, "dropout", "Dropout")
    ones = np.ones((64, 64), dtype="float32")
    with doing(f"calling {what} on its own with training=True"):
        out = model.call_path("dropout", ones, training=True)
    if not isinstance(out, np.ndarray) or out.shape != ones.shape or not np.all(np.isfinite(out)):
        fail(f"Dropout: {what}, called on a (64, 64) input while training, should return the same "
             f"shape; it returned {np.shape(out)}.")
    dropped = float(np.mean(out == 0))
    kept = out[out != 0]
    scaled = rate == 0 or not kept.size or np.allclose(kept, 1 / (1 - rate), rtol=1e-3)
    if abs(dropped - rate) > 0.05 or not scaled:
        fail(f"Dropout: {what} should be `Dropout({rate})` (dropout_rate={rate}), but while training "
             f"it drops {dropped:.0%} of its inputs. Build it from the argument: "
             "`self.dropout = Dropout(dropout_rate)`.")


def judge_weights(model, args: dict, n_features: int, where: str = "") -> tuple[list, list]:
    """Weights the judge drew for each hidden layer and the classifier, set on the model."""
    dims = (n_features, *args["hidden_sizes"], args["num_classes"])
    paths = [f"hidden_layers[{i}]" for i in range(len(args["hidden_sizes"]))] + ["classifier"]
    drawn = [weights_like([(a, b), (b,)]) for a, b in zip(dims, dims[1:])]
    for path, (a, b), w in zip(paths, zip(dims, dims[1:]), drawn):
        with doing(f"reading `self.{path}`"):
            present = model.has(path)
            info = model.describe(path, layers=False) if present else {}
        if not present:
            fail(f"{where}Binding through self: with hidden_sizes={args['hidden_sizes']}, the model has no "
                 f"`self.{path}`.")
        shapes = [tuple(v.get("shape", ())) for v in info.get("weights", []) if isinstance(v, dict)]
        if shapes != [(a, b), (b,)]:
            fail(f"{where}`self.{path}` should be a Dense layer of {b} units (a kernel of shape {(a, b)} and a "
                 f"bias of {(b,)} on this input), but its weights have shapes {shapes}. Build each "
                 "layer from the constructor arguments: one `Dense(size)` per entry of `hidden_sizes`, "
                 "then `Dense(num_classes)`.")
        with doing(f"setting the grader's weights on `self.{path}`"):
            model.set_weights(w, path=path)
    return paths, drawn


def logits_of(x, drawn: list) -> np.ndarray:
    """What the contract's model computes at inference with the judge's weights."""
    h = np.asarray(x, dtype="float64")
    for w in drawn[:-1]:
        h = activation("relu", h @ w[0] + w[1])
    return h @ drawn[-1][0] + drawn[-1][1]


# -- layers a learner added (CURRICULUM.md): followed by the judge, not refused ----------------

MAX_PLACEMENTS = 2000  # ways of placing the added layers between the contract's that are tried


def added_layers(model, hidden: int) -> list[tuple[str, object]] | None:
    """The built-in layers the model tracks beyond ``self.hidden_layers``, ``self.dropout`` and
    ``self.classifier`` (a LayerNormalization after each hidden layer, an extra Dropout, ...), each
    rebuilt by the judge from its described settings (``replica.rebuild``), in the order Keras
    lists them; [] if there are none, None if one of them cannot be rebuilt."""
    contract = [f"hidden_layers[{i}]" for i in range(hidden)] + ["dropout", "classifier"]
    with doing("reading the layers of your model"):
        named = {model.describe(path, layers=False).get("id") for path in contract}
    added = []
    for path, info in layers_of(model):
        if info.get("builtin") == "InputLayer" or info.get("id") in named:
            continue
        layer = rebuild(model, path, info)
        if layer is None:
            return None
        added.append((path, layer))
    return added


def placements(hidden: int, added: int):
    """Where the added layers go, in the order they were created: for each, the index of the
    contract layer it comes before (0 for before the first hidden layer, ``hidden`` for before
    the classifier); nothing comes after the classifier, whose output is the logits."""
    return itertools.islice(itertools.combinations_with_replacement(range(hidden + 1), added), MAX_PLACEMENTS)


def placed_logits(x, dense: list, added: list, before: tuple) -> np.ndarray | None:
    """The logits the judge computes for the contract's Dense weights ``dense`` with the added
    layers (the judge's own copies) placed ``before`` the given contract layers; None if their
    shapes do not chain."""
    h = np.asarray(x, dtype="float32")
    try:
        for i, (kernel, bias) in enumerate(dense):
            for (_, layer), at in zip(added, before):
                if at == i:
                    h = np.asarray(layer(h, training=False), dtype="float32")
            h = h @ np.asarray(kernel, dtype="float32") + np.asarray(bias, dtype="float32")
            if i < len(dense) - 1:
                h = np.maximum(h, 0.0)
    except (ValueError, TypeError, tf.errors.InvalidArgumentError):
        return None
    return h.astype("float64")


def follow_added(model, x, got, dense: list, draw_weights: bool) -> np.ndarray | None:
    """When the model's output is not the contract's network (``dense``: its Dense weights, the
    judge's draws or read back after training) but the model tracks layers a learner may add: the
    judge's computation of the network with those layers placed where the output says, or None.
    With ``draw_weights`` the judge first draws and sets the added layers' weights (so their
    effect is the judge's), and calls the model again; otherwise it reads them back."""
    added = added_layers(model, len(dense) - 1)
    if not added:
        return None
    for path, layer in added:
        if not layer.weights:
            continue
        if draw_weights:
            drawn = draw_layer_weights(layer)
            with doing(f"setting the grader's weights on your layer `{path}`"):
                model.set_weights(drawn, path=path)
        else:
            drawn = layer_weights(model, path, [tuple(v.shape) for v in layer.weights])
        layer.set_weights([np.asarray(w, dtype="float32") for w in drawn])
    if draw_weights:
        got = run(model, x, "calling your model", training=False)
    got = np.asarray(got, dtype="float64")
    for before in placements(len(dense) - 1, len(added)):
        want = placed_logits(x, dense, added, before)
        if want is not None and want.shape == got.shape and np.allclose(got, want, atol=1e-4, rtol=1e-4):
            return want
    return None


def expect_computes(submission, model, args: dict, what: str, hint: str, x=None) -> np.ndarray:
    """Given the judge's weights, ``model`` computes on the judge's inputs at inference what
    ``ConfigurableMLP(**args)`` computes (with any layers the learner added, where they are
    followed by the judge). The judge's computation, returned."""
    x = features(6, integer(2, 7)) if x is None else x
    run(model, x, f"calling {what}", training=False)  # builds its layers
    where = "" if what == "your model" else f"In {what}: "
    hidden_count(model, args["hidden_sizes"], where)
    for i in range(len(args["hidden_sizes"])):  # a setting that deviates is named as such
        expect_activation(model, f"hidden_layers[{i}]", "relu")
    expect_logits(model, "classifier")
    _, drawn = judge_weights(model, args, x.shape[1], where)
    want = logits_of(x, drawn)
    got = run(model, x, f"calling {what}", training=False)
    if not close(got, want):
        with_added = follow_added(model, x, got, drawn, draw_weights=True)
        if with_added is not None:
            return with_added
        got = run(model, x, f"calling {what}", training=False)  # the added layers' weights were drawn
    expect_close(got, want, f"Given the grader's weights, {what} does not compute "
                 "classifier(relu(...hidden_layers[0](x))) at inference", hint=hint)
    return want


def forward(model, x, got, **_) -> np.ndarray:
    """The logits the contract's network computes from the weights the model's layers hold now
    (with the layers a learner added, where the judge follows them; for a model that is not
    the contract's, from the layers it has: ``replica.followed``): ``FOLLOW``."""
    def contract():
        with doing("reading `self.hidden_layers`"):
            value = model.get("hidden_layers") if model.has("hidden_layers") else None
        if not isinstance(value, (list, tuple)) or len(value) > 8:
            fail("Binding through self: the model has no list `self.hidden_layers`. Create the hidden "
                 "layers in `__init__` as a list, one per entry of `hidden_sizes`.")
        dense, in_dim = [], np.shape(x)[1]
        for path in [f"hidden_layers[{i}]" for i in range(len(value))] + ["classifier"]:
            dense.append(dense_weights(model, path, in_dim))
            in_dim = dense[-1][0].shape[1]
        want = logits_of(x, dense)
        with_added = None if close(got, want) else follow_added(model, x, got, dense, draw_weights=False)
        return want if with_added is None else with_added

    return followed(model, x, got, contract)


# Every output a check reads is first the judge's own computation (``run``).
FOLLOW = {CLASS: Forward(forward, "classifier(relu(...hidden_layers[0](x))), the logits")}


def close(got, want) -> bool:
    """``expect_close``'s test, as a question."""
    got, want = np.asarray(got, dtype="float64"), np.asarray(want, dtype="float64")
    return got.shape == want.shape and bool(np.allclose(got, want, atol=1e-4, rtol=1e-4))


def registers(source, name: str) -> bool:
    """Whether the source registers class ``name`` with Keras: a decorator
    ``@...register_keras_serializable(...)`` on the class, or that call applied to it."""
    def is_register(node) -> bool:
        target = node.func if isinstance(node, ast.Call) else node
        path = source.dotted(target)
        return path.endswith(".register_keras_serializable") and path.startswith("keras.")

    node = source.class_def(name)
    if node is not None and any(is_register(d) for d in node.decorator_list):
        return True
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Call) and is_register(n.func)
               and any(isinstance(a, ast.Name) and a.id == name for a in n.args)
               for n in ast.walk(source.tree or ast.Module(body=[], type_ignores=[])))


def config_of(model) -> dict:
    with doing("calling your `get_config()`"):
        config = model.method("get_config")
    if not isinstance(config, dict):
        fail("get_config(): it should return a dict (the parent's config updated with the three "
             "hyper-parameters), but it returned something else.")
    return config


def expect_named(model, name: str, what: str) -> None:
    with doing(f"reading the name of {what}"):
        got = model.get("name")
    if got != name:
        shown = clean(repr(got)) if isinstance(got, str) else "no name"
        fail(f"{what[0].upper() + what[1:]} is named {shown}, not {name!r}: the name travels in the "
             "parent's part of the config and reaches Keras through **kwargs. Start get_config() "
             "from `super().get_config()`, and forward **kwargs in __init__.")


# -- the checks ----------------------------------------------------------------------------------

@check(points=1, concept="binding through self")
def test_binds_the_hyper_parameters(submission):
    "self.hidden_sizes, self.num_classes and self.dropout_rate keep the constructor arguments"
    args = draw_args(integer(1, 4))
    args["hidden_sizes"] = list(args["hidden_sizes"])  # a list here; a tuple in other checks
    model = build(model_class(submission), **args)
    run(model, features(3, 4), training=False)  # a model the judge follows (FOLLOW) holds them
    for attr, want in args.items():
        with doing(f"reading `self.{attr}`"):
            present = model.has(attr)
            got = model.get(attr) if present else None
        if not present or not same_value(attr, got, want):
            shown = "missing" if not present else clean(repr(got)) if not isinstance(got, Remote) else "an object"
            fail(f"Binding through self: for `{args_text(args)}`, `self.{attr}` should be {want!r}, "
                 f"but it is {shown}. Keep each constructor argument on the instance "
                 f"(`self.{attr} = {attr}`): get_config() reads them back from there.")


@check(points=2, concept="binding through self")
def test_binds_the_layers(submission):
    "self.hidden_layers, self.dropout and self.classifier are the right layers, tracked by Keras"
    args = draw_args(3)
    sizes, n_features = args["hidden_sizes"], integer(2, 7)
    model = build(model_class(submission), **args)
    run(model, features(4, n_features), training=False)
    hidden_count(model, sizes)
    layers = {}
    for i, (size, in_dim) in enumerate(zip(sizes, (n_features, *sizes))):
        layers[f"hidden_layers[{i}]"] = expect_dense(model, f"hidden_layers[{i}]", size, "relu", in_dim)
    layers["classifier"] = expect_dense(model, "classifier", args["num_classes"], "linear", sizes[-1])
    expect_dropout(model, args["dropout_rate"])
    with doing("reading `self.dropout`"):
        layers["dropout"] = model.describe("dropout", layers=False)
    expect_tracked(model, layers, exactly=False)


@check(points=2, concept="call() and output shapes")
@NO_SHRINK
@given(batch=st.integers(1, 6), n_features=st.integers(1, 6),
       hidden_sizes=st.lists(st.integers(1, 8), max_size=4), num_classes=st.integers(1, 6),
       as_tuple=st.booleans())
def test_output_shape(submission, batch, n_features, hidden_sizes, num_classes, as_tuple):
    "call() maps (batch, features) to (batch, num_classes) for any hidden_sizes of 0 to 4 entries"
    sizes = tuple(hidden_sizes) if as_tuple else list(hidden_sizes)
    model = build(model_class(submission), hidden_sizes=sizes, num_classes=num_classes)
    out = run(model, features(batch, n_features))
    what = (f"ConfigurableMLP(hidden_sizes={sizes!r}, num_classes={num_classes}) on a "
            f"({batch}, {n_features}) input")
    expect_shape(out, (batch, num_classes), what)
    if not np.all(np.isfinite(out)):
        fail(f"Output: {what} returned values that are not finite numbers.")


@check(points=2, concept="constructor arguments")
def test_depth_follows_hidden_sizes(submission):
    "The number and sizes of the Dense layers follow hidden_sizes (0 to 4 entries)"
    cls = model_class(submission)
    for entries in (0, 4):
        args = draw_args(entries, dropout=False)
        expect_computes(submission, build(cls, **args), args, f"`{args_text(args)}`",
                        hint="Loop over `hidden_sizes` in `__init__` to create one "
                             "`Dense(size, activation=\"relu\")` per entry (none for an empty "
                             "`hidden_sizes`), then apply them in order in `call()`, then the classifier.")


@check(points=1, concept="call() and output shapes", hidden=True)
def test_forward_pass_returns_logits(submission):
    "At inference call() is classifier(relu(...hidden(x))), logits with no softmax"
    args = draw_args(2)
    args["dropout_rate"] = 0.5
    expect_computes(submission, build(model_class(submission), **args), args, "your model",
                    hint="call() should pass the inputs through each of self.hidden_layers in order, "
                         "then self.classifier, and return its logits: no softmax, and dropout only "
                         "while training.")


@check(points=1, concept="dropout and training")
def test_dropout_follows_dropout_rate(submission):
    "Dropout(dropout_rate) drops units while training only, at the rate given"
    cls, x = model_class(submission), features(16, 6)
    rate = round(float(rng().uniform(0.3, 0.6)), 2)
    model = build(cls, hidden_sizes=(32,), num_classes=4, dropout_rate=rate)
    infer = run(model, x, training=False)
    expect_close(run(model, x, training=False), infer,
                 "With training=False two calls gave different outputs",
                 hint="Dropout must be inactive at inference: pass `training` to it, or let Keras "
                      "pass it down, and do not force `training=True`.")
    if np.allclose(run(model, x, training=True), infer, atol=1e-6):
        fail(f"Dropout: with dropout_rate={rate}, a call with training=True gave the same output as "
             "inference, so no unit was dropped. Apply `self.dropout` in `call()` (after the hidden "
             "layers), and build it from the argument: `self.dropout = Dropout(dropout_rate)`.")
    model = build(cls, hidden_sizes=(32,), num_classes=4, dropout_rate=0.0)
    infer = run(model, x, training=False)
    if added_layers(model, 1):  # a BatchNormalization or a Dropout of the learner's own acts in training
        expect_dropout(model, 0.0, "`self.dropout` with dropout_rate=0.0")
        return
    expect_close(run(model, x, training=True), infer,
                 "Dropout: with dropout_rate=0.0 training and inference outputs differ",
                 hint="Nothing should be dropped at rate 0: use the `dropout_rate` argument, "
                      "not a fixed rate.")


@check(points=2, concept="get_config")
def test_get_config_extends_super(submission):
    "get_config() returns super().get_config() plus hidden_sizes, num_classes and dropout_rate"
    cls = model_class(submission)
    args, name = draw_args(2), f"configured_{integer(1000, 10_000)}"
    model = build(cls, **args, name=name)
    run(model, features(2, 3), training=False)
    config = config_of(model)
    for key, want in args.items():
        if key not in config:
            fail(f"get_config(): the config has no {key!r} key (its keys: "
                 f"{clean(repr(sorted(config)[:12]))}). from_config() calls `ConfigurableMLP(**config)`, "
                 f"so every constructor argument must be in it: `config.update({{\"{key}\": self.{key}, "
                 "...})`.")
        if not same_value(key, config[key], want):
            fail(f"get_config(): for a model built with {key}={want!r} the config says {key}="
                 f"{clean(repr(config[key]))}. Store the argument's value, from `self.{key}`.")
    missing = [k for k in PARENT_KEYS if k not in config]
    if missing:
        fail(f"get_config(): the config lacks {', '.join(map(repr, missing))}, which Keras's own "
             "`get_config()` provides (name, trainable, dtype). Start from the parent's config: "
             "`config = super().get_config()`, then `config.update({...})` and return it.")
    # The config is the child's word: what it is worth is the model it rebuilds.
    rebuilt = build(cls, **config)
    what = "the model rebuilt as `ConfigurableMLP(**model.get_config())`"
    expect_named(rebuilt, name, what)
    expect_computes(submission, rebuilt, args, what,
                    hint="get_config() should hold every constructor argument, with the values the "
                         "model was built with.")
    expect_dropout(rebuilt, args["dropout_rate"], "the rebuilt model's `self.dropout`")


@check(points=1, concept="get_config")
def test_from_config_rebuilds_the_model(submission):
    "ConfigurableMLP.from_config(model.get_config()) rebuilds an equivalent model"
    cls = model_class(submission)
    args, name = draw_args(2), f"original_{integer(1000, 10_000)}"
    model = build(cls, **args, name=name)
    x = features(5, integer(2, 7))
    want = expect_computes(submission, model, args, "your model", hint="", x=x)
    config = config_of(model)
    with doing("rebuilding your model with `ConfigurableMLP.from_config(model.get_config())`"):
        clone = cls.method("from_config", config)
    if not isinstance(clone, Remote):
        fail("from_config(get_config()) did not return a model.")
    what = "the model rebuilt by `from_config(get_config())`"
    expect_named(clone, name, what)
    expect_computes(submission, clone, args, what, x=x,
                    hint="put `\"hidden_sizes\"` and `\"num_classes\"` in the dict get_config() returns, "
                         "with the values the model was built with.")
    expect_dropout(clone, args["dropout_rate"], "the rebuilt model's `self.dropout`")
    with doing("copying the original's weights into the rebuilt model"):
        clone.set_weights(model.get_weights())
    expect_close(run(clone, x, "calling the rebuilt model", training=False), want,
                 "With the original's weights, the rebuilt model and the original give different outputs",
                 hint="get_config() should hold every constructor argument, and __init__ should "
                      "build the same layers from them.")


@check(points=1, concept="serialization")
def test_registered_as_keras_serializable(submission):
    "The class is registered with Keras, so load_model can find it by name"
    cls = model_class(submission)
    build(cls)  # a class that cannot even be built earns nothing here
    with doing("asking Keras for your class's registered name"):
        registered = cls.channel.request("registered", cls=cls.ref)
    says = isinstance(registered, dict) and registered.get("same") is True
    if says and not registers(submission.source, CLASS):
        # Registered some other way than the decorator: believed once a saved model loads back.
        args = {"hidden_sizes": (4,), "num_classes": 3, "dropout_rate": 0.0}
        model = build(cls, **args)
        run(model, features(2, 3), training=False)
        with doing("saving your model and loading it back"):
            loaded = model.channel.request("save_and_load", obj=model.ref)
        says = isinstance(loaded, Ref)
    if not says:
        fail("Serialization: Keras does not know `ConfigurableMLP` by name, so "
             "`keras.models.load_model` cannot rebuild it. Decorate the class: "
             "`@keras.saving.register_keras_serializable(package=\"my_course\")` (with `import keras`), "
             "or `@tf.keras.utils.register_keras_serializable(...)`, on the line above `class`.")


@check(points=2, concept="serialization")
def test_save_and_load_round_trip(submission):
    "model.save('m.keras') then keras.models.load_model('m.keras') gives identical outputs"
    cls = model_class(submission)
    args = draw_args(2)
    model = build(cls, **args)
    x = features(6, integer(2, 7))
    want = expect_computes(submission, model, args, "your model", hint="", x=x)
    try:
        loaded = model.channel.request("save_and_load", obj=model.ref)
    except LearnerError as e:  # saving or loading failed: that is the lesson
        step = "saving with `model.save(\"m.keras\")`" if e.error.lesson == "saving" \
            else "loading with `keras.models.load_model(\"m.keras\")`"
        fail(f"Serialization: {step} failed: {clean(e.error.kind)}: {clean(e.error.text)}"
             "\n  Loading rebuilds the model from get_config() through the registered class, then "
             "loads the weights: register the class (`@keras.saving.register_keras_serializable()`), "
             "and make get_config() return `super().get_config()` updated with every constructor "
             "argument.")
    if not isinstance(loaded, Ref):
        fail("Serialization: load_model did not return a model.")
    loaded = Remote(model.channel, loaded, CLASS)
    with doing("reading what load_model returned"):
        kind = loaded.describe(layers=False).get("class")
    if kind != CLASS:
        fail(f"Serialization: load_model returned a {clean(kind) or 'something'}, not a ConfigurableMLP.")
    expect_close(run(loaded, x, "calling the model returned by load_model", training=False), want,
                 "The model returned by load_model gives other outputs than the one saved",
                 hint="get_config() should describe the whole architecture, so that the saved "
                      "weights land in the same layers.")
    expect_computes(submission, loaded, args, "the model returned by load_model", x=x,
                    hint="get_config() should describe the whole architecture.")
    expect_dropout(loaded, args["dropout_rate"], "the loaded model's `self.dropout`")


@check(points=2, concept="training")
def test_learns_from_logits(submission):
    "Trained with a from_logits loss, the model learns three separable classes (on data it did not see)"
    x, y = blobs(256, 6, 3, spread=0.5)
    fit_rows, held_out = split(len(y))
    model = build(model_class(submission), hidden_sizes=(16,), num_classes=3, dropout_rate=0.1)
    train(model, x[fit_rows], y[fit_rows], loss={"class": "SparseCategoricalCrossentropy", "from_logits": True},
          epochs=6, batch_size=64)
    answer = run(model, x[held_out], "measuring your trained model on new data", training=False)
    if answer.shape != (len(held_out), 3):
        fail(f"Training: the trained model's output on {len(held_out)} rows has shape {answer.shape}.")
    # Judged on the judge's own arithmetic with the weights training left in the named layers
    # (Dropout passes its input on unchanged at inference); the answer must be what they compute.
    kernel, bias = layer_weights(model, "hidden_layers[0]", [(6, 16), (16,)],
                                 "reading the trained `self.hidden_layers[0]`")
    w_out, b_out = layer_weights(model, "classifier", [(16, 3), (3,)], "reading the trained `self.classifier`")
    logits = activation("relu", x[held_out] @ kernel + bias) @ w_out + b_out
    if not close(answer, logits):  # a layer the learner added, followed with its trained weights
        followed_logits = follow_added(model, x[held_out], answer, [(kernel, bias), (w_out, b_out)],
                                       draw_weights=False)
        logits = logits if followed_logits is None else followed_logits
    expect_close(answer, logits, "After training, your model's output on new data is not what its trained "
                 "layers compute", hint="At inference, call() should apply each of self.hidden_layers, then "
                 "self.dropout (which passes its input on unchanged), then self.classifier, and nothing else.")
    acc = float(np.mean(np.argmax(logits, -1) == y[held_out]))
    z = logits - logits.max(-1, keepdims=True)
    loss = float(np.mean(np.log(np.exp(z).sum(-1)) - z[np.arange(len(held_out)), y[held_out]]))
    if acc < 0.8 or loss > 0.4:
        fail(f"Training: after 6 epochs the accuracy on new data is {acc:.2f} (0.8 wanted) and the "
             f"loss {loss:.2f} (0.4 at most wanted), on an easy task. The model should return logits: "
             "`Dense(num_classes)` with no activation, since the loss applies the softmax "
             "(`from_logits=True`); a softmax there squashes the scores and the loss cannot fall.")
