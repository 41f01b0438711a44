"""The grader's toolkit on the judge's side: checks of the Model Subclassing contract.

A check receives a ``Submission``: the learner's source as text (for facts read with
``ast``) and a handle on the child that runs the code. Each helper either returns what it
established or raises ``CheckFailed`` with a message for the learner: the concept at
stake, what was expected, what was received, and how to fix it.

What the child says is its word, not a fact. A helper awards nothing for a claim it cannot
check: a layer's kind and settings are believed only once the layer, given weights the
judge drew, computes on the judge's inputs what such a layer computes (``verify_dense``);
an output is compared with the judge's own computation; a trained model is measured on
data it never saw.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import re
from contextlib import contextmanager
from typing import Callable

import numpy as np

from kerasgrade.errors import CheckFailed
from kerasgrade.explain import lesson_for_text
from kerasgrade.grading import draw
from kerasgrade.grading.source_facts import Source
from kerasgrade.wire.handle import Channel, LearnerError, Remote
from kerasgrade.wire.protocol import Ref

__all__ = [
    "Submission", "fail", "doing", "get_class", "build", "run", "expect_super_first",
    "expect_forwards_kwargs", "expect_layer", "expect_activation", "verify_dense", "expect_tracked",
    "expect_same_object", "expect_close", "expect_softmax", "expect_shape", "train", "accuracy",
    "record", "recorded", "activation", "expect_uses_weights", "expect_varies", "leaves",
    "Forward", "expect_follows", "dense_weights", "layer_weights", "close",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
KERAS_BASES = {"Model": "tf.keras.Model", "Layer": "tf.keras.layers.Layer"}

# Numbers a check records for the reports (a training check's loss curve): the judge
# clears it before each check and sends it with the check's result.
recorded: dict[str, list[float]] = {}


@dataclasses.dataclass(frozen=True)
class Forward:
    """The judge's own forward pass of a class of the exercise (a grader's ``FOLLOW``).

    ``compute(model, x, got, **call_kwargs)`` is the output the contract asks for on ``x``,
    computed by the judge from the weights the model's layers hold now (read back and checked,
    with ``dense_weights`` or ``layer_weights``); it raises ``CheckFailed`` if the model has no
    such layers, and returns None if it computes nothing that ``got`` is. ``got`` is what the
    model returned: where the contract lets a learner add layers, it tells the judge which of
    its computations to compare with. ``formula`` names that output for the learner: ``softmax(classifier(relu(hidden(x))))``.
    """
    compute: Callable
    formula: str


class Submission:
    """What a check is given: the learner's file as the judge sees it, and the grader's
    ``FOLLOW`` (class name → ``Forward``): the forward passes the judge computes itself."""

    def __init__(self, channel: Channel, code: str, filename: str = "your file",
                 follow: dict[str, Forward] | None = None):
        self.channel = channel
        self.source = Source(code)
        self.filename = filename
        self.module = Remote(channel, Ref(0), "your file")
        self.follow = dict(follow or {})

    def lookup(self, name: str) -> dict:
        info = self.channel.request("lookup", name=name)
        return info if isinstance(info, dict) else {}


def fail(message: str):
    raise CheckFailed(message)


def clean(text) -> str:
    """A child's text, safe to show: a string on one line, no control characters, bounded (a
    forged message cannot draw report lines of its own)."""
    text = text if isinstance(text, str) else ""
    return _CONTROL.sub("", text.replace("\n", " ").replace("\t", " "))[:600]


def explain_remote(e: LearnerError, what: str = "") -> str:
    err = e.error
    head = f"While {what}, your code raised" if what else "Your code raised"
    text = clean(err.text)
    msg = f"{head} {clean(err.kind)}" + (f": {text}" if text else "")
    if err.where:
        msg += f"\n  at {clean(err.where)}"
    lesson = lesson_for_text(err.kind, err.text)
    if lesson:
        msg += f"\n  {lesson}"
    return msg


@contextmanager
def doing(what: str):
    """Requests to learner code; an exception it raised becomes a teaching ``CheckFailed``."""
    try:
        yield
    except LearnerError as e:
        raise CheckFailed(explain_remote(e, what)) from None


def _call_text(name: str, args: tuple, kwargs: dict) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


# -- the class and its instances ---------------------------------------------------------------

def get_class(submission: Submission, name: str, base: str = "Model") -> Remote:
    """The learner's class ``name``, which must subclass ``base`` (``"Model"`` or ``"Layer"``).

    Inheritance is read from the class statement (through the file's imports) and must
    agree with what the child reports.
    """
    base_name = KERAS_BASES[base]
    with doing(f"looking up `{name}` in your file"):
        info = submission.lookup(name)
    src = submission.source
    if not info.get("found") or not isinstance(info.get("ref"), Ref):
        close = src.close_names(name)
        hint = f" Did you mean `{close[0]}`? Rename it to `{name}`." if close else ""
        fail(f"Your file defines no `{name}`. The exercise asks for `class {name}({base_name}):` "
             f"with exactly this name, so that the course (and Keras) can find it.{hint}")
    if info.get("is_class") is not True:
        fail(f"`{name}` should be a class (`class {name}({base_name}):`), but it is a "
             f"{clean(info.get('type')) or 'something else'}.")
    node = src.class_def(name)
    if node is None and src.tree is not None:
        close = [c for c in src.close_names(name) if c != name]
        fail(f"Your file has no `class {name}(...)` statement at its top level (the exercise is "
             f"graded on that statement, as written): write `class {name}({base_name}):` at the top "
             "level of the file, not under an `if`, inside a function, or as another name."
             + (f" Did you mean `{close[0]}`? Rename it to `{name}`." if close else ""))
    bases = ", ".join(src.dotted(b) or "?" for b in node.bases) if node is not None else \
        ", ".join(clean(b) for b in info.get("bases", []) if isinstance(b, str))
    if base == "Layer" and (info.get("is_model") is True or src.resolves_to(name, "Model")):
        fail(f"Inheritance: `{name}` is a building block, not a whole model: subclass "
             f"`{base_name}`, not `tf.keras.Model` (its bases are ({bases})).")
    _expect_class_as_written(src, name, info)
    claimed = info.get("is_model" if base == "Model" else "is_layer") is True
    inherits = src.inherits(name, base) if node is not None else False
    if not claimed or inherits is False:
        fail(f"Inheritance: `{name}` must subclass `{base_name}` so that Keras gives it layers "
             f"tracking, weights, fit() and save(). Its bases are ({bases or 'none'}). "
             f"Write `class {name}({base_name}):`.")
    cls = Remote(submission.channel, info["ref"], name, info)
    cls.source = src  # what the judge read of the class statement, for the source checks
    cls.follow = submission.follow.get(name)  # the judge's own forward pass of it, if any
    return cls


def _expect_class_as_written(src: Source, name: str, info: dict) -> None:
    """The class the module's name holds once the file has run is the one of its class
    statement: each method the statement (or a same-file base) defines is the one the class
    uses. Wrapped or registered again (``SimpleMLP = register(SimpleMLP)``) it still is;
    swapped for another class, or given another ``__init__``, it is not, and the source facts
    the judge reads from the statement would describe something else."""
    runtime = info.get("methods")
    runtime = runtime if isinstance(runtime, dict) else {}
    moved = [m for m, lines in src.method_lines(name).items() if runtime.get(m) not in lines]
    if moved:
        line = src.rebound(name)
        where = f"at line {line} of your file" if line else "after its class statement"
        fail(f"`{name}` is changed {where}: its `{moved[0]}` is not the one its class statement "
             f"defines. The exercise is graded on the class as written (`class {name}(...)`), so "
             "define it once and leave it as it is.")


def build(cls: Remote, *args, **kwargs) -> Remote:
    """``cls(*args, **kwargs)`` in the child, with learner errors explained."""
    text = _call_text(cls.label, args, kwargs)
    with doing(f"creating `{text}`"):
        ref = cls.channel.request("new", cls=cls.ref, args=list(args), kwargs=kwargs)
    if not isinstance(ref, Ref):
        fail(f"`{text}` did not give an object the grader can use.")
    model = Remote(cls.channel, ref, text)
    model.follow = getattr(cls, "follow", None)
    return model


def _numbers(value, what: str):
    """The output as numpy arrays (nested as returned); anything else fails the check."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, dict) and all(isinstance(v, np.ndarray) for v in value.values()):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        return type(value)(value)
    got = "an object" if isinstance(value, (Ref, Remote)) else type(value).__name__
    fail(f"Output: {what} should return a tensor (or a dict of tensors where the exercise says so), "
         f"but it returned {got}.")


def describe_input(x) -> str:
    """How a message names an input: its shape, or the shapes in a dict or tuple of them."""
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {describe_input(v)}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(describe_input(v) for v in x) + ")"
    return f"an input of shape {tuple(np.shape(x))}"


def run(model: Remote, x, what: str = "", verify: bool = True, **kwargs):
    """Call the model on ``x`` in the child; its output as numpy, with learner errors explained.

    The first time a check runs a model, the judge also makes sure the output is computed
    from the model's weights (``expect_uses_weights``, weights restored afterwards) and, where
    the grader gives the class's forward pass (``FOLLOW``), that it is the output the judge
    computes itself from those weights: no check that reads a model's outputs can be passed
    by answers that do not come from the model the exercise asks for.
    ``verify=False`` where a correct model's output cannot depend on its weights (a softmax
    over one class).
    """
    what = what or f"calling your {model.label.split('(')[0]} on {describe_input(x)}"
    with doing(what):
        out = model(x, **kwargs)
    out = _numbers(out, what)
    if verify and not getattr(model, "verified", False):
        model.verified = True
        expect_uses_weights(model, x, call_kwargs=kwargs, seen=out, follow=getattr(model, "follow", None))
    return out


def leaves(value) -> list[np.ndarray]:
    """The arrays of an output (one array, or dicts and lists of them, nested), as float64, a
    dict's in the order of its keys: the one way the judge flattens what a model returned."""
    if isinstance(value, dict):
        return [a for k in sorted(value, key=str) for a in leaves(value[k])]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in leaves(v)]
    return [np.asarray(value, dtype="float64")]


