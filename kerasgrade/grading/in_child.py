"""The grader's toolkit: reusable checks of the Model Subclassing contract.

Each helper either returns what it found or raises ``CheckFailed`` with a
message for the learner: the concept at stake, what was expected, what was
received, and how to fix it. Learner exceptions raised inside ``doing(...)``
become such messages too, pointing at the learner's line.
"""
from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from contextlib import contextmanager

import keras
import numpy as np

from kerasgrade.errors import CheckFailed, CheckTimeout
from kerasgrade.explain import SUBMISSION_MODULE, explain
from kerasgrade.grading.expect import (  # noqa: F401 - part of this toolkit
    describe_input,
    expect_close,
    expect_shape,
    expect_softmax,
)

__all__ = [
    "fail", "doing", "get_class", "build", "run", "to_numpy", "features", "expect_super_first",
    "expect_forwards_kwargs", "expect_layer", "expect_activation", "expect_tracked",
    "expect_close", "expect_softmax", "expect_shape", "expect_same_object", "train", "accuracy",
    "blobs", "record", "train_eagerly",
]


# Numbers a check records for the reports (e.g. the loss curve of a training check):
# the runner clears it before each check and sends it with the check's result.
recorded: dict[str, list[float]] = {}


def record(key: str, values) -> None:
    recorded[key] = [float(v) for v in values][:1000]


def fail(message: str):
    raise CheckFailed(message)


def _submission_file() -> str | None:
    mod = sys.modules.get(SUBMISSION_MODULE)
    return getattr(mod, "__file__", None)


@contextmanager
def doing(what: str):
    """Run learner code; an exception from it becomes a teaching ``CheckFailed``."""
    try:
        yield
    except (AssertionError, CheckTimeout):
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit from learner code is its result too
        raise CheckFailed(explain(e, what, _submission_file())) from None


def _call_text(name: str, args: tuple, kwargs: dict) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def get_class(submission, name: str, base: type = keras.Model) -> type:
    """The learner's class ``name``, which must subclass ``base`` (``keras.Model`` or ``Layer``)."""
    base_name = "tf.keras.Model" if base is keras.Model else "tf.keras.layers.Layer"
    cls = getattr(submission, name, None)
    if cls is None:
        fail(f"Your file defines no `{name}`. The exercise asks for `class {name}({base_name}):` "
             "with exactly this name, so that the course (and Keras) can find it.")
    if not isinstance(cls, type):
        fail(f"`{name}` should be a class (`class {name}({base_name}):`), but it is a "
             f"{type(cls).__name__}.")
    bases = ", ".join(b.__name__ for b in cls.__bases__)
    if not issubclass(cls, base):
        fail(f"Inheritance: `{name}` must subclass `{base_name}` so that Keras gives it layers "
             f"tracking, weights, fit() and save(). Its bases are ({bases}). "
             f"Write `class {name}({base_name}):`.")
    if base is not keras.Model and issubclass(cls, keras.Model):
        fail(f"Inheritance: `{name}` is a building block, not a whole model: subclass "
             f"`{base_name}`, not `tf.keras.Model` (its bases are ({bases})).")
    return cls


def build(cls: type, *args, **kwargs):
    """``cls(*args, **kwargs)``, with learner errors explained."""
    with doing(f"creating `{_call_text(cls.__name__, args, kwargs)}`"):
        return cls(*args, **kwargs)


def to_numpy(value):
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_numpy(v) for v in value)
    return np.asarray(keras.ops.convert_to_numpy(value))


def run(model, x, what: str = "", **kwargs):
    """Call the model on ``x`` and return numpy output, with learner errors explained."""
    with doing(what or f"calling your {type(model).__name__} on {describe_input(x)}"):
        return to_numpy(model(x, **kwargs))


def features(batch: int, size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(batch, size)).astype("float32")


# -- super().__init__ -----------------------------------------------------------------------

def _init_def(cls: type) -> ast.FunctionDef | None:
    try:
        src = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return None
    tree = ast.parse(src)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    return item
    return None


