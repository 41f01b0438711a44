"""Grader for ex10_custom_train_step: ClippedRegressor, a model with its own training step.

Written for the judge (``JUDGED``): the learner's model lives in the child, and what the
child reports (weights before and after a step, losses) is its word. So the step is judged
against what the judge computes itself:

1. The judge *describes* the learner's network (the built-in layers it tracks, in the order
   they were created, through ``Sequential`` bodies and lists), builds its own *replica* of
   them (Dense, Dropout, BatchNormalization, LayerNormalization, Activation, rebuilt from
   their settings and weight shapes in trusted code), sets the same weights it drew in both,
   and checks first that the learner's forward pass equals the replica's on inputs it drew:
   from then on the replica *is* the learner's function.
2. The judge compiles the model as learners do (``loss="mse"``, a string: a step that calls
   ``self.loss(y, y_pred)`` crashes as it would in ``fit``), computes with the replica the
   gradient of the compiled loss and the update the contract asks for (global-norm clipping,
   then the compiled optimizer: SGD, or Adam run by the judge on the replica), asks the child
   to run one ``train_step`` (or ``fit`` for one step) on data it drew, and reads the weights
   after. To match, the child must have computed what the judge computed, from weights and
   data the judge chose.

Dropout and BatchNormalization (a learner may add them, CURRICULUM.md) are judged exactly,
in training mode, which is what the step must use:

* BatchNormalization in training mode normalises with the batch's own statistics: a
  deterministic function of the weights and the batch, so the replica computes the same.
* Dropout draws a random mask; Keras draws it without state from its layer's seed generator.
  Before each step the judge sets the seed state of every Dropout, in the child and in the
  replica, to a value it drew (``op_set_seed_state``): both draw the same mask, and the
  comparison stays exact. A step whose forward pass runs with ``training=False`` then
  matches the replica's *inference-mode* update instead, and is named as that mistake.
  (Judging Dropout in inference mode only would not see that mistake; judging it
  statistically would make the clipping checks loose for every network with Dropout.)

L1/L2 penalties on Dense layers (read from the layer's config, then proven by the step
itself) are rebuilt too, since ``compute_loss`` adds them. The Adam check judges only that
the compiled optimizer made the update: Adam's first step hardly depends on the gradients'
scale, so clipping is judged with SGD, where it shows. The history check computes each
batch's loss itself, the second one at the weights the learner's own first step reached
(run once beforehand, then undone), so a wrong update does not also cost the reporting point.

A network the replica cannot follow (a layer of the learner's own making, layers called in
an order other than the one they were created in, a skip connection) is told so, plainly:
the step checks need a network of Keras layers applied one after the other.
"""
import itertools
from contextlib import contextmanager

import keras
import numpy as np
import tensorflow as tf
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.wire.handle import LearnerError, Remote
from kerasgrade.errors import CheckFailed
from kerasgrade.grading import draw
from kerasgrade.grading.draw import features, split
from kerasgrade.grading.expect import (Forward, build, clean, doing, expect_close, expect_same_object, expect_shape,
                                       explain_remote, fail, get_class, run, train)
from kerasgrade.grading.opening import opening_checks
from kerasgrade.grading.replica import draw_layer_weights, followed, forward, layers_of, rebuild

JUDGED = True
CLASS = "ClippedRegressor"
N_FEATURES = 4
MAX_WEIGHTS = 200_000    # numbers in their weights, at most


def model_class(submission):
    return get_class(submission, CLASS)


# Every output a check reads is first the judge's own computation (``run``): the network's layers,
# rebuilt by the judge and applied in order.
FOLLOW = {CLASS: Forward(lambda model, x, got, **_: followed(model, x, got),
                         "the layers of your network applied one after the other")}

globals().update(opening_checks(CLASS, inputs=lambda: features(4, N_FEATURES), output_shape=(4, 1),
                               args={"clip_norm": 2.0}))


# -- data -------------------------------------------------------------------------------------

def huge_errors(n=32):
    """Targets near 1000, far from any fresh model's predictions: the gradients are huge."""
    return features(n, N_FEATURES), (1000.0 + features(n, 1)).astype("float32")


def small_errors(n=32):
    """Targets of unit scale: the gradients are moderate."""
    return features(n, N_FEATURES), features(n, 1)


def linear_task(n=256):
    """A noiseless linear regression target with both signs."""
    x = features(n, N_FEATURES)
    w = draw.rng().normal(size=(N_FEATURES, 1))
    w *= 1.5 / np.linalg.norm(w)  # the same spread whatever the draw: many targets of each sign
    return x, (x @ w + 0.5).astype("float32")


# -- the judge's replica of the learner's network --------------------------------------------