def expect_uses_weights(model: Remote, x, what: str = "", call_kwargs: dict | None = None, seen=None,
                        follow: Forward | None = None) -> None:
    """The model's output on ``x`` is computed from its own trainable weights: set to weights
    the judge drew, it answers one way; set to others, another; set back, the first way again.
    With ``follow``, that answer is also the one the judge computes from the weights it set
    (``expect_follows``). The model's own weights are put back afterwards.

    What makes "it can be built and called" a fact about a model rather than a claim.
    """
    what = what or f"calling your {model.label.split('(')[0]} with weights the grader set"
    with doing(what):
        own = model.get_weights(trainable_only=True)
    shapes = [tuple(np.shape(w)) for w in own]
    size = sum(int(np.prod(s)) for s in shapes)
    if size == 0:
        fail("After a call, your model owns no trainable weights: its layers should be created in "
             "`__init__` and bound on `self`, so that Keras tracks them and training can change them.")
    if size > 5_000_000:
        fail(f"Your model owns weights of shapes {shapes[:8]}, far more than this exercise needs.")
    # Called as the check called it (a model cannot tell the proof from the check), but never
    # in training mode, where Dropout would make two calls differ.
    kwargs = dict(call_kwargs or {})
    deterministic = kwargs.get("training") is not True
    if not deterministic:
        kwargs["training"] = False
    first, second = draw.weights_like(shapes), draw.weights_like(shapes)
    outputs = []
    with doing(what):
        for weights in (first, second, first):
            model.channel.request("set_trainable", obj=model.ref, weights=weights)
            last = _numbers(model(x, **kwargs), what)
            outputs.append(leaves(last))
    computed = None  # the judge's own output for the weights ``first`` (or why it has none)
    try:
        if follow is not None:
            try:
                want = follow.compute(model, x, last, **kwargs)
                computed = None if want is None else leaves(want)
            except CheckFailed as e:
                computed = e
    finally:
        with doing(what):
            model.channel.request("set_trainable", obj=model.ref, weights=own)
    with doing(what):
        back = leaves(_numbers(model(x, **kwargs), what)) if deterministic and seen is not None else None
    if back is not None and not all(u.shape == v.shape and np.allclose(u, v, atol=1e-5, equal_nan=True)
                                    for u, v in zip(back, leaves(seen))):
        fail("Your model's output changed between two calls on the same input with the same weights: "
             "call() should compute the output from the layers created in `__init__` (and nothing "
             "else), the same way every time.")
    a, b, again = outputs
    if not all(np.all(np.isfinite(u)) for u in a + b + again):
        fail("Your model's output holds values that are not finite numbers (NaN or inf) with the "
             "weights the grader set: call() should compute the output from the layers created in "
             "`__init__` (and nothing else).")
    same = all(u.shape == v.shape and np.allclose(u, v, atol=1e-5, equal_nan=True) for u, v in zip(a, again))
    changed = any(u.shape != v.shape or not np.allclose(u, v, atol=1e-7) for u, v in zip(a, b))
    if not same or not changed:
        fail("Your model's output does not follow its weights: with the weights the grader set it "
             + ("answered differently on the same input twice (at inference)" if not same else
                "did not change when the weights changed")
             + ". call() should compute the output from the layers created in `__init__` "
             "(and nothing else).")
    if follow is not None:
        if isinstance(computed, CheckFailed):
            raise computed
        expect_follows(follow, again, computed)