def _is_parent_init(stmt: ast.stmt) -> bool:
    """``super().__init__(...)``, ``super(Cls, self).__init__(...)`` or ``Base.__init__(self, ...)``."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    func = stmt.value.func
    if not (isinstance(func, ast.Attribute) and func.attr == "__init__"):
        return False
    target = func.value
    if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "super":
        return True
    return isinstance(target, (ast.Name, ast.Attribute)) and bool(stmt.value.args) and \
        isinstance(stmt.value.args[0], ast.Name) and stmt.value.args[0].id == "self"


def _uses_self(stmt: ast.stmt) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "self" for n in ast.walk(stmt))


def expect_super_first(cls: type) -> None:
    """The source of ``cls.__init__`` calls the parent constructor before touching ``self``."""
    init = _init_def(cls)
    if init is None:
        fail(f"`{cls.__name__}` has no `__init__` of its own (or its source cannot be read). "
             "Write `def __init__(self, ..., **kwargs):` whose first statement is "
             "`super().__init__(**kwargs)`.")
    body = list(init.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    for stmt in body:
        if _is_parent_init(stmt):
            return
        if _uses_self(stmt):
            fail(f"The super() call: in `{cls.__name__}.__init__`, line {stmt.lineno - init.lineno + 1} "
                 f"of the method uses `self` before `super().__init__(**kwargs)` is called. "
                 "Keras sets up its layer tracking in the parent constructor, so call it first: "
                 "layers bound on `self` before it are not tracked.")
    fail(f"The super() call: `{cls.__name__}.__init__` never calls `super().__init__(**kwargs)`. "
         "Without it Keras cannot track your layers and weights (and rejects the first call). "
         "Make it the first statement of `__init__`.")


def expect_forwards_kwargs(cls: type, *args, **kwargs):
    """``cls(..., name="probe")`` is named ``probe``: ``**kwargs`` reach Keras."""
    model = build(cls, *args, **kwargs, name="probe")
    try:
        name = model.name
    except AttributeError:
        fail(f"`{cls.__name__}(name=\"probe\")` has no `.name`: Keras's own constructor never ran. "
             "Call `super().__init__(**kwargs)` first in `__init__`.")
    if name != "probe":
        fail(f"The super() call: `{cls.__name__}(name=\"probe\").name` is {name!r}, not 'probe'. "
             "Keras options such as `name=` reach Keras only if `__init__` accepts `**kwargs` "
             "and forwards them: `super().__init__(**kwargs)`.")
    return model


# -- binding through self --------------------------------------------------------------------

_MISSING = object()


def expect_layer(model, attr: str, kind: type, when: str = "after construction", **expected):
    """``model.<attr>`` exists, is a ``kind`` and has the ``expected`` attribute values."""
    cls = type(model).__name__
    try:
        layer = getattr(model, attr, _MISSING)
    except Exception as e:  # noqa: BLE001 - a property that raises
        fail(explain(e, f"reading `self.{attr}`", _submission_file()))
    if layer is _MISSING:
        fail(f"Binding through self: {when}, `{cls}` has no attribute `self.{attr}`. Create the "
             f"layer in `__init__` and bind it: `self.{attr} = keras.layers.{kind.__name__}(...)`, "
             "so Keras tracks it and it keeps its weights between calls.")
    if not isinstance(layer, kind):
        fail(f"Binding through self: `self.{attr}` should be a `keras.layers.{kind.__name__}`, "
             f"but it is a {type(layer).__name__}.")
    for key, want in expected.items():
        got = getattr(layer, key, _MISSING)
        if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
            got, want = tuple(got), tuple(want)
        if got != want:
            fail(f"`self.{attr}` should have {key}={want!r}, but it has {key}="
                 f"{'nothing' if got is _MISSING else repr(got)}. Use the constructor arguments "
                 "of your model, not fixed numbers.")
    return layer


def expect_activation(layer, attr: str, name: str):
    """The layer's activation computes ``name`` (compared numerically, any spelling accepted)."""
    z = np.linspace(-3, 3, 12, dtype="float32").reshape(3, 4)
    want = to_numpy(keras.activations.get(name)(z))
    act = getattr(layer, "activation", None)
    got = to_numpy(act(z)) if callable(act) else None
    if got is None or got.shape != want.shape or not np.allclose(got, want, atol=1e-5):
        fail(f"`self.{attr}` should use the {name!r} activation: "
             f"`{type(layer).__name__}(..., activation=\"{name}\")`.")


