"""The checks every exercise opens with, declared once (after Keras's ``run_layer_test``).

Every class of the course must subclass the right Keras base, call ``super().__init__``
first and forward ``**kwargs`` to it, and (for a model with named layers) create its
layers once, in ``__init__``. ``opening_checks`` makes those checks for one class::

    globals().update(opening_checks(
        "SimpleMLP", inputs=lambda: features(4, 5), output_shape=(4, 3),
        persistent=("hidden", "classifier")))

They are ordinary checks (points, concept, title), named ``subclasses_keras_model``,
``init_calls_super_first``, ``forwards_kwargs_to_keras`` and ``layers_persist_between_calls``
(with ``prefix`` before each for a second class of the same exercise).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from kerasgrade.checks import check
from kerasgrade.grading.expect import (
    build,
    doing,
    expect_close,
    expect_forwards_kwargs,
    expect_same_object,
    expect_shape,
    expect_super_first,
    fail,
    get_class,
    leaves,
    run,
)


def opening_checks(name: str, *, inputs: Callable[[], object], base: str = "Model", args: dict | None = None,
                   output_shape: tuple | Callable | None = None, persistent: tuple[str, ...] = (),
                   call_kwargs: dict | None = None, prefix: str = "",
                   points: tuple[float, float, float, float] = (1, 1, 1, 1)) -> dict:
    """The opening checks of class ``name``, as a dict to merge into the grader's globals.

    ``inputs()`` draws an input the class accepts (from ``draw``); ``args`` are constructor
    arguments for the checks (default: none); ``output_shape`` is the output's shape for
    that input (or a function of the input); ``persistent`` names the layers bound on
    ``self`` whose persistence between calls is checked (no such check if empty).
    """
    args, call_kwargs = dict(args or {}), dict(call_kwargs or {})
    kind = "tf.keras.Model" if base == "Model" else "tf.keras.layers.Layer"
    checks = {}

    def the_class(submission):
        return get_class(submission, name, base)

    def register(fn, points_: float, concept: str, title: str):
        fn.__name__ = f"test_{prefix}{fn.__name__.removeprefix('test_')}"
        fn.__doc__ = title
        checks[fn.__name__] = check(points=points_, concept=concept)(fn)

    def test_subclasses_keras_model(submission):
        model = build(the_class(submission), **args)
        x = inputs()
        out = run(model, x, **call_kwargs)
        if output_shape is not None:
            want = output_shape(x) if callable(output_shape) else output_shape
            expect_shape(out, want, f"{name}() on {_shape_text(x)}")

    def test_init_calls_super_first(submission):
        the_class(submission)
        expect_super_first(submission, name)

    def test_forwards_kwargs_to_keras(submission):
        model = expect_forwards_kwargs(the_class(submission), **args)
        run(model, inputs(), **call_kwargs)

    def test_layers_persist_between_calls(submission):
        model = build(the_class(submission), **args)
        x = inputs()
        first = run(model, x, **call_kwargs)
        with doing("reading the layers bound on `self`"):
            before = {attr: model.describe(attr, layers=False) for attr in persistent if model.has(attr)}
            weights = len(model.describe().get("trainable", []))
        missing = [a for a in persistent if a not in before]
        if missing:
            fail(f"Binding through self: after a call, `{name}` has no `self.{missing[0]}`. Create the "
                 f"layer in `__init__` and bind it on `self`.")
        second = run(model, x, **call_kwargs)
        for attr, info in before.items():
            expect_same_object(model, attr, info)
        with doing("reading the model's weights after a second call"):
            after = len(model.describe().get("trainable", []))
        if after != weights:
            fail(f"Calling the model a second time changed its number of trainable weights ({weights} "
                 f"then {after}): layers must be created once in `__init__`, never in `call()`.")
        for got, want in zip(leaves(second), leaves(first)):
            expect_close(got, want, "Calling the model twice on the same input gave different outputs",
                         hint="Create layers in __init__, not in call(): a layer created in call() "
                              "gets new random weights every time.")

    register(test_subclasses_keras_model, points[0], "inheritance",
             f"{name} subclasses {kind} and can be built and called")
    register(test_init_calls_super_first, points[1], "super().__init__",
             "__init__ calls super().__init__(**kwargs) before anything else")
    register(test_forwards_kwargs_to_keras, points[2], "super().__init__",
             f"{name}(name=...) reaches Keras through **kwargs")
    if persistent:
        register(test_layers_persist_between_calls, points[3], "__init__ vs call()",
                 "Layers are created once in __init__: the same input gives the same output on every call")
    return checks


def _shape_text(x) -> str:
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {tuple(np.shape(v))}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(str(tuple(np.shape(v))) for v in x) + ")"
    return f"a {tuple(np.shape(x))} input"