def close(got, want) -> bool:
    """Whether the array ``got`` is the array ``want`` (the shape, and the values within the
    judge's tolerance of float32 arithmetic): how the judge tells that an output is its own
    computation. Anything but two arrays is not."""
    return isinstance(got, np.ndarray) and isinstance(want, np.ndarray) and got.shape == want.shape and \
        bool(np.allclose(got.astype("float64"), want.astype("float64"), atol=1e-4, rtol=1e-4))


def expect_follows(follow: Forward, got: list[np.ndarray], want: list[np.ndarray] | None) -> None:
    """``got`` (the model's output, flattened by ``leaves``) is ``want``, what the judge computed
    with ``follow`` from the same weights (None: the judge computes nothing that it is)."""
    if want is None or len(want) != len(got) or not all(close(u, v) for u, v in zip(got, want)):
        shapes = [tuple(u.shape) for u in got]
        found = "" if want is not None and [tuple(v.shape) for v in want] == shapes else f" (it returned shape {shapes[0] if len(shapes) == 1 else shapes})"
        fail(f"Your model's output is not what its layers compute: with weights the grader set, "
             f"call() should return {follow.formula}, and it returned something else{found}. Apply the "
             "layers bound on `self` in `__init__`, as the exercise describes, and compute nothing "
             "else in call().")


