"""Grader for ex10_custom_train_step: ClippedRegressor, a model with its own training step.

The step is graded by what it does to the weights. The grader compiles the model itself,
computes the gradient of the compiled loss with its own tape at the model's current weights,
then lets the learner's ``train_step`` run once and compares the weight change with the
update the contract asks for (global-norm clipping, then the compiled optimizer).

A network with Dropout (or BatchNormalization) is fine: ``peek`` saves the whole model state
(the dropout seeds included) before its own training-mode forward pass and puts it back, so
the learner's step draws the same dropout mask and the comparison stays exact. A step whose
forward pass runs with ``training=False`` therefore no longer matches, and loses those points.
"""
import keras
import numpy as np
import tensorflow as tf
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.expect import (build, doing, expect_forwards_kwargs, expect_same_object,
                               expect_shape, expect_super_first, fail, features, get_class, run,
                               to_numpy)

N_FEATURES = 4
MSE, MAE = keras.losses.MeanSquaredError(), keras.losses.MeanAbsoluteError()


def model_class(submission):
    return get_class(submission, "ClippedRegressor")


# -- data and measurements ------------------------------------------------------------------

def huge_errors(n=32, seed=3):
    """Targets near 1000, far from any fresh model's predictions: the gradients are huge."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_FEATURES)).astype("float32")
    return x, (1000.0 + rng.normal(size=(n, 1))).astype("float32")


def small_errors(n=32, seed=4):
    """Targets of unit scale: the gradients are moderate."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_FEATURES)).astype("float32")
    return x, rng.normal(size=(n, 1)).astype("float32")


def linear_task(n=256, seed=5):
    """A noiseless linear regression target with both signs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_FEATURES)).astype("float32")
    w = rng.normal(size=(N_FEATURES, 1))
    return x, (x @ w + 0.5).astype("float32")


def ready(submission, clip_norm=None, *, optimizer, loss=MSE, eager=True):
    """A built, compiled ClippedRegressor (the grader chooses the optimizer and the loss)."""
    cls = model_class(submission)
    model = build(cls) if clip_norm is None else build(cls, clip_norm=clip_norm)
    run(model, features(2, N_FEATURES))
    with doing("compiling your model"):
        model.compile(optimizer=optimizer, loss=loss, run_eagerly=eager)
    return model


def trainable(model) -> list[np.ndarray]:
    return [to_numpy(v).astype("float64") for v in model.trainable_variables]


def prediction_error(model, x, y, training):
    """The mean squared error of the model's predictions of ``y``."""
    pred = run(model, x, "measuring the predictions of your trained model", training=training)
    return float(np.mean((pred.reshape(y.shape) - y) ** 2)) if pred.size == y.size else np.inf


def peek(model, x, y, loss=MSE, training=True):
    """The compiled loss and its gradients at the current weights, from a training-mode forward
    pass like the one ``train_step`` makes; then the model's state (dropout seeds, BatchNorm
    statistics) is put back, so that the learner's step draws the same dropout mask."""
    saved = [tf.identity(v.value) for v in model.variables]
    with doing(f"calling your model with `model(x, training={training})`"):
        with tf.GradientTape() as tape:
            value = loss(y, model(x, training=training))
            if model.losses:
                value = value + tf.add_n(model.losses)
        grads = tape.gradient(value, model.trainable_variables)
    for v, s in zip(model.variables, saved):
        v.assign(s)
    grads = [np.zeros(v.shape) if g is None else to_numpy(g).astype("float64")
             for g, v in zip(grads, model.trainable_variables)]
    return float(value), grads


def one_step(model, x, y):
    """Run the learner's ``train_step`` once on the batch ``(x, y)``; the weight change."""
    before = trainable(model)
    with doing("running your `train_step((x, y))` on one batch"):
        model.train_step((tf.constant(x), tf.constant(y)))
    return [a - b for a, b in zip(trainable(model), before)]


def fit_once(model, x, y):
    """``model.fit`` for exactly one step on the whole batch; the weight change."""
    before = trainable(model)
    with doing("running `model.fit(x, y, epochs=1)` with your model"):
        model.fit(tf.data.Dataset.from_tensors((x, y)), epochs=1, verbose=0)
    return [a - b for a, b in zip(trainable(model), before)]


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
    if na == 0 or nb == 0:
        return 0.0
    return float(sum(np.sum(u * v) for u, v in zip(a, b)) / (na * nb))