CANNOT_FOLLOW = (
    "To judge your `train_step`, the grader rebuilds your network from the Keras layers your model "
    "tracks (Dense, Dropout, BatchNormalization, LayerNormalization, Activation, ReLU, LeakyReLU; in a "
    "`Sequential`, a list or bound one by one on `self`), applied one after the other, with the "
    "built-in activations call() applies between them, and computes the step itself. ")


class Replica:
    """The learner's model in the child, and the judge's copy of its network (a ``Sequential``
    of the same built-in layers) with the same weights: the judge's verdicts are computed on it."""

    def __init__(self, model, paths: list[str], layers: list):
        self.model, self.paths, self.layers = model, paths, layers
        self.initial: dict[str, list] = {}  # the weights the judge set, path -> arrays
        self.loss = "mse"  # the loss the model was compiled with (a name)
        self.net = keras.Sequential(layers)
        self.dropouts = [(p, layer) for p, layer in zip(paths, layers) if isinstance(layer, keras.layers.Dropout)]
        self.weighted = [(p, layer) for p, layer in zip(paths, layers) if layer.trainable_weights]

    def learner_trainable(self) -> list[np.ndarray]:
        """The learner's trainable weights, layer by layer in the replica's order (the child's word)."""
        weights = self.learner_weights()
        return [w.astype("float64") for path, layer in self.weighted
                for w, v in zip(weights[path], layer.weights) if v.trainable]

    def seed(self, states: list | None = None, child: bool = True) -> list:
        """Give every Dropout, the learner's (unless ``child`` is false) and the replica's, the same
        random state: ``states``, or new ones drawn; the states, to set them again."""
        states = states or [[draw.integer(0, 1 << 30), 0] for _ in self.dropouts]
        for (path, layer), state in zip(self.dropouts, states):
            if child:
                with doing(f"setting the random state of your Dropout layer `{path}`"):
                    self.model.channel.request("set_seed_state", obj=self.model.ref, path=path, state=state)
            layer.seed_generator.state.assign(np.asarray(state, dtype=layer.seed_generator.state.dtype))
        return states

    def set_weights(self, weights: dict, child: bool = True) -> None:
        """Set the weights of the layers (path -> arrays) in the replica, and in the child."""
        for path, layer in zip(self.paths, self.layers):
            if path in weights:
                layer.set_weights(weights[path])
                if child:
                    with doing("setting the weights of your layers"):
                        self.model.set_weights(weights[path], path=path)

    def learner_weights(self) -> dict:
        """All the weights of the learner's layers, path -> arrays (the child's word, shapes checked)."""
        out = {}
        with doing("reading your model's weights"):
            for path, layer in zip(self.paths, self.layers):
                if layer.weights:
                    got = self.model.get_weights(path=path)
                    if len(got) != len(layer.weights) or any(
                            not isinstance(g, np.ndarray) or g.shape != tuple(v.shape) for g, v in zip(got, layer.weights)):
                        fail(f"The weights of your layer `{path}` changed shape during the step: "
                             "`train_step` should only update the values of the existing weights.")
                    out[path] = [g.astype("float32") for g in got]
        return out

    def gradients(self, x, y, loss: str, training: bool = True) -> tuple[float, list[np.ndarray]]:
        """The compiled loss and its gradients at the current weights, computed by the judge; the
        replica's state (BatchNormalization's moving statistics) is put back afterwards."""
        saved = [v.numpy() for v in self.net.non_trainable_weights]
        with tf.GradientTape() as tape:
            value = keras.ops.mean(keras.losses.get(loss)(y, self.net(x, training=training)))
            if self.net.losses:  # the layers' L1/L2 penalties, which `compute_loss` adds
                value = value + keras.ops.sum([keras.ops.sum(p) for p in self.net.losses])
        grads = tape.gradient(value, self.net.trainable_variables)
        for v, s in zip(self.net.non_trainable_weights, saved):
            v.assign(s)
        grads = [np.zeros(v.shape) if g is None else g.numpy().astype("float64")
                 for g, v in zip(grads, self.net.trainable_variables)]
        return float(value), grads

    def adam_update(self, grads, learning_rate: float) -> list[np.ndarray]:
        """The change Keras's Adam makes to the replica's weights for these gradients."""
        variables = self.net.trainable_variables
        before = [v.numpy().astype("float64") for v in variables]
        keras.optimizers.Adam(learning_rate=learning_rate).apply(
            [tf.constant(g, dtype=v.dtype) for g, v in zip(grads, variables)], variables)
        delta = [v.numpy().astype("float64") - b for v, b in zip(variables, before)]
        for v, b in zip(variables, before):
            v.assign(b.astype("float32"))
        return delta