# -- super().__init__ ---------------------------------------------------------------------------

def expect_super_first(submission: Submission, name: str) -> None:
    """The source of ``name.__init__`` calls the parent constructor before touching ``self``."""
    call = submission.source.super_call(name)
    if submission.source.method(name, "__init__") is None:
        fail(f"`{name}` has no `__init__` of its own. Write `def __init__(self, ..., **kwargs):` "
             "whose first statement is `super().__init__(**kwargs)`.")
    if not call.found:
        fail(f"The super() call: `{name}.__init__` never calls `super().__init__(**kwargs)`. "
             "Without it Keras cannot track your layers and weights (and rejects the first call). "
             "Make it the first statement of `__init__`.")
    if not call.first:
        fail(f"The super() call: in `{name}.__init__`, line {call.line} of the method uses `self` "
             "before `super().__init__(**kwargs)` is called. Keras sets up its layer tracking in the "
             "parent constructor, so call it first: layers bound on `self` before it are not tracked.")


def expect_forwards_kwargs(cls: Remote, *args, **kwargs) -> Remote:
    """``cls(..., name=<a name the judge drew>)`` carries that name: ``**kwargs`` reach Keras."""
    probe = f"probe_{draw.integer(10_000, 100_000)}"
    model = build(cls, *args, **kwargs, name=probe)
    try:
        name = model.get("name")
    except LearnerError:
        fail(f"`{cls.label}(name=\"{probe}\")` has no `.name`: Keras's own constructor never ran. "
             "Call `super().__init__(**kwargs)` first in `__init__`.")
    if name != probe:
        shown = repr(name) if isinstance(name, str) else "not a name"
        fail(f"The super() call: `{cls.label}(name=\"{probe}\").name` is {clean(shown)}, not "
             f"'{probe}'. Keras options such as `name=` reach Keras only if `__init__` accepts "
             "`**kwargs` and forwards them: `super().__init__(**kwargs)`.")
    # Not only name=: every Keras option reaches Keras (seen run, whatever the source looks like).
    other = build(cls, *args, **kwargs, trainable=False, dtype="float64")
    for option, want in (("trainable", False), ("dtype", "float64")):
        with doing(f"reading `.{option}` of `{cls.label}(trainable=False, dtype=\"float64\")`"):
            got = other.get(option)
        if got != want or type(got) is not type(want):
            fail(f"The super() call: `{cls.label}({option}={want!r}).{option}` is not {want!r}: `__init__` "
                 "should accept `**kwargs` and pass all of them on, `super().__init__(**kwargs)`, so that "
                 "every Keras option (`name=`, `dtype=`, `trainable=`) reaches Keras, not only some of them.")
    return model


# -- binding through self ----------------------------------------------------------------------