def what_the_step_did(delta, grads, lr, clip_norm, inference_grads=None) -> str:
    """Name the known mistake whose update matches ``delta``, in words for the learner."""
    moved, want = norm(delta), lr * min(clip_norm, norm(grads))
    if moved == 0:
        return ("The weights did not move at all: the step never applied the gradients. End "
                "`train_step` with `self.optimizer.apply(grads, self.trainable_variables)`.")
    if same(delta, [-lr * g for g in grads]):
        return (f"The weights moved by the full, unclipped gradient (a change of size {moved:.3g}). "
                "Either the step forgot to clip, `grads, _ = tf.clip_by_global_norm(grads, "
                "self.clip_norm)`, or Keras's default step ran instead of yours: the method must be "
                "named exactly `train_step(self, data)`, be defined in the class, and do the work "
                "itself (`return super().train_step(data)` does not clip).")
    if same(delta, [-lr * g * min(1.0, clip_norm / max(np.linalg.norm(g), 1e-30)) for g in grads]):
        return (f"Each gradient was clipped separately (`tf.clip_by_norm` per variable): each "
                f"variable's part is at most clip_norm, but together they moved the weights by "
                f"{moved:.3g}, up to sqrt(number of variables) times the allowed {want:.3g}. Clip "
                "them together, by their global norm: `tf.clip_by_global_norm(grads, self.clip_norm)`.")
    if clip_norm != 1.0 and same(delta, [-lr * g for g in global_clip(grads, 1.0)]):
        return (f"The gradients were clipped to a global norm of 1.0, not to this model's "
                f"clip_norm={clip_norm:g}: use the constructor argument (store it on `self` in "
                "`__init__`), not a fixed number.")
    if same(delta, [-lr * g * clip_norm / norm(grads) for g in grads]):
        return ("The gradients were rescaled to a global norm of exactly clip_norm although they "
                "were smaller: clipping only shrinks gradients whose global norm is above clip_norm "
                "(scale = clip_norm / max(global_norm, clip_norm)), it never enlarges them.")
    if inference_grads is not None and same(
            delta, [-lr * g for g in global_clip(inference_grads, clip_norm)]):
        return ("The step follows the gradients of the model in inference mode: its forward pass "
                "runs with `training=False` (or without `training=True`), so layers such as Dropout "
                "do not act while training. Write `y_pred = self(x, training=True)` inside the tape.")
    if cosine(delta, [-g for g in grads]) > 0.9999:
        return (f"The change points the right way, but its size is {moved:.3g} instead of "
                f"{want:.3g}: the update was not made by the optimizer given to `compile()` (here "
                f"SGD with learning rate {lr}). Apply the clipped gradients with `self.optimizer`, "
                "not with an optimizer of your own.")
    return (f"The weights moved by {moved:.3g}, in a direction that is not that of the compiled "
            f"loss's gradient (cosine {cosine(delta, [-g for g in grads]):.3f}). The step should "
            "compute `y_pred = self(x, training=True)` under `tf.GradientTape()`, the compiled loss "
            "`self.compute_loss(x=x, y=y, y_pred=y_pred)`, its gradients with respect to "
            "`self.trainable_variables`, clip them together and apply them with `self.optimizer`.")


# -- structure --------------------------------------------------------------------------------

@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "ClippedRegressor subclasses tf.keras.Model and can be built and called"
    model = build(model_class(submission))
    run(model, features(4, N_FEATURES))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "ClippedRegressor(name=...) reaches Keras through **kwargs"
    model = expect_forwards_kwargs(model_class(submission), clip_norm=2.0)
    run(model, features(2, 3))