def expect_tracked(model, layers: dict, exactly: bool = True):
    """Keras tracks each of ``layers`` (attr → layer) in ``model.layers``; nothing else if ``exactly``."""
    tracked = list(model.layers)
    for attr, layer in layers.items():
        if not any(t is layer for t in tracked):
            fail(f"Binding through self: Keras does not track `self.{attr}` (it is not in "
                 "`model.layers`). Bind layers directly on `self` in `__init__`, after "
                 "`super().__init__(**kwargs)`.")
    if exactly and len(tracked) != len(layers):
        names = ", ".join(f"{type(t).__name__}({t.name})" for t in tracked)
        fail(f"Binding through self: the model should track exactly {len(layers)} layers "
             f"({', '.join('self.' + a for a in layers)}), but Keras tracks {len(tracked)}: {names}. "
             "Create no layers other than the ones the exercise lists.")


def expect_same_object(model, attr: str, layer):
    if getattr(model, attr, None) is not layer:
        fail(f"`self.{attr}` is a new object after calling the model: layers must be created "
             "once in `__init__`, never in `call()`, or their weights are re-created on every call.")


# -- outputs ----------------------------------------------------------------------------------

# expect_shape, expect_close, expect_softmax: the judge's own (``grading.expect``), numpy only.


# -- training ---------------------------------------------------------------------------------

def blobs(n: int, features: int, classes: int, seed: int = 0, spread: float = 0.6):
    """Separable Gaussian blobs: ``x`` (n, features) float32, ``y`` (n,) int labels."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(classes, features))
    y = np.arange(n) % classes
    x = centers[y] + rng.normal(scale=spread, size=(n, features))
    perm = rng.permutation(n)
    return x[perm].astype("float32"), y[perm].astype("int32")


def train(model, x, y, *, loss, epochs: int, batch_size: int = 32, learning_rate: float = 0.05,
          optimizer=None) -> list[float]:
    """Compile and fit the learner's model on a small task; the loss per epoch.

    What ``fit(x, y, epochs, batch_size)`` does, at about half its fixed cost (measured in
    bench/exercise_times.py): the model is called once and the optimizer built before
    ``fit`` (so its step is traced once, not twice), and the data is one shuffled, repeated
    ``tf.data`` pipeline with ``steps_per_epoch`` (one iterator, not one per epoch).
    """
    import tensorflow as tf

    n = len(keras.tree.flatten(y)[0])  # the order of the batches follows the check's seed
    data = (tf.data.Dataset.from_tensor_slices((x, y))
            .shuffle(n, seed=np.random.randint(1 << 30), reshuffle_each_iteration=True)
            .batch(batch_size).repeat())
    with doing("training your model with `compile()` and `fit()`"):
        model.compile(optimizer=optimizer or keras.optimizers.Adam(learning_rate), loss=loss)
        head = keras.tree.map_structure(lambda a: a[:batch_size], (x, y))
        model.compute_loss(*head, y_pred=model(head[0]))  # creates the variables of the loss
        model.optimizer.build(model.trainable_variables)  # and of the optimizer, before fit
        history = model.fit(data, epochs=epochs, steps_per_epoch=-(-n // batch_size), shuffle=False,
                            verbose=0)  # the pipeline shuffles
    losses = [float(v) for v in history.history.get("loss", [])]
    record("loss", losses)
    return losses


def train_eagerly(model, x, y, *, loss, epochs: int, batch_size: int = 32,
                  learning_rate: float = 0.05) -> list[float]:
    """Train with a plain eager ``GradientTape`` loop and Adam; the mean loss per epoch.

    No graph is traced, so a dozen steps of a small CNN or RNN cost about half of what
    ``fit()`` costs (its tracing alone is ~0.5 s, more for a recurrent layer).
    """
    import tensorflow as tf

    loss_fn, optimizer, losses = keras.losses.get(loss), keras.optimizers.Adam(learning_rate), []
    with doing("training your model (a forward pass with training=True, then one optimizer "
               "step on model.trainable_weights, repeated)"):
        for _ in range(epochs):
            values = []
            for i in range(0, len(x), batch_size):
                with tf.GradientTape() as tape:
                    value = keras.ops.mean(loss_fn(y[i:i + batch_size],
                                                   model(x[i:i + batch_size], training=True)))
                weights = model.trainable_weights
                optimizer.apply(tape.gradient(value, weights), weights)
                values.append(float(value))
            losses.append(float(np.mean(values)))
    record("loss", losses)
    return losses


def accuracy(model, x, y) -> float:
    out = run(model, x, "measuring the accuracy of your trained model")
    return float(np.mean(np.argmax(out, axis=-1) == y))