def expect_layer(model: Remote, attr: str, kind: str, when: str = "after construction", **expected) -> dict:
    """``model.<attr>`` exists and is a Keras ``kind`` layer with the ``expected`` settings
    (as the child describes it; ``verify_dense`` makes the judge believe it)."""
    cls = model.label.split("(")[0]
    with doing(f"reading `self.{attr}`"):
        present = model.has(attr)
        info = model.describe(attr, layers=False) if present else {}
    if not present:
        fail(f"Binding through self: {when}, `{cls}` has no attribute `self.{attr}`. Create the "
             f"layer in `__init__` and bind it: `self.{attr} = keras.layers.{kind}(...)`, so Keras "
             "tracks it and it keeps its weights between calls.")
    if info.get("is_layer") is not True or info.get("builtin") != kind:
        fail(f"Binding through self: `self.{attr}` should be a `keras.layers.{kind}`, but it is a "
             f"{clean(info.get('class')) or 'something else'}.")
    settings = info.get("settings") if isinstance(info.get("settings"), dict) else {}
    for key, want in expected.items():
        got = settings.get(key, "nothing")
        if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
            got, want = tuple(got), tuple(want)
        if got != want:
            fail(f"`self.{attr}` should have {key}={want!r}, but it has {key}={clean(repr(got))}. Use "
                 "the constructor arguments of your model, not fixed numbers.")
    return info


ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: (lambda e: e / e.sum(-1, keepdims=True))(np.exp(z - z.max(-1, keepdims=True))),
}


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softplus(z):
    return np.logaddexp(0.0, z)


# Keras's other built-in activations (its defaults: leaky_relu's slope 0.2, exact gelu), which a
# learner may give a layer the contract does not name (a hidden layer of their own, an encoder).
OTHER_ACTIVATIONS = {
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "selu": lambda z: 1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0))),
    "gelu": lambda z: 0.5 * z * (1 + _erf(z / math.sqrt(2))),
    "silu": lambda z: z * _sigmoid(z),
    "softplus": _softplus,
    "softsign": lambda z: z / (1 + np.abs(z)),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "relu6": lambda z: np.clip(z, 0, 6),
    "mish": lambda z: z * np.tanh(_softplus(z)),
    "hard_sigmoid": lambda z: np.clip(z + 3, 0, 6) / 6,
    "hard_silu": lambda z: z * np.clip(z + 3, 0, 6) / 6,
    "exponential": np.exp,
}


def activation(name: str, z: np.ndarray) -> np.ndarray:
    """What the activation ``name`` computes, computed by the judge."""
    return (ACTIVATIONS.get(name) or OTHER_ACTIVATIONS[name])(np.asarray(z, dtype="float64"))


def _activation_of(model: Remote, attr: str, z: np.ndarray):
    try:
        out = model.call_path(f"{attr}.activation", z)
    except LearnerError:
        return None
    return out if isinstance(out, np.ndarray) and out.shape == z.shape else None


def expect_activation(model: Remote, attr: str, name: str) -> None:
    """The layer's activation computes ``name`` on the judge's inputs (any spelling accepted)."""
    z = draw.features(3, 4, scale=2.0)
    got = _activation_of(model, attr, z)
    if got is None or not np.allclose(got, activation(name, z), atol=1e-5):
        fail(f"`self.{attr}` should use the {name!r} activation: "
             f"`keras.layers.Dense(..., activation=\"{name}\")`.")


def verify_dense(model: Remote, attr: str, act: str, in_dim: int = 5, units: int | None = None) -> None:
    """``model.<attr>`` computes ``act(x @ W + b)`` with the weights the judge set.

    This is what makes a described Dense layer a fact: the judge draws ``W`` and ``b`` in
    the shapes the layer reports, sets them, draws ``x`` and compares the layer's answer with
    its own computation. A layer not built yet is first called on its own on ``in_dim``
    features, so the check does not depend on the model's ``call()``.
    """
    with doing(f"calling `self.{attr}` on its own"):
        info = model.describe(attr, layers=False)
        if not info.get("weights"):
            model.call_path(attr, draw.features(2, in_dim))
            info = model.describe(attr, layers=False)
    shapes = [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]
    if len(shapes) != 2 or len(shapes[0]) != 2 or shapes[1] != (shapes[0][1],):
        fail(f"`self.{attr}` should own a kernel and a bias once the model has been called (a Dense "
             f"layer with a bias), but it has weights of shapes {shapes}.")
    if not 0 < shapes[0][0] <= 4096 or not 0 < shapes[0][1] <= 4096 or shapes[0][0] * shapes[0][1] > 1 << 20:
        fail(f"`self.{attr}` has weights of shapes {shapes}, larger than this exercise needs.")
    if units is not None and shapes[0][1] != units:
        fail(f"`self.{attr}` should have {units} units, but its kernel has {shapes[0][1]} columns "
             f"(shape {shapes[0]}). Use the constructor arguments of your model, not fixed numbers.")
    w = draw.weights_like(shapes)
    x = draw.features(4, shapes[0][0])
    with doing(f"setting the weights of `self.{attr}` and calling it"):
        model.set_weights(w, path=attr)
        out = model.call_path(attr, x)
    want = activation(act, x.astype("float64") @ w[0] + w[1])
    if not isinstance(out, np.ndarray) or out.shape != want.shape or not np.allclose(out, want, atol=1e-4, rtol=1e-4):
        fail(f"`self.{attr}` does not compute what `Dense({shapes[0][1]}, activation=\"{act}\")` "
             f"computes: given weights, called on its own, it should return {act}(x @ kernel + "
             "bias). Use a plain `keras.layers.Dense` for it.")