def replicate(submission, clip_norm=None) -> Replica:
    """A built ``ClippedRegressor`` and the judge's replica of its network, with the same judge
    weights, whose forward pass has been seen to agree with the learner's."""
    cls = model_class(submission)
    model = build(cls) if clip_norm is None else build(cls, clip_norm=clip_norm)
    run(model, features(2, N_FEATURES))
    found = layers_of(model)
    claimed = sum(int(np.prod(w.get("shape")))
                  for _, info in found for w in info.get("weights", [])
                  if isinstance(w, dict) and isinstance(w.get("shape"), list)
                  and all(isinstance(d, int) and 0 <= d <= 1 << 20 for d in w["shape"]))
    if claimed > MAX_WEIGHTS:
        fail(f"Your network has {claimed} weights, far more than a small regression network needs "
             f"(at most {MAX_WEIGHTS} here): use a few small layers.")
    paths, layers = [], []
    for path, info in found:
        if info.get("builtin") == "InputLayer":
            continue
        layer = rebuild(model, path, info)
        if layer is None:
            fail(CANNOT_FOLLOW + f"Your model's layer `{path}` is a {clean(info.get('class')) or 'layer'} "
                 "the grader cannot rebuild from its settings (built-in activations and L1/L2 "
                 "penalties are fine). Build the network from those built-in layers, with the "
                 "output layer `Dense(1)`.")
        paths.append(path)
        layers.append(layer)
    with doing("reading your model's weights"):
        learner_trainable = len(model.describe().get("trainable", []))
    if not layers or learner_trainable != sum(len(layer.trainable_weights) for layer in layers):
        fail(CANNOT_FOLLOW + f"Your model owns {learner_trainable} trainable weights, but its "
             f"layers hold {sum(len(layer.trainable_weights) for layer in layers)}: create the "
             "weights inside Keras layers bound on `self`, not with `add_weight` on the model.")
    initial = {path: draw_layer_weights(layer) for path, layer in zip(paths, layers) if layer.weights}
    for path, layer in zip(paths, layers):
        if path in initial:
            layer.set_weights(initial[path])
            with doing("setting the weights of your layers"):
                model.set_weights(initial[path], path=path)
    x = features(16, N_FEATURES)
    got = run(model, x)
    for chain in _arrangements(paths, layers):
        want = forward([layer for _, layer in chain], x)
        if want is not None and got.shape == want.shape and np.allclose(got, want, atol=1e-4, rtol=1e-4):
            break
    else:
        order = " -> ".join(f"{type(layer).__name__}" for layer in layers)
        fail(CANNOT_FOLLOW + f"With the weights the grader set, your model's output is not that of "
             f"its layers ({order}) applied one after the other, in any order, with or without a "
             "built-in activation between them. Use each layer once, one after the other.")
    rep = Replica(model, [path for path, _ in chain], [layer for _, layer in chain])
    rep.initial = initial
    return rep


# Activations a learner may apply in call() between two layers (`tf.nn.relu(self.hidden(x))`).
CALL_ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu", "silu", "leaky_relu", "softplus", "selu", "relu6")
MAX_ARRANGEMENTS = 3000


def _arrangements(paths: list[str], layers: list):
    """The chains of the learner's layers the judge tries, as (path, layer) lists: the order
    they were created in first, then every other order their sizes allow (up to 7 layers), each
    with no activation or a built-in one applied after a linear Dense layer that is not last."""
    n = len(layers)
    orders = [tuple(range(n))] + ([o for o in itertools.permutations(range(n)) if o != tuple(range(n))]
                                  if n <= 7 else [])
    tried = 0
    for order in orders:
        if not _sizes_chain([layers[i] for i in order]):
            continue
        gaps = [k for k, i in enumerate(order[:-1]) if isinstance(layers[i], keras.layers.Dense)
                and layers[i].get_config().get("activation") == "linear"]
        for acts in itertools.product((None, *CALL_ACTIVATIONS), repeat=len(gaps)):
            tried += 1
            if tried > MAX_ARRANGEMENTS:
                return
            chain = []
            for k, i in enumerate(order):
                chain.append((paths[i], layers[i]))
                act = acts[gaps.index(k)] if k in gaps else None
                if act is not None:
                    chain.append((f"<{act} after {paths[i]}>", keras.layers.Activation(act)))
            yield chain


def _sizes_chain(layers: list) -> bool:
    """Whether the layers, applied in this order, take N_FEATURES inputs to one output."""
    size = N_FEATURES
    for layer in layers:
        if isinstance(layer, keras.layers.Dense):
            if layer.kernel.shape[0] != size:
                return False
            size = layer.kernel.shape[1]
        elif layer.weights and layer.weights[0].shape[0] != size:
            return False
    return size == 1


def compiled(submission, clip_norm=None, *, optimizer="SGD", learning_rate=0.1, loss="mse",
             eager=True) -> Replica:
    """A replicated model compiled as learners do (``compile(optimizer=..., loss="mse")``)."""
    rep = replicate(submission, clip_norm)
    with doing(f"compiling your model with `compile(optimizer={optimizer}(learning_rate={learning_rate}), "
               f"loss=\"{loss}\")`"):
        rep.model.channel.request("compile", obj=rep.model.ref, loss=loss, run_eagerly=eager,
                                  optimizer={"class": optimizer, "learning_rate": learning_rate})
    rep.loss = loss
    return rep


