"""Grader for ex03_custom_layer: Linear, a layer with its own weights, and LinearRegressor.

Written for the judge (``JUDGED``): every check runs outside the learner's process and asks
it, through ``submission``, to build, call, describe, set weights and train; inputs, weights
and targets are the judge's own draws. What the layer is made of is read from the source
(``build()`` calls ``add_weight``; no built-in layer inside ``Linear``) and from what Keras
tracks; what it computes is believed once, given weights the judge set, it returns the
judge's ``x @ W + b``; what it learned is judged from its predictions on inputs it never saw.
"""
import ast
import dataclasses

import numpy as np
from hypothesis import Phase, given, strategies as st

from kerasgrade.checks import check, grading_settings
from kerasgrade.grading.draw import features, integer, rng, split, weights_like
from kerasgrade.grading.expect import (Forward, build, clean, close, doing, expect_close, expect_shape, expect_tracked,
                                       fail, get_class, layer_weights, run, train)
from kerasgrade.grading.opening import opening_checks

JUDGED = True
LAYER, MODEL = "Linear", "LinearRegressor"
# Keras classes a Linear layer may name in its own body (they are not layers it computes with).
NOT_LAYERS = ("Layer", "InputSpec")
# No shrinking: hypothesis's first failing case is already small (it starts from the simplest
# one), while shrinking a layer that always fails re-runs it until the check's time is up.
NO_SHRINK = grading_settings(phases=(Phase.explicit, Phase.reuse, Phase.generate))


def affine(model, path: str | None, x, got) -> np.ndarray:
    """``x @ kernel + bias``, computed by the judge from the weights the layer (``model.<path>``,
    or the model itself) holds now, for as many units as the output has: ``FOLLOW``. A kernel
    created transposed and transposed back, or a bias left out of call(), is computed too (the
    checks of build() and of the output name those mistakes)."""
    x = np.asarray(x, dtype="float64")
    units = got.shape[-1] if isinstance(got, np.ndarray) and got.ndim == 2 else 0
    with doing(f"reading the weights of {f'`self.{path}`' if path else 'your layer'}"):
        held = model.get_weights(path=path)
    arrays = [np.asarray(w, dtype="float64") for w in held if isinstance(w, np.ndarray)] \
        if isinstance(held, list) and len(held) <= 4 else []
    kernels = [k for w in arrays if w.ndim == 2 for k in (w, w.T) if k.shape == (x.shape[1], units)]
    biases = [w for w in arrays if w.shape == (units,)]
    for kernel in kernels:
        for want in ([x @ kernel + b for b in biases] + [x @ kernel]):
            if close(got, want):
                return want
    kernel, bias = layer_weights(model, path, [(x.shape[1], units), (units,)])
    return x @ kernel + bias


# Every output a check reads is first the judge's own computation (``run``).
FOLLOW = {LAYER: Forward(lambda layer, x, got, **_: affine(layer, None, x, got), "inputs @ kernel + bias"),
          MODEL: Forward(lambda model, x, got, **_: affine(model, "linear", x, got),
                         "self.linear(inputs), that is inputs @ kernel + bias")}


def linear_class(submission):
    return get_class(submission, LAYER, base="Layer")


def regressor_class(submission):
    return get_class(submission, MODEL)


def named(checks: dict, name: str) -> dict:
    """The opening checks of class ``name``, whose titles say which class's ``__init__``."""
    for fn in checks.values():
        if fn.kerasgrade_check.title.startswith("__init__"):
            fn.kerasgrade_check = dataclasses.replace(fn.kerasgrade_check,
                                                      title=f"{name}.{fn.kerasgrade_check.title}")
    return checks


globals().update(named(opening_checks(LAYER, base="Layer", inputs=lambda: features(4, 3), output_shape=(4, 32)),
                       LAYER))
globals().update(named(opening_checks(MODEL, prefix="regressor_", inputs=lambda: features(4, 3),
                                      output_shape=(4, 1), persistent=("linear",)), MODEL))


# -- what the judge reads and verifies itself ----------------------------------------------------

def sizes() -> tuple[int, int]:
    """An input size and a number of units, different (a transposed kernel cannot fit both)."""
    input_dim = integer(2, 7)
    units = integer(2, 6)
    return input_dim, units + (units >= input_dim)


def weights_of(layer, path: str | None = None, what: str = "") -> list[dict]:
    """The weights Keras tracks on the layer, as described: shape, id, trainable."""
    with doing(f"reading the weights of {what or '`' + LAYER + '`'}"):
        info = layer.describe(path, layers=False)
    trainable = set(info.get("trainable", [])) if isinstance(info.get("trainable"), list) else set()
    return [{"shape": tuple(w.get("shape", ())), "id": w.get("id"), "trainable": w.get("id") in trainable,
             "path": clean(w.get("path"))} for w in info.get("weights", []) if isinstance(w, dict)]