def layer_weights(model: Remote, attr: str, shapes: list[tuple[int, ...]], what: str = "") -> list[np.ndarray]:
    """The weights of ``model.<attr>`` as the child reads them back, in the order of ``shapes``
    (a layer may create them in any order), if they are finite numbers of exactly those shapes:
    what the judge computes with itself (after training, say), so that a result is the judge's
    arithmetic on the named layer's own weights, not an answer."""
    with doing(what or f"reading the weights of `self.{attr}`"):
        got = model.get_weights(path=attr)
    wanted = [tuple(s) for s in shapes]
    arrays = isinstance(got, list) and all(isinstance(w, np.ndarray) for w in got)
    left = list(got) if arrays and len(got) == len(wanted) else []
    ordered = []
    for shape in wanted:
        i = next((i for i, w in enumerate(left) if w.shape == shape), None)
        if i is None:
            fail(f"{f'`self.{attr}`' if attr else 'Your layer'} should hold weights of shapes {wanted} here, but it holds "
                 f"{[tuple(np.shape(w)) for w in got] if isinstance(got, list) else got!r:.200}. Bind the "
                 "layer on `self` in `__init__` and use it in `call()`.")
        ordered.append(left.pop(i))
    weights = [np.asarray(w, dtype="float64") for w in ordered]
    if not all(np.all(np.isfinite(w)) for w in weights):
        fail(f"`self.{attr}` holds weights that are not finite numbers (NaN or inf) after training.")
    return weights


def dense_weights(model: Remote, attr: str, in_dim: int) -> list[np.ndarray]:
    """The kernel ``(in_dim, units)`` and bias ``(units,)`` of the Dense layer ``model.<attr>``,
    as it holds them now (a zero bias for a layer without one): what ``Forward.compute``
    computes with."""
    with doing(f"reading the weights of `self.{attr}`"):
        got = model.get_weights(path=attr)
    kernels = [w for w in got if isinstance(w, np.ndarray) and w.ndim == 2] if isinstance(got, list) else []
    units = kernels[0].shape[1] if kernels else 0
    if not kernels or kernels[0].shape[0] != in_dim or not 0 < units <= 4096:
        fail(f"`self.{attr}` should be a Dense layer whose kernel has {in_dim} rows (one per input "
             f"feature) here, but it holds weights of shapes "
             f"{[tuple(np.shape(w)) for w in got] if isinstance(got, list) else []}. Bind the layer on "
             "`self` in `__init__` and apply it in `call()` as the exercise describes.")
    if len(got) == 1:  # a Dense(..., use_bias=False): its bias is zero
        return [*layer_weights(model, attr, [(in_dim, units)]), np.zeros(units)]
    return layer_weights(model, attr, [(in_dim, units), (units,)])


def expect_tracked(model: Remote, layers: dict[str, dict], exactly: bool = True) -> None:
    """Keras tracks each of ``layers`` (attr → its description) in ``model.layers``."""
    with doing("reading `model.layers`"):
        info = model.describe()
    tracked = [t for t in info.get("layers", []) if isinstance(t, dict)]
    ids = [t.get("id") for t in tracked]
    for attr, layer in layers.items():
        if layer.get("id") not in ids:
            fail(f"Binding through self: Keras does not track `self.{attr}` (it is not in "
                 "`model.layers`). Bind layers directly on `self` in `__init__`, after "
                 "`super().__init__(**kwargs)`.")
    if exactly and len(tracked) != len(layers):
        names = ", ".join(f"{clean(t.get('class'))}({clean(t.get('name'))})" for t in tracked[:10])
        fail(f"Binding through self: the model should track exactly {len(layers)} layers "
             f"({', '.join('self.' + a for a in layers)}), but Keras tracks {len(tracked)}: {names}. "
             "Create no layers other than the ones the exercise lists.")


def expect_same_object(model: Remote, attr: str, before: dict) -> None:
    with doing(f"reading `self.{attr}` after calling the model"):
        after = model.describe(attr, layers=False) if model.has(attr) else {}
    if after.get("id") != before.get("id"):
        fail(f"`self.{attr}` is a new object after calling the model: layers must be created "
             "once in `__init__`, never in `call()`, or their weights are re-created on every call.")


# -- outputs ------------------------------------------------------------------------------------