# -- the learner's step, as the child reports it ----------------------------------------------

def string_loss(loss: str) -> str:
    """Why ``self.loss(y, y_pred)`` fails once the model is compiled with ``loss=<a name>``."""
    return (f"The grader compiled your model as learners do, `model.compile(optimizer=..., "
            f"loss=\"{loss}\")`: `self.loss` is then the string \"{loss}\" (whatever was given to "
            "`compile()`), not a function, so `self.loss(y, y_pred)` cannot be called (and `fit` "
            "would crash the same way). Compute the compiled loss with `self.compute_loss(x=x, y=y, "
            "y_pred=y_pred)`: it works whatever `compile()` was given (a name, a loss object) and "
            "adds the regularization losses.")


@contextmanager
def stepping(what: str, loss: str = "mse"):
    """Requests that run the learner's step; a string loss called as a function is explained."""
    try:
        yield
    except LearnerError as e:
        if e.error.kind == "TypeError" and "'str' object is not callable" in e.error.text:
            where = f" (at {clean(e.error.where)})" if e.error.where else ""
            raise CheckFailed(f"While {what}, your code raised TypeError: 'str' object is not "
                              f"callable{where}. {string_loss(loss)}") from None
        raise CheckFailed(explain_remote(e, what)) from None


def one_step(rep: Replica, x, y) -> list[np.ndarray]:
    """Run the learner's ``train_step`` once on the batch ``(x, y)``; the weight change."""
    before = rep.learner_trainable()
    with stepping("running your `train_step((x, y))` on one batch", rep.loss):
        rep.model.channel.request("train_step", obj=rep.model.ref, x=x, y=y)
    return [a - b for a, b in zip(rep.learner_trainable(), before)]