@check(points=2, concept="binding through self")
def test_binds_the_loss_tracker(submission):
    "self.loss_tracker is a Mean metric named 'loss', created in __init__ and listed in model.metrics"
    model = build(model_class(submission))
    tracker = getattr(model, "loss_tracker", None)
    if tracker is None:
        fail("Binding through self: after construction, the model has no `self.loss_tracker`. A "
             "custom `train_step` must report its own loss: create "
             "`self.loss_tracker = keras.metrics.Mean(name=\"loss\")` in `__init__`, update it in "
             "`train_step` and return its `result()`.")
    if not isinstance(tracker, keras.metrics.Mean):
        fail(f"`self.loss_tracker` should be a `keras.metrics.Mean` (it averages the loss over the "
             f"batches of an epoch), but it is a {type(tracker).__name__}.")
    if tracker.name != "loss":
        fail(f"`self.loss_tracker` is named {tracker.name!r}: name it 'loss' "
             "(`keras.metrics.Mean(name=\"loss\")`) so that `fit` reports it as the loss.")
    with doing("compiling your model and reading `model.metrics`"):
        model.compile(optimizer="sgd", loss="mse")
        listed = list(model.metrics)
    if not any(m is tracker for m in listed):
        fail("`model.metrics` does not list `self.loss_tracker`, so Keras does not reset it at the "
             "start of each epoch. Return it from the property: `@property def metrics(self): "
             "return [self.loss_tracker]`.")


@check(points=1, concept="__init__ vs call()")
def test_weights_persist_between_calls(submission):
    "Layers are created once, in __init__: the same input gives the same output on every call"
    model = build(model_class(submission))
    x = features(6, N_FEATURES, seed=2)
    first = run(model, x)
    weights = list(model.trainable_variables)
    tracker = getattr(model, "loss_tracker", None)
    second = run(model, x)
    if not weights:
        fail("After a call, your model owns no trainable weights: a regression network needs "
             "layers (for example `keras.layers.Dense`) created in `__init__` and used in `call()`.")
    if len(model.trainable_variables) != len(weights) or \
            any(a is not b for a, b in zip(model.trainable_variables, weights)):
        fail("Calling the model a second time created new weights: layers must be created once in "
             "`__init__`, never in `call()`, or training can never improve them.")
    expect_same_object(model, "loss_tracker", tracker)
    if not np.allclose(first, second, atol=1e-6):
        fail("Calling the model twice on the same input gave different outputs (in inference "
             "mode): create the layers in `__init__`, not in `call()`.")


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
    model = ready(submission, optimizer=keras.optimizers.SGD(learning_rate=lr))
    x, y = huge_errors()
    _, grads = peek(model, x, y)
    delta = fit_once(model, x, y)
    moved, allowed = norm(delta), lr * 1.0
    if abs(moved - allowed) > 1e-3 * allowed:
        fail(f"Custom train_step: `ClippedRegressor()` (clip_norm=1.0) was compiled with "
             f"SGD(learning_rate={lr}) and fitted for one step on targets near 1000, where the "
             f"gradients are huge. Clipped to a global norm of 1.0, the step must move the weights "
             f"by exactly learning_rate * clip_norm = {allowed:g} (global norm of the change); "
             f"they moved by {moved:.4g}. " + what_the_step_did(delta, grads, lr, 1.0))


@check(points=2, concept="custom train_step")
def test_step_clips_by_global_norm(submission):
    "One step equals the compiled SGD update of the gradients clipped together to clip_norm"
    lr, clip_norm = 0.2, 0.5
    model = ready(submission, clip_norm, optimizer=keras.optimizers.SGD(learning_rate=lr))
    x, y = huge_errors(seed=6)
    _, grads = peek(model, x, y)
    _, inference_grads = peek(model, x, y, training=False)
    want = [-lr * g for g in global_clip(grads, clip_norm)]
    delta = one_step(model, x, y)
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
    model = ready(submission, clip_norm, optimizer=keras.optimizers.SGD(learning_rate=lr), loss=MAE)
    x, y = small_errors(seed=8)
    _, grads = peek(model, x, y, MAE)
    _, grads_mse = peek(model, x, y, MSE)
    _, inference_grads = peek(model, x, y, MAE, training=False)
    delta = one_step(model, x, y)
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
    lr = 0.05
    optimizer = keras.optimizers.Adam(learning_rate=lr)
    model = ready(submission, 0.5, optimizer=optimizer)
    x, y = huge_errors(seed=9)
    delta = one_step(model, x, y)
    steps = int(to_numpy(optimizer.iterations))
    if model.optimizer is not optimizer or steps != 1:
        fail(f"The compiled optimizer: after one `train_step`, the Adam optimizer given to "
             f"`compile()` has applied {steps} update(s) instead of 1. Apply the clipped gradients "
             "with `self.optimizer.apply(grads, self.trainable_variables)` (or "
             "`self.optimizer.apply_gradients(zip(grads, self.trainable_variables))`), not with an "
             "optimizer of your own: the user of your model picks it in `compile()`.")
    biggest = max(float(np.max(np.abs(d), initial=0.0)) for d in delta)
    if not 0.9 * lr <= biggest <= 1.001 * lr:
        fail(f"The compiled optimizer: Adam's first step moves the weights with the largest "
             f"gradients by about its learning rate ({lr}); your step's largest change is "
             f"{biggest:.3g}. Let `self.optimizer` update the weights "
             "(`self.optimizer.apply(grads, self.trainable_variables)`) instead of changing them "
             "yourself.")