def expect_shape(out, shape: tuple, what: str = "the output"):
    got = tuple(np.shape(out))
    if got != tuple(shape):
        fail(f"Output shape: {what} should have shape {tuple(shape)}, got {got}.")


def expect_close(got, want, what: str, atol: float = 1e-4, hint: str = ""):
    got, want = np.asarray(got, dtype="float64"), np.asarray(want, dtype="float64")
    if got.shape != want.shape or not np.allclose(got, want, atol=atol, rtol=1e-4):
        if got.shape == want.shape and not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
            diff = (f"it holds {int(np.sum(~np.isfinite(got)))} values that are not numbers (NaN or inf) "
                    "where numbers were expected: a division by zero, or the log or square root of a "
                    "negative number, in call()")
        elif got.shape == want.shape:
            with np.errstate(all="ignore"):
                gap = np.abs(got - want)
                diff = f"largest difference {float(np.where(np.isnan(gap), np.inf, gap).max(initial=0.0)):.3g}"
        else:
            diff = f"shape {got.shape} instead of {want.shape}"
        fail(f"{what}: {diff}." + (f" {hint}" if hint else ""))


def expect_varies(out, what: str = "the output"):
    """Different input rows give different output rows: the output is computed from the input."""
    out = np.asarray(out, dtype="float64")
    if out.ndim >= 2 and len(out) > 1 and np.allclose(out, out[:1], atol=1e-7):
        fail(f"{what[0].upper() + what[1:]} is the same for every input row: call() should compute "
             "its output from `inputs`, through the model's layers.")


def expect_softmax(out, what: str = "the output"):
    out = np.asarray(out, dtype="float64")
    if out.ndim < 1 or out.size == 0 or not np.all(np.isfinite(out)) or np.any(out < -1e-6) or \
            not np.allclose(out.sum(axis=-1), 1.0, atol=1e-4):
        row = np.array2string(out.reshape(-1, out.shape[-1] if out.ndim else 1)[0], precision=3) \
            if out.size else "empty"
        fail(f"Softmax: each row of {what} should be a probability distribution (non-negative, "
             f"summing to 1); the first row is {row}. Use `activation=\"softmax\"` on the classifier.")


# -- training -------------------------------------------------------------------------------------

def record(key: str, values) -> None:
    """Numbers for the reports; a child's numbers, so only finite ones, bounded, are kept."""
    if isinstance(values, (list, tuple)):
        kept = [float(v) for v in values[:1000] if isinstance(v, (int, float)) and not isinstance(v, bool)
                and math.isfinite(v)]
        recorded[key] = [max(-1e12, min(1e12, v)) for v in kept]


def train(model: Remote, x, y, *, loss, epochs: int, batch_size: int = 32, learning_rate: float = 0.05,
          optimizer: str = "Adam", eager_loop: bool = False) -> list:
    """Train the learner's model in the child (``fit``, or a plain eager loop); its loss curve.

    ``loss`` is a Keras loss name or ``{"class": "SparseCategoricalCrossentropy", "from_logits":
    True}``. The losses are the child's word: for the reports only. Judge the trained model
    with ``accuracy`` (or ``run``) on data held out from ``x``.
    """
    what = ("training your model with `compile()` and `fit()`" if not eager_loop else
            "training your model (a forward pass with training=True, then one optimizer step on "
            "model.trainable_weights, repeated)")
    with doing(what):
        losses = model.channel.request(
            "fit", obj=model.ref, x=x, y=y, epochs=epochs, batch_size=batch_size,
            shuffle_seed=draw.integer(0, 1 << 30), loss=loss, eager_loop=eager_loop,
            optimizer={"class": optimizer, "learning_rate": learning_rate})
    record("loss", losses)
    return recorded.get("loss", [])


def accuracy(model: Remote, x, y) -> float:
    out = run(model, x, "measuring the accuracy of your trained model")
    if not isinstance(out, np.ndarray) or out.ndim != 2 or len(out) != len(y):
        fail(f"Training: the trained model's output on {len(y)} rows has shape {np.shape(out)}.")
    return float(np.mean(np.argmax(out, axis=-1) == y))


# -- added for ex04, ex05 and ex06: layers found among those Keras tracks, believed by behaviour