def expect_two_weights(layer, input_dim: int, units: int, path: str | None = None, what: str = "") -> list:
    """After a call on ``input_dim`` features: exactly a kernel ``(input_dim, units)`` and a bias
    ``(units,)``, trainable, as Keras tracks them. Their shapes, in Keras's order."""
    what = what or f"`{LAYER}({units})`"
    weights = weights_of(layer, path, what)
    shapes = [w["shape"] for w in weights]
    if sorted(shapes, key=len) != [(units,), (input_dim, units)]:
        names = ", ".join(f"{w['path']} {w['shape']}" for w in weights[:6]) or "none"
        transposed = (units, input_dim) in shapes
        fail(f"Custom layer: after a call on {input_dim} features, {what} should own exactly two weights, "
             f"a kernel of shape {(input_dim, units)} and a bias of shape {(units,)}, but Keras tracks "
             f"{len(weights)}: {names}. "
             + ("The kernel maps the input features to the units: its shape is `(input_shape[-1], "
                "self.units)`, so that `inputs @ self.kernel` needs no transpose." if transposed else
                "Create exactly these two in `build(self, input_shape)` with `self.add_weight`: "
                "`shape=(input_shape[-1], self.units)` and `shape=(self.units,)`."))
    if not all(w["trainable"] for w in weights):
        fail(f"Custom layer: the kernel and the bias of {what} should be trainable (the default of "
             "`add_weight`): do not pass `trainable=False`.")
    return shapes


def expect_affine(submission, layer, input_dim: int, units: int, path: str | None = None, what: str = "",
                  call=None) -> None:
    """Given a kernel and a bias the judge drew, set on the layer, ``call(x)`` (by default the
    layer itself) returns the judge's ``x @ W + b`` on the judge's inputs."""
    what = what or f"`{LAYER}({units})`"
    shapes = expect_two_weights(layer, input_dim, units, path, what)
    drawn = weights_like(shapes)
    kernel = next(w for w in drawn if w.ndim == 2)
    bias = next(w for w in drawn if w.ndim == 1)
    x = features(5, input_dim)
    with doing(f"setting the grader's kernel and bias on {what}"):
        layer.set_weights(drawn, path=path)
    out = call(x) if call is not None else run(layer, x, f"calling {what} with the grader's weights")
    expect_close(out, x.astype("float64") @ kernel + bias,
                 f"Given the grader's kernel and bias, the output of {what} is not inputs @ kernel + bias",
                 hint="call() should return `tf.matmul(inputs, self.kernel) + self.bias` (or "
                      "`inputs @ self.kernel + self.bias`), with no activation.")


def builds_its_weights(cls) -> bool:
    """Whether ``Linear(units).build((None, input_dim))``, called by the judge before any call,
    creates two weights: what "weights are created in build()" means, seen run."""
    input_dim, units = 3, 2  # fixed: the check's own draws stay as they were
    layer = build(cls, units)
    with doing(f"calling `Linear({units}).build((None, {input_dim}))`"):
        layer.method("build", (None, input_dim))
    return len(weights_of(layer)) == 2


def built_in_layers(source, name: str) -> list[str]:
    """The Keras layers (``Dense``, ``keras.Sequential``, ...) that class ``name``'s body names."""
    node = source.class_def(name)
    found = []
    for n in ast.walk(node) if node is not None else ():
        if isinstance(n, (ast.Name, ast.Attribute)):
            path = source.dotted(n)
            last = path.rsplit(".", 1)[-1]
            if (path.startswith("keras.layers.") and last[:1].isupper() and last not in NOT_LAYERS
                    or path in ("keras.Sequential", "keras.models.Sequential")) and last not in found:
                found.append(last)
    return found


def call_on_its_own(model, path: str, x) -> np.ndarray:
    with doing(f"calling `self.{path}` on its own"):
        out = model.call_path(path, x)
    if not isinstance(out, np.ndarray):
        fail(f"`self.{path}`, called on an input of shape {x.shape}, should return a tensor.")
    return out


# -- the checks ----------------------------------------------------------------------------------