def fit_history(rep: Replica, x, y, batch_size: int) -> dict:
    """``model.fit(x, y, batch_size, epochs=1, shuffle=False)`` in the child; its history."""
    with stepping(f"running `model.fit(x, y, batch_size={batch_size}, epochs=1)` with your model", rep.loss):
        history = rep.model.method("fit", x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
        logs = history.get("history") if isinstance(history, Remote) else None
    return logs if isinstance(logs, dict) else {}


def fit_once(rep: Replica, x, y) -> list[np.ndarray]:
    """``model.fit`` for exactly one step on the whole batch; the weight change."""
    before = rep.learner_trainable()
    fit_history(rep, x, y, batch_size=len(x))
    return [a - b for a, b in zip(rep.learner_trainable(), before)]


# -- measurements ---------------------------------------------------------------------------

def norm(arrays) -> float:
    return float(np.sqrt(sum(np.sum(a * a) for a in arrays)))


def global_clip(grads, clip_norm):
    scale = clip_norm / max(norm(grads), clip_norm)
    return [g * scale for g in grads]


def same(delta, want) -> bool:
    """Equal weight changes, up to float32 rounding (relative to the size of the change)."""
    return len(delta) == len(want) and all(d.shape == w.shape for d, w in zip(delta, want)) and \
        max(float(np.max(np.abs(d - w), initial=0.0)) for d, w in zip(delta, want)) \
        <= 2e-4 * norm(want) + 1e-7


def cosine(a, b) -> float:
    na, nb = norm(a), norm(b)
    if na == 0 or nb == 0 or len(a) != len(b):
        return 0.0
    return float(sum(np.sum(u * v) for u, v in zip(a, b)) / (na * nb))


def what_the_step_did(delta, grads, lr, clip_norm, inference_grads=None, update=None) -> str:
    """Name the known mistake whose update matches ``delta``, in words for the learner.

    ``update`` maps gradients to the change the compiled optimizer makes (default: SGD with
    learning rate ``lr``)."""
    step = update or (lambda gs: [-lr * g for g in gs])
    moved, want = norm(delta), norm(step(global_clip(grads, clip_norm)))
    if moved == 0:
        return ("The weights did not move at all: the step never applied the gradients. End "
                "`train_step` with `self.optimizer.apply(grads, self.trainable_variables)`.")
    if same(delta, step(grads)):
        return (f"The weights moved by the full, unclipped gradient (a change of size {moved:.3g}). "
                "Either the step forgot to clip, `grads, _ = tf.clip_by_global_norm(grads, "
                "self.clip_norm)`, or Keras's default step ran instead of yours: the method must be "
                "named exactly `train_step(self, data)`, be defined in the class, and do the work "
                "itself (`return super().train_step(data)` does not clip).")
    if same(delta, step([g * min(1.0, clip_norm / max(np.linalg.norm(g), 1e-30)) for g in grads])):
        return (f"Each gradient was clipped separately (`tf.clip_by_norm` per variable): each "
                f"variable's part is at most clip_norm, but together they moved the weights by "
                f"{moved:.3g}, up to sqrt(number of variables) times the allowed {want:.3g}. Clip "
                "them together, by their global norm: `tf.clip_by_global_norm(grads, self.clip_norm)`.")
    if clip_norm != 1.0 and same(delta, step(global_clip(grads, 1.0))):
        return (f"The gradients were clipped to a global norm of 1.0, not to this model's "
                f"clip_norm={clip_norm:g}: use the constructor argument (store it on `self` in "
                "`__init__`), not a fixed number.")
    if same(delta, step([g * clip_norm / norm(grads) for g in grads])):
        return ("The gradients were rescaled to a global norm of exactly clip_norm although they "
                "were smaller: clipping only shrinks gradients whose global norm is above clip_norm "
                "(scale = clip_norm / max(global_norm, clip_norm)), it never enlarges them.")
    if inference_grads is not None and same(
            delta, step(global_clip(inference_grads, clip_norm))):
        return ("The step follows the gradients of the model in inference mode: its forward pass "
                "runs with `training=False` (or without `training=True`), so layers such as Dropout "
                "do not act while training. Write `y_pred = self(x, training=True)` inside the tape.")
    if update is None and cosine(delta, [-g for g in grads]) > 0.9999:
        return (f"The change points the right way, but its size is {moved:.3g} instead of "
                f"{want:.3g}: the update was not made by the optimizer given to `compile()` (here "
                f"SGD with learning rate {lr}). Apply the clipped gradients with `self.optimizer`, "
                "not with an optimizer of your own.")
    return (f"The weights moved by {moved:.3g}, in a direction that is not that of the compiled "
            f"loss's gradient (cosine {cosine(delta, [-g for g in grads]):.3f}). The step should "
            "compute `y_pred = self(x, training=True)` under `tf.GradientTape()`, the compiled loss "
            "`self.compute_loss(x=x, y=y, y_pred=y_pred)`, its gradients with respect to "
            "`self.trainable_variables`, clip them together and apply them with `self.optimizer`.")


def inference_gradients(rep: Replica, x, y, loss: str):
    """The gradients of the network in inference mode, where that differs (Dropout): for naming
    a step that runs with ``training=False``."""
    return rep.gradients(x, y, loss, training=False)[1] if rep.dropouts else None


# -- structure --------------------------------------------------------------------------------

@check(points=2, concept="binding through self")
def test_binds_the_loss_tracker(submission):
    "self.loss_tracker is a Mean metric named 'loss', created in __init__ and listed in model.metrics"
    model = build(model_class(submission))
    with doing("reading `self.loss_tracker`"):
        tracker = model.get("loss_tracker") if model.has("loss_tracker") else None
    if tracker is None:
        fail("Binding through self: after construction, the model has no `self.loss_tracker`. A "
             "custom `train_step` must report its own loss: create "
             "`self.loss_tracker = keras.metrics.Mean(name=\"loss\")` in `__init__`, update it in "
             "`train_step` and return its `result()`.")
    with doing("reading `self.loss_tracker`"):
        is_mean = isinstance(tracker, Remote) and tracker.isinstance_of("Mean")
        name = model.get("loss_tracker.name") if is_mean else None
    if not is_mean:
        kind = clean(model.describe("loss_tracker", layers=False).get("class")) or "something else"
        fail(f"`self.loss_tracker` should be a `keras.metrics.Mean` (it averages the loss over the "
             f"batches of an epoch), but it is a {kind}.")
    if name != "loss":
        fail(f"`self.loss_tracker` is named {clean(repr(name))}: name it 'loss' "
             "(`keras.metrics.Mean(name=\"loss\")`) so that `fit` reports it as the loss.")
    values = [float(v) for v in draw.features(1, 3)[0] * 10]
    with doing("updating `self.loss_tracker` with a few numbers"):
        for v in values:
            tracker.method("update_state", v)
        mean = tracker.method("result")
    if not isinstance(mean, np.ndarray) or mean.size != 1 or \
            not np.isclose(float(mean.reshape(-1)[0]), np.mean(values), rtol=1e-5, atol=1e-5):
        fail(f"`self.loss_tracker`, updated with {', '.join(f'{v:.3g}' for v in values)}, should give "
             "their mean: use a plain `keras.metrics.Mean(name=\"loss\")`.")
    with doing("compiling your model and reading `model.metrics`"):
        model.channel.request("compile", obj=model.ref, loss="mse", run_eagerly=True,
                              optimizer={"class": "SGD", "learning_rate": 0.01})
        listed = model.get("metrics")
    if not isinstance(listed, list) or \
            not any((m.ref if isinstance(m, Remote) else m) == tracker.ref for m in listed):
        fail("`model.metrics` does not list `self.loss_tracker`, so Keras does not reset it at the "
             "start of each epoch. Return it from the property: `@property def metrics(self): "
             "return [self.loss_tracker]`.")


@check(points=1, concept="__init__ vs call()")
def test_weights_persist_between_calls(submission):
    "Layers are created once, in __init__: the same input gives the same output on every call"
    model = build(model_class(submission))
    x = features(6, N_FEATURES)
    first = run(model, x)
    with doing("reading your model's weights"):
        weights = model.describe().get("trainable", [])
        tracker = model.describe("loss_tracker", layers=False) if model.has("loss_tracker") else None
    second = run(model, x)
    if not weights:
        fail("After a call, your model owns no trainable weights: a regression network needs "
             "layers (for example `keras.layers.Dense`) created in `__init__` and used in `call()`.")
    with doing("reading your model's weights after a second call"):
        after = model.describe().get("trainable", [])
    if after != weights:
        fail("Calling the model a second time created new weights: layers must be created once in "
             "`__init__`, never in `call()`, or training can never improve them.")
    if tracker is not None:
        expect_same_object(model, "loss_tracker", tracker)
    expect_close(second, first, "Calling the model twice on the same input gave different outputs "
                 "(in inference mode)", hint="Create the layers in `__init__`, not in `call()`.")


@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 8), n_features=st.integers(1, 6),
       clip_norm=st.sampled_from([0.5, 1.0, 5.0]))
