"""Grader for ex03_custom_layer: Linear, a layer with its own weights, and LinearRegressor."""
import keras
import numpy as np
from hypothesis import Phase, given, strategies as st

from kerasgrade.checks import check, grading_settings
from kerasgrade.expect import (build, expect_close, expect_forwards_kwargs, expect_shape,
                               expect_super_first, expect_tracked, fail, features, get_class, run,
                               to_numpy, train)

Layer = keras.layers.Layer
# No shrinking: hypothesis's first failing case is already small (it starts from the simplest
# one), while shrinking a layer that always fails re-runs it until the check's time is up.
NO_SHRINK = grading_settings(phases=(Phase.explicit, Phase.reuse, Phase.generate))


def linear_class(submission):
    return get_class(submission, "Linear", base=Layer)


def regressor_class(submission):
    return get_class(submission, "LinearRegressor")


def _shape(variable) -> tuple:
    return tuple(int(d) for d in variable.shape)


def _own_weights(layer, input_dim: int, units: int):
    """After a call on ``input_dim`` features: ``layer.kernel`` and ``layer.bias``, its only weights."""
    kernel, bias = getattr(layer, "kernel", None), getattr(layer, "bias", None)
    for attr, value, shape in (("kernel", kernel, (input_dim, units)), ("bias", bias, (units,))):
        if value is None:
            fail(f"Custom layer: after its first call, `Linear({units})` has no `self.{attr}`. In "
                 f"`build(self, input_shape)`, create it with `self.{attr} = self.add_weight("
                 f"shape={'(input_shape[-1], self.units)' if attr == 'kernel' else '(self.units,)'}, "
                 "...)`.")
        if not isinstance(value, keras.Variable):
            fail(f"Custom layer: `self.{attr}` should be a weight made by `self.add_weight(...)`, "
                 f"but it is a {type(value).__name__}: Keras only trains and saves variables.")
        if _shape(value) != shape:
            fail(f"Custom layer: on an input of {input_dim} features, `Linear({units}).{attr}` should "
                 f"have shape {shape}, but it has shape {_shape(value)}. The kernel maps the input "
                 "features to the units: `(input_shape[-1], self.units)`; the bias has one entry per "
                 "unit: `(self.units,)`.")
    weights = list(layer.weights)
    if len(weights) != 2 or not any(w is kernel for w in weights) or not any(w is bias for w in weights):
        names = ", ".join(f"{w.path} {_shape(w)}" for w in weights) or "none"
        fail(f"Custom layer: after its first call, `Linear` should own exactly two weights, "
             f"`self.kernel` and `self.bias`, but Keras tracks {len(weights)}: {names}. Create "
             "exactly these two with `self.add_weight` in `build()`, and nothing else.")
    if not (kernel.trainable and bias.trainable):
        fail("Custom layer: `self.kernel` and `self.bias` should be trainable (the default of "
             "`add_weight`): do not pass `trainable=False`.")
    return kernel, bias