@check(points=1, concept="binding through self")
def test_regressor_binds_a_linear_layer(submission):
    "LinearRegressor binds self.linear = Linear(1), your own layer, tracked by Keras"
    linear = linear_class(submission)
    model = build(regressor_class(submission))
    input_dim = integer(2, 7)
    run(model, features(5, input_dim))
    with doing("reading `self.linear`"):
        present = model.has("linear")
        info = model.describe("linear", layers=False) if present else {}
        own = present and model.get("linear").isinstance_of(linear)
    if not present or info.get("class") != LAYER or not own:
        got = "nothing" if not present else f"a {clean(info.get('class')) or 'something else'}"
        fail(f"Binding through self: `LinearRegressor` should bind `self.linear = Linear(1)`, your own "
             f"layer, in `__init__`; it binds {got}. The point of the exercise is to use the layer you "
             "wrote, not a built-in one.")
    expect_affine(submission, model, input_dim, 1, path="linear", what="`self.linear`",
                  call=lambda x: call_on_its_own(model, "linear", x))
    expect_tracked(model, {"linear": info}, exactly=False)


@check(points=1, concept="build()")
def test_no_weights_before_the_first_call(submission):
    "Weights are created in build(), on the first call, from the input size"
    cls = linear_class(submission)
    for _ in range(2):
        input_dim, units = sizes()
        layer = build(cls, units)
        before = weights_of(layer)
        if before:
            fail(f"build(): `Linear({units})` already owns {len(before)} weight(s) before its first call. "
                 "The input size is not known in `__init__`: create the weights in "
                 "`build(self, input_shape)`, which Keras calls on the first call with the input's "
                 "shape, and use `input_shape[-1]` as the kernel's first dimension.")
        run(layer, features(2, input_dim))
        expect_affine(submission, layer, input_dim, units)


@check(points=2, concept="build()")
def test_build_creates_kernel_and_zero_bias(submission):
    "build() creates self.kernel (input_dim, units) and self.bias (units,) of zeros with add_weight"
    cls = linear_class(submission)
    if not builds_its_weights(cls):
        fail("build(): `Linear(2).build((None, 3))`, called before any call, should create the kernel "
             "and the bias (two weights Keras tracks). Create them in `build(self, input_shape)`, "
             "once the input size is known: `self.kernel = self.add_weight(shape=(input_shape[-1], "
             "self.units), ...)` and `self.bias = self.add_weight(shape=(self.units,), "
             "initializer=\"zeros\")`.")
    input_dim, units = sizes()
    layer = build(cls, units)
    zeros = np.zeros((3, input_dim), dtype="float32")
    start = run(layer, zeros, f"calling a new `Linear({units})` on zeros")
    with doing("reading `self.kernel` and `self.bias`"):
        own = {attr: layer.describe(attr, layers=False) if layer.has(attr) else None
               for attr in ("kernel", "bias")}
    for attr, info in own.items():
        if info is None:
            fail(f"build(): after its first call, `Linear({units})` has no `self.{attr}`. In "
                 f"`build(self, input_shape)`, create it with `self.{attr} = self.add_weight(shape="
                 f"{'(input_shape[-1], self.units)' if attr == 'kernel' else '(self.units,)'}, ...)`.")
    expect_two_weights(layer, input_dim, units)
    ids = {w["id"]: w["shape"] for w in weights_of(layer)}
    for attr, shape in (("kernel", (input_dim, units)), ("bias", (units,))):
        if ids.get(own[attr].get("id")) != shape:
            fail(f"build(): `self.{attr}` should be the weight of shape {shape} that `self.add_weight` "
                 "returned, the one Keras tracks: bind the result of `add_weight` on `self`.")
    if np.shape(start) != (3, units) or not np.allclose(start, 0, atol=1e-6):
        row = np.array2string(np.asarray(start).reshape(-1)[:units], precision=3)
        fail(f"build(): the bias should start at zero (`initializer=\"zeros\"`), but a new `Linear({units})` "
             f"returns {row} for an input of zeros (that output is its starting bias).")
    expect_affine(submission, layer, input_dim, units)


@check(points=1, concept="build() vs call()")
def test_weights_persist_between_calls(submission):
    "The weights are created once: later calls reuse them and give the same output"
    input_dim, units = sizes()
    layer = build(linear_class(submission), units)
    x = features(4, input_dim)
    first = run(layer, x)
    before = [w["id"] for w in weights_of(layer)]
    second = run(layer, x)
    after = [w["id"] for w in weights_of(layer)]
    if after != before:
        fail(f"Custom layer: after a second call, `Linear` owns {len(after)} weight(s), not the same "
             f"{len(before)}: weights must be created once, in `build()`, never in `call()`.")
    expect_close(second, first, "Calling the layer twice on the same input gave different outputs",
                 hint="Create the weights in build(), which runs once; call() only uses them.")
    expect_affine(submission, layer, input_dim, units)
    expect_affine(submission, layer, input_dim, units)  # and again: the weights set are the ones still used