def test_output_shape(submission, batch, n_features, clip_norm):
    "call() maps (batch, features) to (batch, 1) for any sizes"
    model = build(model_class(submission), clip_norm=clip_norm)
    out = run(model, features(batch, n_features))
    expect_shape(out, (batch, 1), f"ClippedRegressor(clip_norm={clip_norm}) on a "
                 f"({batch}, {n_features}) input (one number per row: a regression)")


# -- the training step ------------------------------------------------------------------------

@check(points=2, concept="custom train_step")
def test_fit_runs_the_clipped_step(submission):
    "fit() runs your train_step: on huge errors, one SGD step moves the weights by learning_rate * clip_norm"
    lr = 0.1
    rep = compiled(submission, learning_rate=lr, eager=False)
    x, y = huge_errors()
    inference_grads = inference_gradients(rep, x, y, "mse")
    states = rep.seed()
    _, grads = rep.gradients(x, y, "mse")
    want = [-lr * g for g in global_clip(grads, 1.0)]
    rep.seed(states, child=False)
    delta = fit_once(rep, x, y)
    moved, allowed = norm(delta), lr * 1.0
    sized = abs(moved - allowed) <= 1e-3 * allowed
    if not sized or not same(delta, want):
        fail(f"Custom train_step: `ClippedRegressor()` (clip_norm=1.0) was compiled with "
             f"SGD(learning_rate={lr}) and `loss=\"mse\"`, and fitted for one step on targets near "
             f"1000, where the gradients are huge (global norm {norm(grads):.4g}). Clipped to a "
             f"global norm of 1.0, the step must move the weights by exactly learning_rate * "
             f"clip_norm = {allowed:g} (global norm of the change), along the gradient; they moved "
             f"by {moved:.4g}{', but not along the gradient' if sized else ''}. "
             + what_the_step_did(delta, grads, lr, 1.0, inference_grads))


@check(points=2, concept="custom train_step")
def test_step_clips_by_global_norm(submission):
    "One step equals the compiled SGD update of the gradients clipped together to clip_norm"
    lr, clip_norm = 0.2, 0.5
    rep = compiled(submission, clip_norm, learning_rate=lr)
    x, y = huge_errors()
    inference_grads = inference_gradients(rep, x, y, "mse")
    states = rep.seed()
    _, grads = rep.gradients(x, y, "mse")
    want = [-lr * g for g in global_clip(grads, clip_norm)]
    rep.seed(states, child=False)
    delta = one_step(rep, x, y)
    if not same(delta, want):
        fail(f"Clipping by global norm: `ClippedRegressor(clip_norm={clip_norm:g})`, compiled with "
             f"SGD(learning_rate={lr}), ran one `train_step` on targets near 1000. The gradients of "
             f"the compiled loss (from a training-mode forward pass) have a global norm of "
             f"{norm(grads):.4g}; all scaled together by clip_norm / global_norm, they should move "
             f"the weights by {norm(want):.4g} (global norm of the change), in the direction of the "
             f"gradient; your step moved them by {norm(delta):.4g}, not in the same way. "
             + what_the_step_did(delta, grads, lr, clip_norm, inference_grads))