@check(points=1, concept="inheritance")
def test_subclasses_layer_and_model(submission):
    "Linear subclasses tf.keras.layers.Layer, LinearRegressor tf.keras.Model; both can be called"
    layer = build(linear_class(submission))
    expect_shape(run(layer, features(4, 3)), (4, 32), "Linear() (32 units by default) on a (4, 3) input")
    model = build(regressor_class(submission))
    run(model, features(4, 3))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "Both __init__ methods call super().__init__(**kwargs) before anything else"
    expect_super_first(linear_class(submission))
    expect_super_first(regressor_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "Linear(name=...) and LinearRegressor(name=...) reach Keras through **kwargs"
    run(expect_forwards_kwargs(linear_class(submission), 3), features(2, 4))
    run(expect_forwards_kwargs(regressor_class(submission)), features(2, 4))


@check(points=1, concept="binding through self")
def test_regressor_binds_a_linear_layer(submission):
    "LinearRegressor binds self.linear = Linear(1), the only layer Keras tracks"
    cls = linear_class(submission)
    model = build(regressor_class(submission))
    linear = getattr(model, "linear", None)
    if not isinstance(linear, cls):
        got = "nothing" if linear is None else f"a {type(linear).__name__}"
        fail(f"Binding through self: `LinearRegressor` should bind `self.linear = Linear(1)`, your "
             f"own layer, in `__init__`; it binds {got}. The point of the exercise is to use the "
             "layer you wrote, not a built-in one.")
    run(model, features(5, 4))
    kernel = getattr(linear, "kernel", None)
    if kernel is None or _shape(kernel) != (4, 1):
        got = "no kernel" if kernel is None else f"a kernel of shape {_shape(kernel)}"
        fail(f"Binding through self: on a 4-feature input, `self.linear` should have a kernel of "
             f"shape (4, 1) (one output unit: `Linear(1)`), but it has {got}.")
    expect_tracked(model, {"linear": linear})


@check(points=1, concept="build()")
def test_no_weights_before_the_first_call(submission):
    "Weights are created in build(), on the first call, from the input size"
    cls = linear_class(submission)
    for input_dim in (3, 5):
        layer = build(cls, 2)
        if layer.weights:
            fail(f"build(): `Linear(2)` already owns {len(layer.weights)} weight(s) before its first "
                 "call. The input size is not known in `__init__`: create the weights in "
                 "`build(self, input_shape)`, which Keras calls on the first call with the input's "
                 "shape, and use `input_shape[-1]` as the kernel's first dimension.")
        run(layer, features(2, input_dim))
        kernel = getattr(layer, "kernel", None)
        if kernel is None or _shape(kernel)[:1] != (input_dim,):
            got = "no kernel" if kernel is None else f"a kernel of shape {_shape(kernel)}"
            fail(f"build(): after a call on {input_dim} features, `Linear(2)` has {got}; its first "
                 f"dimension should be {input_dim}, read from `input_shape[-1]` in `build()`.")


@check(points=2, concept="build()")
def test_build_creates_kernel_and_zero_bias(submission):
    "build() creates self.kernel (input_dim, units) and self.bias (units,) of zeros, nothing else"
    layer = build(linear_class(submission), 4)
    run(layer, features(3, 6))
    _, bias = _own_weights(layer, 6, 4)
    values = to_numpy(bias)
    if np.any(values != 0):
        fail(f"build(): the bias should start at zero (`initializer=\"zeros\"`), but it starts at "
             f"{np.array2string(values, precision=3)}.")


@check(points=1, concept="build() vs call()")
def test_weights_persist_between_calls(submission):
    "The weights are created once: later calls reuse them and give the same output"
    layer = build(linear_class(submission), 3)
    x = features(4, 5)
    first = run(layer, x)
    before = [id(w) for w in layer.weights]
    second = run(layer, x)
    if [id(w) for w in layer.weights] != before:
        fail(f"Custom layer: after a second call, `Linear` owns {len(layer.weights)} weight(s), not "
             f"the same {len(before)}: weights must be created once, in `build()`, never in "
             "`call()`.")
    expect_close(second, first, "Calling the layer twice on the same input gave different outputs",
                 hint="Create the weights in build(), which runs once; call() only uses them.")


@check(points=1, concept="custom layer")
def test_uses_no_built_in_layer(submission):
    "Linear computes with its own weights: it wraps no Dense (nor any other layer)"
    layer = build(linear_class(submission), 3)
    run(layer, features(2, 4))
    inner = [v for v in vars(layer).values() if isinstance(v, Layer)]
    flatten = getattr(layer, "_flatten_layers", None)
    if callable(flatten):
        inner += [v for v in flatten(include_self=False) if not any(v is i for i in inner)]
    if inner:
        names = ", ".join(type(v).__name__ for v in inner)
        fail(f"Custom layer: `Linear` contains other layers ({names}). The exercise is to write "
             "what Dense does yourself: create `self.kernel` and `self.bias` with "
             "`self.add_weight` in `build()` and return `inputs @ self.kernel + self.bias` in "
             "`call()`.")


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


@check(points=2, concept="call() and output shapes", hidden=True)
def test_output_is_x_at_kernel_plus_bias(submission):
    "call() returns inputs @ kernel + bias, computed from the layer's own weights"
    rng = np.random.default_rng(np.random.randint(1000))
    layer = build(linear_class(submission), 3)
    x = features(5, 4, seed=int(rng.integers(1000)))
    run(layer, x)
    kernel, bias = _own_weights(layer, 4, 3)
    w = rng.normal(size=(4, 3)).astype("float32")
    b = rng.normal(size=(3,)).astype("float32")
    kernel.assign(w)
    bias.assign(b)
    expect_close(run(layer, x), x @ w + b, "The output of Linear is not inputs @ kernel + bias",
                 hint="call() should return `tf.matmul(inputs, self.kernel) + self.bias` "
                      "(or `inputs @ self.kernel + self.bias`), with no activation.")
    model = build(regressor_class(submission))
    out = run(model, x)
    linear = getattr(model, "linear", None)
    kernel, bias = getattr(linear, "kernel", None), getattr(linear, "bias", None)
    if kernel is None or bias is None:
        fail("LinearRegressor should bind `self.linear = Linear(1)`, whose kernel and bias make "
             "its output.")
    expect_close(out, x @ to_numpy(kernel) + to_numpy(bias),
                 "The output of LinearRegressor is not self.linear(inputs)",
                 hint="call() should return `self.linear(inputs)`, and nothing else.")


@check(points=2, concept="training")
def test_learns_a_linear_target(submission):
    "Trained on y = x @ w + b (no noise), the regressor's weights approach w and b"
    rng = np.random.default_rng(7)
    w_true = np.array([[1.5], [-2.0], [0.5]], dtype="float32")
    b_true = np.array([0.7], dtype="float32")
    x = rng.normal(size=(256, 3)).astype("float32")
    y = x @ w_true + b_true
    model = build(regressor_class(submission))
    train(model, x, y, loss="mse", epochs=3, batch_size=64,
          optimizer=keras.optimizers.SGD(learning_rate=0.3))
    linear = getattr(model, "linear", None)
    kernel, bias = getattr(linear, "kernel", None), getattr(linear, "bias", None)
    if kernel is None or bias is None:
        fail("Training: `self.linear` has no kernel and bias to learn. LinearRegressor should bind "
             "`self.linear = Linear(1)` and call it.")
    w, b = to_numpy(kernel).reshape(-1), to_numpy(bias).reshape(-1)
    if w.shape != (3,) or b.shape != (1,) or np.max(np.abs(w - w_true[:, 0])) > 0.05 \
            or abs(b[0] - b_true[0]) > 0.05:
        fail(f"Training: after 12 steps of gradient descent on a noiseless linear target, the "
             f"learned kernel is {np.array2string(w, precision=2)} and the bias "
             f"{np.array2string(b, precision=2)}, but they should approach "
             f"{np.array2string(w_true[:, 0], precision=2)} and {b_true}. Check that call() "
             "returns `inputs @ self.kernel + self.bias`, with both weights trainable.")