@check(points=1, concept="custom train_step")
def test_fit_reports_the_mean_loss(submission):
    "fit()'s history reports the epoch's mean loss, from self.loss_tracker"
    model = ready(submission, optimizer=keras.optimizers.SGD(learning_rate=0.05))
    x, y = small_errors(n=16, seed=10)
    seen = []

    class Peek(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            i = batch
            seen.append(peek(model, x[8 * i: 8 * i + 8], y[8 * i: 8 * i + 8])[0])

    with doing("running `model.fit(x, y, epochs=2)` with your model"):
        history = model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(8), epochs=1,
                            verbose=0, callbacks=[Peek()])
    got = [float(v) for v in history.history.get("loss", [])]
    want = float(np.mean(seen))
    if len(got) == 1 and np.isclose(got[0], want, rtol=1e-4, atol=1e-6):
        return
    shown = f"{got[0]:.4g}" if len(got) == 1 else (", ".join(f"{v:.4g}" for v in got) or "nothing")
    if got and all(v == 0 for v in got):
        why = ("A loss of 0 means the tracker that `fit` reports was never updated: create "
               "`self.loss_tracker = keras.metrics.Mean(name=\"loss\")` in `__init__`, call "
               "`self.loss_tracker.update_state(loss)` in `train_step` and return "
               "`{\"loss\": self.loss_tracker.result()}`.")
    elif len(got) == 1 and len(seen) == 2 and np.isclose(got[0], seen[1], rtol=1e-4):
        why = ("That is the loss of the last batch only: return the tracker's running mean, "
               "`self.loss_tracker.result()`, after `self.loss_tracker.update_state(loss)`.")
    else:
        why = ("Update `self.loss_tracker` with the compiled loss of each batch (computed from "
               "the forward pass in training mode, `self(x, training=True)`), return "
               "`{\"loss\": self.loss_tracker.result()}`, and list the tracker in the `metrics` "
               "property so that Keras resets it at the start of every epoch.")
    fail(f"Reporting the loss: fitting one epoch of two batches (losses {seen[0]:.4g} and "
         f"{seen[-1]:.4g}), the history should show their mean, {want:.4g}, but shows {shown}. {why}")


# -- training ---------------------------------------------------------------------------------

@check(points=2, concept="training")
def test_learns_a_regression_target(submission):
    "fit() with your step learns a linear target (error below 10% of its variance)"
    x, y = linear_task()
    passes = 8  # eight passes over the data in one epoch: one trace, no per-epoch overhead
    model = ready(submission, optimizer=keras.optimizers.SGD(learning_rate=0.2), eager=False)
    with doing("training your model with `fit()`"):
        model.fit(np.tile(x, (passes, 1)), np.tile(y, (passes, 1)), batch_size=32, epochs=1,
                  shuffle=True, verbose=0)
    error = min(prediction_error(model, x, y, training=False),
                # A short training leaves BatchNormalization's moving statistics half-way:
                # a network that uses it is judged on its batch statistics too.
                prediction_error(model, x, y, training=True))
    if not error <= 0.1 * float(np.var(y)):
        fail(f"Training: after {passes} passes of SGD over a noiseless linear target, the mean "
             f"squared error of the predictions is {error:.3g} (the target's variance is "
             f"{float(np.var(y)):.3g}); it should fall below 10% of the variance. Check that "
             "`train_step` applies the clipped gradients with `self.optimizer`, and that the last "
             "layer is linear (no activation), so it can predict any real number.")