@check(points=1, concept="custom train_step")
def test_step_follows_the_compiled_loss(submission):
    "The step descends the loss given to compile() (here mean absolute error), not a fixed one"
    lr, clip_norm = 0.1, 1000.0
    rep = compiled(submission, clip_norm, learning_rate=lr, loss="mae")
    x, y = small_errors()
    inference_grads = inference_gradients(rep, x, y, "mae")
    states = rep.seed()
    _, grads = rep.gradients(x, y, "mae")
    rep.seed(states, child=False)
    _, grads_mse = rep.gradients(x, y, "mse")
    rep.seed(states, child=False)
    delta = one_step(rep, x, y)
    want = [-lr * g for g in grads]
    if same(delta, want):
        return
    if cosine(delta, [-g for g in grads_mse]) > 0.9999:
        why = ("Your step follows the gradient of the mean squared error: the loss is hard-coded "
               "instead of being the compiled one. Compute it with "
               "`self.compute_loss(x=x, y=y, y_pred=y_pred)`: it is whatever `compile()` was "
               "given, plus any regularization losses.")
    else:
        why = what_the_step_did(delta, grads, lr, clip_norm, inference_grads)
    fail(f"The compiled loss: `ClippedRegressor(clip_norm={clip_norm:g})` was compiled with "
         f"`loss=\"mae\"` (mean absolute error) and SGD(learning_rate={lr}). Its gradients have a "
         f"global norm of {norm(grads):.3g}, below clip_norm, so one step should move the weights "
         f"by exactly -learning_rate * gradient (a change of size {norm(want):.3g}); your step "
         f"moved them by {norm(delta):.3g}, differently. {why}")


@check(points=1, concept="custom train_step")
def test_step_uses_the_compiled_optimizer(submission):
    "The step applies the gradients with the optimizer given to compile() (here Adam)"
    lr, clip_norm = 0.05, 0.5
    rep = compiled(submission, clip_norm, optimizer="Adam", learning_rate=lr)
    x, y = huge_errors()
    inference_grads = inference_gradients(rep, x, y, "mse")
    states = rep.seed()
    _, grads = rep.gradients(x, y, "mse")
    want = rep.adam_update(global_clip(grads, clip_norm), lr)
    rep.seed(states, child=False)
    delta = one_step(rep, x, y)
    # Only the optimizer is judged here: Adam's first step hardly depends on the gradients'
    # scale, and how they were clipped (or which mode the forward pass ran in) is judged with
    # SGD by the checks above, so Adam's update of any of those gradients passes.
    variants = [grads, [g * min(1.0, clip_norm / max(np.linalg.norm(g), 1e-30)) for g in grads],
                global_clip(grads, 1.0)] + ([global_clip(inference_grads, clip_norm)] if inference_grads else [])
    if same(delta, want) or any(same(delta, rep.adam_update(v, lr)) for v in variants):
        return
    with doing("reading `self.optimizer.iterations`"):
        steps = rep.model.get("optimizer.iterations")
    steps = int(steps.reshape(-1)[0]) if isinstance(steps, np.ndarray) and steps.size == 1 else -1
    if steps != 1:
        fail(f"The compiled optimizer: after one `train_step`, the Adam optimizer given to "
             f"`compile()` has applied {steps if steps >= 0 else 'an unknown number of'} update(s) "
             "instead of 1. Apply the clipped gradients with `self.optimizer.apply(grads, "
             "self.trainable_variables)` (or `self.optimizer.apply_gradients(zip(grads, "
             "self.trainable_variables))`), not with an optimizer of your own: the user of your "
             "model picks it in `compile()`.")
    biggest = max((float(np.max(np.abs(d), initial=0.0)) for d in delta), default=0.0)
    fail(f"The compiled optimizer: compiled with Adam(learning_rate={lr}), one step on the clipped "
         f"gradients should change the weights as Adam's first step does (each weight by about the "
         f"learning rate, a change of global norm {norm(want):.3g}); your step's change has global "
         f"norm {norm(delta):.3g} (largest single change {biggest:.3g}), and differs. "
         + what_the_step_did(delta, grads, lr, clip_norm, inference_grads,
                             update=lambda gs: rep.adam_update(gs, lr)))