def tracked_layers(model: Remote, path: str | None = None, depth: int = 3, limit: int = 60) -> list[tuple[str, dict]]:
    """(path, description) of the layers Keras tracks in ``model`` (or in ``model.<path>``),
    in the order Keras lists them, the layers of nested layers (a ``Sequential``, a learner's
    own layer) after their parent, down to ``depth`` levels. What the child describes: verify
    before believing."""
    found: list[tuple[str, dict]] = []

    def walk(at: str | None, info: dict, level: int):
        layers = info.get("layers") if isinstance(info.get("layers"), list) else []
        where = f"{at}.layers" if at else "layers"
        if not layers and at and isinstance(info.get("sublayers"), list):  # a learner's own layer's layers
            layers, where = info["sublayers"], f"{at}._layers"
        for i, layer in enumerate(layers[:limit]):
            if not isinstance(layer, dict) or len(found) >= limit:
                continue
            sub = f"{where}[{i}]"
            found.append((sub, layer))
            if level < depth and layer.get("is_layer") is True:
                walk(sub, model.describe(sub), level + 1)

    with doing("reading the layers Keras tracks"):
        walk(path, model.describe(path), 1)
    return found


def drawn_weights(model: Remote, shapes: list[tuple], path: str | None = None) -> list[np.ndarray]:
    """Weights the judge draws for the variables of ``model`` (or ``model.<path>``), of these
    shapes in the order Keras lists them (``draw.variable_weights``: a moving variance positive)."""
    described = model.describe(path, layers=False).get("weights")
    described = described if isinstance(described, list) else []
    paths = [w.get("path", "") if isinstance(w, dict) else "" for w in described]
    if len(paths) != len(shapes):
        paths = [""] * len(shapes)  # what the child described does not match: no variance is known
    return draw.variable_weights(shapes, paths)


def dense_shapes(info: dict) -> list[tuple] | None:
    """A described layer's weight shapes if they are a Dense layer's (kernel, and bias or none)."""
    shapes = [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]
    if not shapes or len(shapes) > 2 or len(shapes[0]) != 2 or not all(0 < d <= 4096 for d in shapes[0]):
        return None
    if len(shapes) == 2 and shapes[1] != (shapes[0][1],):
        return None
    return shapes


def dense_activation(model: Remote, path: str, info: dict | None = None) -> tuple[str, list] | None:
    """How the (built) layer at ``path`` computes, if it computes ``act(x @ W + b)``: the
    activation's name and the weights the judge drew and set on it; None otherwise.

    ``verify_dense`` for a layer the contract does not name: the activation is found, not
    given, among Keras's built-in ones (``ACTIVATIONS``, then ``OTHER_ACTIVATIONS``).
    """
    if info is None:
        with doing("reading one of your layers"):
            info = model.describe(path, layers=False)
    shapes = dense_shapes(info)
    if shapes is None:
        return None
    w, x = draw.weights_like(shapes), draw.features(4, shapes[0][0])
    with doing("setting the weights of one of your Dense layers and calling it on its own"):
        model.set_weights(w, path=path)
        out = model.call_path(path, x)
    if not isinstance(out, np.ndarray) or out.shape != (4, shapes[0][1]):
        return None
    z = x.astype("float64") @ w[0] + (w[1] if len(w) == 2 else 0.0)
    with np.errstate(over="ignore"):
        for name in (*ACTIVATIONS, *OTHER_ACTIVATIONS):
            if np.allclose(out, activation(name, z), atol=1e-4, rtol=1e-4):
                return name, w
    return None


def teaching(cause):
    """A check decorator: when the check fails and ``cause(submission)`` gives a lesson (a likely
    cause the judge read from the source, say a layer created in ``embed()``), the failure says
    that lesson first, then what happened (its first lines), so the learner reads the real cause."""
    def decorate(fn):
        @functools.wraps(fn)
        def checked(submission):
            try:
                return fn(submission)
            except CheckFailed as e:
                lesson = cause(submission)
                if not lesson:
                    raise
                happened = "\n".join(str(e).splitlines()[:2])
                taught = CheckFailed(f"{lesson}\n  (What happened: {happened})")
                taught.__notes__ = list(getattr(e, "__notes__", []))
                raise taught from None
        return checked
    return decorate


__all__ += ["tracked_layers", "dense_shapes", "dense_activation", "teaching"]  # added for ex04, ex05, ex06


# -- added for ex08 and ex09

def activation_of(model: Remote, path: str) -> str:
    """Which of ``ACTIVATIONS`` the layer at ``path`` applies, judged by what its activation
    computes on the judge's inputs (any spelling of it: ``"relu"``, ``tf.nn.relu``, ...); ""
    if none of them."""
    z = draw.features(3, 4, scale=2.0)
    with doing(f"calling the activation of `self.{path}`"):
        got = model.call_path(f"{path}.activation", z) if model.has(f"{path}.activation") else None
    for name in ACTIVATIONS:
        if isinstance(got, np.ndarray) and got.shape == z.shape and np.allclose(got, activation(name, z), atol=1e-5):
            return name
    return ""