@check(points=1, concept="custom layer")
def test_uses_no_built_in_layer(submission):
    "Linear computes with its own weights: it wraps no Dense (nor any other layer)"
    cls = linear_class(submission)
    in_source = built_in_layers(submission.source, LAYER)
    layer = build(cls, 3)
    run(layer, features(2, 4))
    try:  # the layers Keras tracks inside it (Keras's own walk; a Layer has no `.layers`)
        inner = layer.method("_flatten_layers", include_self=False)
    except Exception:  # noqa: BLE001 - the source is the judge's fact; this is only the child's word
        inner = []
    if in_source or (isinstance(inner, list) and inner):
        names = ", ".join(in_source) or f"{len(inner)} layer(s)"
        fail(f"Custom layer: `Linear` uses other layers ({names}). The exercise is to write what Dense "
             "does yourself: create `self.kernel` and `self.bias` with `self.add_weight` in `build()` "
             "and return `inputs @ self.kernel + self.bias` in `call()`.")


@check(points=2, concept="call() and output shapes")
@NO_SHRINK
@given(batch=st.integers(1, 6), n_features=st.integers(1, 6), units=st.integers(1, 8))
def test_output_shape(submission, batch, n_features, units):
    "Linear(units) maps (batch, features) to (batch, units); LinearRegressor to (batch, 1)"
    x = features(batch, n_features)
    out = run(build(linear_class(submission), units), x)
    expect_shape(out, (batch, units), f"Linear({units}) on a ({batch}, {n_features}) input")
    out = run(build(regressor_class(submission)), x)
    expect_shape(out, (batch, 1), f"LinearRegressor() on a ({batch}, {n_features}) input")
    if not np.all(np.isfinite(out)):
        fail(f"Output: LinearRegressor() on a ({batch}, {n_features}) input returned values that are "
             "not finite numbers.")


@check(points=2, concept="call() and output shapes", hidden=True)
def test_output_is_x_at_kernel_plus_bias(submission):
    "call() returns inputs @ kernel + bias, computed with weights the grader sets"
    input_dim, units = sizes()
    layer = build(linear_class(submission), units)
    run(layer, features(3, input_dim))
    expect_affine(submission, layer, input_dim, units)
    model = build(regressor_class(submission))
    run(model, features(3, input_dim))
    expect_affine(submission, model, input_dim, 1, path="linear", what="`LinearRegressor`'s `self.linear`",
                  call=lambda x: run(model, x, "calling your LinearRegressor with the grader's weights"))


@check(points=2, concept="training")
def test_learns_a_linear_target(submission):
    "Trained on y = x @ w + b (no noise), the regressor predicts new data as w and b do"
    w_true = (rng().normal(size=(3, 1)) * 1.5).astype("float32")
    b_true = np.array([rng().choice([-1, 1]) * rng().uniform(0.5, 1.5)], dtype="float32")
    x = features(256, 3)
    y = x @ w_true + b_true
    fit_rows, held_out = split(len(x))
    model = build(regressor_class(submission))
    train(model, x[fit_rows], y[fit_rows], loss="mse", epochs=5, batch_size=64, optimizer="SGD",
          learning_rate=0.3)
    pred = run(model, x[held_out], "predicting new data with your trained model")
    if pred.shape != (len(held_out), 1) or not np.all(np.isfinite(pred)):
        fail(f"Training: the trained model's output on {len(held_out)} new rows should have shape "
             f"({len(held_out)}, 1) with finite values; it has shape {pred.shape}.")
    # Judged on the weights training left in `self.linear`, read back: the predictions must be
    # what they compute, and they must approach the target's.
    kernel, bias = layer_weights(model, "linear", [(3, 1), (1,)], "reading the trained `self.linear`")
    expect_close(pred, x[held_out] @ kernel + bias, "After training, your model's predictions are not "
                 "`inputs @ kernel + bias` with the kernel and bias of its trained `self.linear`",
                 hint="call() should return self.linear(inputs), and Linear.call `inputs @ self.kernel + self.bias`.")
    w, b = kernel[:, 0], bias
    rmse = float(np.sqrt(np.mean((pred - y[held_out]) ** 2)))
    if rmse > 0.05 or np.max(np.abs(w - w_true[:, 0])) > 0.05 or abs(b[0] - b_true[0]) > 0.05:
        fail(f"Training: after 15 steps of gradient descent on a noiseless linear target, your model "
             f"predicts new data with an error of {rmse:.3f} (root mean square), as a kernel of "
             f"{np.array2string(w, precision=2)} and a bias of {np.array2string(b, precision=2)} would, "
             f"but they should approach {np.array2string(w_true[:, 0], precision=2)} and "
             f"{np.array2string(b_true, precision=2)}. "
             "Check that call() returns `inputs @ self.kernel + self.bias`, with both weights trainable.")