@check(points=1, concept="custom train_step")
def test_fit_reports_the_mean_loss(submission):
    "fit()'s history reports the epoch's mean loss, from self.loss_tracker"
    # The judge computes each batch's loss itself, at the weights the step starts from: the first
    # at its own weights; the second at the weights after the learner's first step, which it
    # learns by running that step once on its own (then it puts the weights back).
    rep = compiled(submission, learning_rate=0.05, eager=False)
    x, y = small_errors(16)
    states = rep.seed()
    first = rep.gradients(x[:8], y[:8], "mse")[0]
    with stepping("running your `train_step((x, y))` on one batch"):
        rep.model.channel.request("train_step", obj=rep.model.ref, x=x[:8], y=y[:8])  # the tracker now holds a loss
    after_one = rep.learner_weights()
    inference = [rep.gradients(x[:8], y[:8], "mse", training=False)[0]]
    rep.set_weights(after_one, child=False)
    second = rep.gradients(x[8:], y[8:], "mse")[0]
    inference.append(rep.gradients(x[8:], y[8:], "mse", training=False)[0])
    rep.set_weights(rep.initial)
    rep.seed(states)
    seen = [first, second]
    got = fit_history(rep, x, y, batch_size=8).get("loss")
    got = [float(v) for v in got if isinstance(v, (int, float)) and np.isfinite(v)] \
        if isinstance(got, list) else []
    want = float(np.mean(seen))
    if len(got) == 1 and np.isclose(got[0], want, rtol=1e-4, atol=1e-6):
        return
    shown = f"{got[0]:.4g}" if len(got) == 1 else (", ".join(f"{v:.4g}" for v in got) or "nothing")
    if got and all(v == 0 for v in got):
        why = ("A loss of 0 means the tracker that `fit` reports was never updated: create "
               "`self.loss_tracker = keras.metrics.Mean(name=\"loss\")` in `__init__`, call "
               "`self.loss_tracker.update_state(loss)` in `train_step` and return "
               "`{\"loss\": self.loss_tracker.result()}`.")
    elif len(got) == 1 and np.isclose(got[0], seen[1], rtol=1e-4):
        why = ("That is the loss of the last batch only: return the tracker's running mean, "
               "`self.loss_tracker.result()`, after `self.loss_tracker.update_state(loss)`.")
    elif len(got) == 1 and rep.dropouts and np.isclose(got[0], np.mean(inference), rtol=1e-4):
        why = ("That is the mean loss of the model in inference mode: the step's forward pass runs "
               "with `training=False` (or without `training=True`), so Dropout does not act while "
               "training. Write `y_pred = self(x, training=True)` inside the tape.")
    elif len(got) == 1 and np.isclose(got[0], np.mean([first] + seen), rtol=1e-3):
        why = ("That mean includes a batch from before the epoch began: Keras did not reset the "
               "tracker at the start of the epoch. List it in the `metrics` property, "
               "`@property def metrics(self): return [self.loss_tracker]`.")
    else:
        why = ("Update `self.loss_tracker` with the compiled loss of each batch (computed from "
               "the forward pass in training mode, `self(x, training=True)`), return "
               "`{\"loss\": self.loss_tracker.result()}`, and list the tracker in the `metrics` "
               "property so that Keras resets it at the start of every epoch.")
    fail(f"Reporting the loss: fitting one epoch of two batches (losses {seen[0]:.4g} and "
         f"{seen[1]:.4g}, with the compiled `loss=\"mse\"`), the history should show their mean, "
         f"{want:.4g}, but shows {shown}. {why}")


# -- training ---------------------------------------------------------------------------------

def expect_linear_output(rep: Replica) -> None:
    """The network's last layer with an activation is linear (the replica proved its settings)."""
    for path, layer in reversed(list(zip(rep.paths, rep.layers))):
        if isinstance(layer, (keras.layers.Dense, keras.layers.Activation)):
            name = getattr(layer.activation, "__name__", "")
            if name != "linear":
                fail(f"The output layer: your network's last layer, `model.{path}`, applies "
                     f"activation=\"{name}\". A regression output must be linear (`Dense(1)`, no "
                     "activation), so that it can predict any real number, negative ones too.")
            return

@check(points=2, concept="training")
def test_learns_a_regression_target(submission):
    "fit() with your step learns a linear target (error below 10% of its variance, on data it never saw)"
    x, y = linear_task()
    fit_rows, held_out = split(len(y))
    epochs = 32
    try:
        rep = replicate(submission)
    except CheckFailed:
        rep = None  # a network the grader cannot rebuild is judged by its training alone
    if rep is not None:
        expect_linear_output(rep)
    model = build(model_class(submission))
    try:
        train(model, x[fit_rows], y[fit_rows], loss="mse", epochs=epochs, batch_size=32,
              optimizer="SGD", learning_rate=0.1)
    except CheckFailed as e:
        if "'str' object is not callable" in str(e):
            fail(f"{e}\n  {string_loss('mse')}")
        raise
    xh, yh = x[held_out], y[held_out]
    errors = []
    for training in (False, True):  # BatchNormalization's moving statistics lag after a short training
        pred = run(model, xh, "measuring the predictions of your trained model", training=training)
        errors.append(float(np.mean((pred.reshape(yh.shape) - yh) ** 2)) if pred.size == yh.size else np.inf)
    error = min(errors)
    if not error <= 0.1 * float(np.var(yh)):
        fail(f"Training: after {epochs} epochs of SGD on a noiseless linear target, the mean squared "
             f"error of the predictions on new rows is {error:.3g} (the target's variance is "
             f"{float(np.var(yh)):.3g}); it should fall below 10% of the variance. Check that "
             "`train_step` applies the clipped gradients with `self.optimizer`, and that the last "
             "layer is linear (no activation), so it can predict any real number.")
