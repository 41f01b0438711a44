"""Grader for ex02_config_and_super: ConfigurableMLP, constructor arguments and get_config."""
import numbers
import os
import tempfile

import keras
import numpy as np
from hypothesis import Phase, given, strategies as st

from kerasgrade.checks import check, grading_settings
from kerasgrade.expect import (accuracy, blobs, build, doing, expect_activation, expect_close,
                               expect_forwards_kwargs, expect_layer, expect_shape,
                               expect_super_first, expect_tracked, fail, features, get_class, run,
                               to_numpy, train)

Dense, Dropout = keras.layers.Dense, keras.layers.Dropout
# No shrinking: hypothesis's first failing case is already small (it starts from the simplest
# one), while shrinking a model that always fails re-runs it until the check's time is up.
NO_SHRINK = grading_settings(phases=(Phase.explicit, Phase.reuse, Phase.generate))


def model_class(submission):
    return get_class(submission, "ConfigurableMLP")


def _sizes(value):
    """``hidden_sizes`` as a tuple of ints whether it is a list, a tuple or Keras's wrapper of one."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        return None
    try:
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        return None


def _same(attr, got, want) -> bool:
    if attr == "hidden_sizes":
        return _sizes(got) == tuple(want)
    return isinstance(got, numbers.Real) and not isinstance(got, bool) and abs(got - want) < 1e-9


def _hidden_layers(model, sizes) -> list:
    """``self.hidden_layers``: a list (or tuple) of one Dense(size, relu) per entry of ``sizes``."""
    value = getattr(model, "hidden_layers", None)
    if value is None:
        fail("Binding through self: the model has no `self.hidden_layers`. Create the hidden "
             "layers in `__init__` as a list, one per entry of `hidden_sizes`: "
             "`self.hidden_layers = [Dense(size, activation=\"relu\") for size in hidden_sizes]`.")
    if isinstance(value, (dict, str)) or not hasattr(value, "__len__") or not hasattr(value, "__iter__"):
        fail(f"Binding through self: `self.hidden_layers` should be a list of Dense layers, but it is "
             f"a {type(value).__name__}. Write `self.hidden_layers = [Dense(size, activation=\"relu\") "
             "for size in hidden_sizes]`.")
    layers = list(value)
    if len(layers) != len(sizes):
        fail(f"Binding through self: with hidden_sizes={tuple(sizes)} the list `self.hidden_layers` "
             f"should hold {len(sizes)} Dense layer(s), one per entry, but it holds {len(layers)}. "
             "Build the list from `hidden_sizes` with a loop, not a fixed number of layers.")
    for i, (layer, size) in enumerate(zip(layers, sizes)):
        if not isinstance(layer, Dense) or getattr(layer, "units", None) != size:
            got = (f"Dense({layer.units})" if isinstance(layer, Dense) else type(layer).__name__)
            fail(f"Binding through self: `self.hidden_layers[{i}]` should be `Dense({size}, "
                 f"activation=\"relu\")` (hidden_sizes={tuple(sizes)}), but it is {got}.")
        expect_activation(layer, f"hidden_layers[{i}]", "relu")
    return layers


def _logits(model, x, sizes) -> np.ndarray:
    """What the model should return at inference, computed from its own weights."""
    h = np.asarray(x, dtype="float64")
    for layer in _hidden_layers(model, sizes):
        h = np.maximum(h @ to_numpy(layer.kernel) + to_numpy(layer.bias), 0)
    classifier = expect_layer(model, "classifier", Dense)
    return h @ to_numpy(classifier.kernel) + to_numpy(classifier.bias)


def _config(model) -> dict:
    with doing("calling your `get_config()`"):
        config = model.get_config()
    if not isinstance(config, dict):
        fail(f"get_config(): it should return a dict (the parent's config updated with the three "
             f"hyper-parameters), but it returned a {type(config).__name__}.")
    return config


@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "ConfigurableMLP subclasses tf.keras.Model and can be built and called"
    model = build(model_class(submission), hidden_sizes=(8,), num_classes=3)
    run(model, features(4, 5))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "ConfigurableMLP(name=...) reaches Keras through **kwargs"
    expect_forwards_kwargs(model_class(submission), hidden_sizes=(4,), num_classes=3)


@check(points=1, concept="binding through self")
def test_binds_the_hyper_parameters(submission):
    "self.hidden_sizes, self.num_classes and self.dropout_rate keep the constructor arguments"
    args = {"hidden_sizes": [5, 3], "num_classes": 4, "dropout_rate": 0.25}
    model = build(model_class(submission), **args)
    for attr, want in args.items():
        got = getattr(model, attr, "nothing")
        if not _same(attr, got, want):
            got = "missing" if isinstance(got, str) and got == "nothing" else repr(got)
            fail(f"Binding through self: for `ConfigurableMLP(hidden_sizes=[5, 3], num_classes=4, "
                 f"dropout_rate=0.25)`, `self.{attr}` should be {want!r}, but it is {got}. Keep each "
                 f"constructor argument on the instance (`self.{attr} = {attr}`): get_config() "
                 "reads them back from there.")


@check(points=2, concept="binding through self")
def test_binds_the_layers(submission):
    "self.hidden_layers, self.dropout and self.classifier are the right layers, tracked by Keras"
    sizes = (6, 5, 4)
    model = build(model_class(submission), hidden_sizes=sizes, num_classes=3, dropout_rate=0.3)
    hidden = _hidden_layers(model, sizes)
    dropout = expect_layer(model, "dropout", Dropout, rate=0.3)
    classifier = expect_layer(model, "classifier", Dense, units=3)
    z = np.linspace(-3, 3, 12, dtype="float32").reshape(3, 4)
    act = getattr(classifier, "activation", None)
    if not callable(act) or not np.allclose(to_numpy(act(z)), z, atol=1e-6):
        fail("Logits: `self.classifier` should be `Dense(num_classes)` with no activation, so the "
             "model returns logits (raw scores); the loss applies the softmax itself "
             "(`from_logits=True`). Remove the activation from the classifier.")
    tracked = {f"hidden_layers[{i}]": layer for i, layer in enumerate(hidden)}
    expect_tracked(model, {**tracked, "dropout": dropout, "classifier": classifier})


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "Layers are created once in __init__: the same input gives the same output on every call"
    model = build(model_class(submission), hidden_sizes=(8,), num_classes=3)
    x = features(6, 5)
    first = run(model, x)
    layers = [id(l) for l in model.layers]
    second = run(model, x)
    expect_close(second, first, "Calling the model twice on the same input gave different outputs",
                 hint="Create the layers in __init__, not in call(): a layer created in call() "
                      "gets new random weights every time.")
    if [id(l) for l in model.layers] != layers:
        fail("The model's layers are new objects after a second call: create them once in "
             "`__init__`, never in `call()`.")
    if len(model.trainable_weights) != 4:
        fail(f"With hidden_sizes=(8,), the model should own 4 trainable weights after a call (a "
             f"kernel and a bias per Dense layer), but Keras tracks {len(model.trainable_weights)}.")


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
    expect_shape(out, (batch, num_classes),
                 f"ConfigurableMLP(hidden_sizes={sizes!r}, num_classes={num_classes}) on a "
                 f"({batch}, {n_features}) input")


@check(points=2, concept="constructor arguments")
def test_depth_follows_hidden_sizes(submission):
    "The number and sizes of the Dense layers follow hidden_sizes (0 to 4 entries)"
    cls = model_class(submission)
    for sizes in [(), (6, 5, 4, 3)]:
        model = build(cls, hidden_sizes=sizes, num_classes=2)
        run(model, features(3, 4))
        want = list(zip((4,) + sizes, sizes + (2,)))
        got = [tuple(w.shape) for w in model.trainable_weights if len(w.shape) == 2]
        if got != want or len(model.trainable_weights) != 2 * len(want):
            fail(f"Constructor arguments: with hidden_sizes={sizes} and a 4-feature input the model "
                 f"should have {len(want)} Dense layer(s), kernels of shapes {want} in order, but its "
                 f"kernels are {got}. Loop over `hidden_sizes` in `__init__` to create one "
                 "`Dense(size, activation=\"relu\")` per entry, then the classifier.")


@check(points=1, concept="call() and output shapes", hidden=True)
def test_forward_pass_returns_logits(submission):
    "At inference call() is classifier(relu(...hidden(x))), logits with no softmax"
    model = build(model_class(submission), hidden_sizes=(6, 5), num_classes=4, dropout_rate=0.5)
    x = features(5, 3, seed=np.random.randint(1000)) * 2
    out = run(model, x, training=False)
    expect_close(out, _logits(model, x, (6, 5)),
                 "At inference the output is not classifier(hidden_layers[-1](...hidden_layers[0](x)))",
                 hint="call() should pass the inputs through each of self.hidden_layers in order, "
                      "then self.classifier, and return its logits: no softmax, and dropout only "
                      "while training.")


@check(points=1, concept="dropout and training")
def test_dropout_follows_dropout_rate(submission):
    "Dropout(dropout_rate) drops units while training only, at the rate given"
    cls, x = model_class(submission), features(16, 6, seed=2)
    model = build(cls, hidden_sizes=(32,), num_classes=4, dropout_rate=0.5)
    infer = run(model, x, training=False)
    expect_close(run(model, x, training=False), infer,
                 "With training=False two calls gave different outputs",
                 hint="Dropout must be inactive at inference: pass `training` to it, or let Keras "
                      "pass it down, and do not force `training=True`.")
    if np.allclose(run(model, x, training=True), infer, atol=1e-6):
        fail("Dropout: with dropout_rate=0.5, a call with training=True gave the same output as "
             "inference, so no unit was dropped. Apply `self.dropout` in `call()` (after the hidden "
             "layers), and build it from the argument: `self.dropout = Dropout(dropout_rate)`.")
    model = build(cls, hidden_sizes=(32,), num_classes=4, dropout_rate=0.0)
    expect_close(run(model, x, training=True), run(model, x, training=False),
                 "Dropout: with dropout_rate=0.0 training and inference outputs differ",
                 hint="Nothing should be dropped at rate 0: use the `dropout_rate` argument, "
                      "not a fixed rate.")


@check(points=2, concept="get_config")
def test_get_config_extends_super(submission):
    "get_config() returns super().get_config() plus hidden_sizes, num_classes and dropout_rate"
    args = {"hidden_sizes": (6, 3), "num_classes": 4, "dropout_rate": 0.25}
    model = build(model_class(submission), **args, name="configured")
    config = _config(model)
    for key, want in args.items():
        if key not in config:
            fail(f"get_config(): the config has no {key!r} key (its keys: {sorted(config)}). "
                 "from_config() calls `ConfigurableMLP(**config)`, so every constructor argument "
                 f"must be in it: `config.update({{\"{key}\": self.{key}, ...}})`.")
        if not _same(key, config[key], want):
            fail(f"get_config(): for a model built with {key}={want!r} the config says "
                 f"{key}={config[key]!r}. Store the argument's value, from `self.{key}`.")
    parent = keras.Model.get_config(model)
    missing = [k for k in parent if k not in config]
    if missing:
        fail(f"get_config(): the config lacks {', '.join(map(repr, missing))}, which Keras's own "
             "`get_config()` provides (name, trainable, dtype). Start from the parent's config: "
             "`config = super().get_config()`, then `config.update({...})` and return it.")


@check(points=1, concept="get_config")
def test_from_config_rebuilds_the_model(submission):
    "ConfigurableMLP.from_config(model.get_config()) rebuilds an equivalent model"
    cls = model_class(submission)
    model = build(cls, hidden_sizes=(6, 3), num_classes=4, dropout_rate=0.25, name="original")
    x = features(5, 4, seed=3)
    out = run(model, x, training=False)
    config = _config(model)
    with doing("rebuilding your model with `ConfigurableMLP.from_config(model.get_config())`"):
        clone = cls.from_config(config)
    clone_name = getattr(clone, "name", None)
    if clone_name != "original":
        fail(f"from_config(get_config()) rebuilt a model named {clone_name!r}, not 'original': the "
             "name travels in the parent's part of the config and reaches Keras through **kwargs. "
             "Start get_config() from `super().get_config()`, and forward **kwargs in __init__.")
    run(clone, x, "calling the model rebuilt by from_config")
    shapes = [tuple(w.shape) for w in model.weights]
    if [tuple(w.shape) for w in clone.weights] != shapes:
        fail("from_config(get_config()) rebuilt a model whose layers have other sizes than the "
             f"original's (weights of shapes {[tuple(w.shape) for w in clone.weights]} instead of "
             f"{shapes}): put `\"hidden_sizes\"` and `\"num_classes\"` in the dict get_config() "
             "returns, with the values the model was built with.")
    rate = getattr(getattr(clone, "dropout", None), "rate", None)
    if rate != getattr(getattr(model, "dropout", None), "rate", None):
        fail(f"from_config(get_config()) rebuilt a model whose dropout rate is {rate!r}, not 0.25: "
             "put `\"dropout_rate\": self.dropout_rate` in the dict get_config() returns.")
    with doing("copying the original's weights into the rebuilt model"):
        clone.set_weights(model.get_weights())
    expect_close(run(clone, x, training=False), out,
                 "With the same weights, the rebuilt model and the original give different outputs",
                 hint="get_config() should hold every constructor argument, and __init__ should "
                      "build the same layers from them.")


@check(points=1, concept="serialization")
def test_registered_as_keras_serializable(submission):
    "The class is registered with Keras, so load_model can find it by name"
    cls = model_class(submission)
    build(cls)
    name = keras.saving.get_registered_name(cls)
    if keras.saving.get_registered_object(name) is not cls:
        fail("Serialization: Keras does not know `ConfigurableMLP` by name, so "
             "`keras.models.load_model` cannot rebuild it. Decorate the class: "
             "`@keras.saving.register_keras_serializable(package=\"my_course\")` (or "
             "`@tf.keras.utils.register_keras_serializable(...)`) on the line above `class`.")


@check(points=2, concept="serialization")
def test_save_and_load_round_trip(submission):
    "model.save('m.keras') then keras.models.load_model('m.keras') gives identical outputs"
    cls = model_class(submission)
    model = build(cls, hidden_sizes=(5, 4), num_classes=3, dropout_rate=0.25)
    x = features(6, 4, seed=4)
    out = run(model, x, training=False)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.keras")
        with doing("saving your model with `model.save(\"m.keras\")`"):
            model.save(path)
        try:
            loaded = keras.models.load_model(path)
        except Exception as e:  # noqa: BLE001 - any failure to load is the lesson
            first = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
            fail(f"Serialization: `keras.models.load_model(\"m.keras\")` failed: {type(e).__name__}: "
                 f"{first}\n  Loading rebuilds the model from get_config() through the registered "
                 "class, then loads the weights: register the class "
                 "(`@keras.saving.register_keras_serializable()`), and make get_config() return "
                 "`super().get_config()` updated with every constructor argument.")
    if not isinstance(loaded, cls):
        fail(f"Serialization: load_model returned a {type(loaded).__name__}, not a ConfigurableMLP.")
    expect_close(run(loaded, x, training=False, what="calling the model returned by load_model"), out,
                 "The model returned by load_model gives other outputs than the one saved",
                 hint="get_config() should describe the whole architecture, so that the saved "
                      "weights land in the same layers.")


@check(points=2, concept="training")
def test_learns_from_logits(submission):
    "Trained with a from_logits loss, the model learns three separable classes"
    x, y = blobs(192, 6, 3, seed=0)
    model = build(model_class(submission), hidden_sizes=(16,), num_classes=3, dropout_rate=0.1)
    train(model, x, y, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), epochs=3,
          batch_size=64)
    acc = accuracy(model, x, y)
    logits = run(model, x, training=False).astype("float64")
    logits -= logits.max(-1, keepdims=True)
    loss = float(np.mean(np.log(np.exp(logits).sum(-1)) - logits[np.arange(len(y)), y]))
    if acc < 0.9 or loss > 0.3:
        fail(f"Training: after 3 epochs the accuracy is {acc:.2f} (0.9 wanted) and the loss "
             f"{loss:.2f} (0.3 at most wanted), on an easy task. The model should return logits: "
             "`Dense(num_classes)` with no softmax, since the loss applies it (`from_logits=True`); "
             "a softmax there squashes the scores and the loss cannot fall.")
