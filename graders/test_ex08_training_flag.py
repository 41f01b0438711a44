"""Grader for ex08_training_flag: RegularizedMLP, BatchNormalization, Dropout and `training`.

Written for the judge (``JUDGED``): every check runs outside the learner's process; inputs,
weights and moving statistics are the judge's own draws. ``self.batch_norm`` is believed once
it computes, with the judge's weights and statistics, what the judge's own Keras
``BatchNormalization`` (of the described settings) computes in both modes; ``self.dropout``
once it leaves inputs alone in inference and drops about ``rate`` of them in training.
"""
import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.errors import CheckFailed
from kerasgrade.grading import draw
from kerasgrade.grading.draw import features, split, weights_like, xor
from kerasgrade.grading.expect import (Forward, accuracy, activation, activation_of, build, clean, doing,
                                       expect_close, expect_layer, expect_shape, expect_softmax,
                                       expect_tracked, fail, get_class, run, train)
from kerasgrade.grading.opening import opening_checks
from kerasgrade.grading.replica import followed

JUDGED = True
CLASS = "RegularizedMLP"
IN_TRAINING = "calling your RegularizedMLP with `training=True`"
BOTH_MODES = ("BatchNormalization must be applied in call() in both modes, with `training` passed on "
              "(call()'s own argument, or none: Keras passes it down), so that it normalises with the "
              "batch's statistics in training and with its moving statistics at inference. Do not put "
              "`self.batch_norm` under `if training:`, and never pass it a fixed `training=True` or "
              "`training=False`.")


def model_class(submission):
    return get_class(submission, CLASS)


def forward(model, x, got, **_):
    """At inference: self.dense, self.batch_norm (a relu after either, or none), self.dropout,
    then the layers a learner added in Keras's order, then self.classifier: rebuilt and computed
    by the judge with the weights and moving statistics the layers hold now (or the model's own
    layers in Keras's order: ``followed``)."""
    return followed(model, x, got, first=("dense", "batch_norm", "dropout"), last=("classifier",))


# Every output a check reads is first the judge's own computation (``run``).
FOLLOW = {CLASS: Forward(forward, "classifier(dropout(batch_norm(dense(inputs)))) at inference, its layers "
                                  "applied in order")}


def warmed_up(submission, **kwargs):
    """A built model after one training call on the judge's data (moving statistics moved)."""
    model = build(model_class(submission), **kwargs)
    run(model, features(16, 5) * 2 + 1, IN_TRAINING, training=True)
    return model


globals().update(opening_checks(CLASS, inputs=lambda: features(4, 5), output_shape=(4, 3),
                               persistent=("dense", "batch_norm", "dropout", "classifier")))


# -- the layers, verified by what they compute ------------------------------------------------------

def _weights_of(model, attr: str, x) -> list[tuple]:
    """The weight shapes of ``self.<attr>``, after calling it on its own on ``x`` if it has none."""
    with doing(f"calling `self.{attr}` on its own"):
        info = model.describe(attr, layers=False)
        if not info.get("weights"):
            model.call_path(attr, x)
            info = model.describe(attr, layers=False)
    return [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]


def dense_activation(model, attr: str) -> str:
    """The activation ``self.<attr>`` computes; one the course does not use fails the check."""
    act = activation_of(model, attr)
    if not act:
        fail(f"`self.{attr}` has an activation this exercise does not use: give `self.dense` none or "
             "\"relu\", and `self.classifier` none or \"softmax\".")
    return act


def verify_any_dense(model, attr: str, in_dim: int) -> None:
    """``self.<attr>`` computes ``act(x @ W [+ b])`` with the judge's weights, for the activation it
    computes (the contract leaves it free: ``relu`` or none for ``dense``, softmax or none for
    ``classifier``); with or without a bias."""
    act = dense_activation(model, attr)
    shapes = _weights_of(model, attr, features(2, in_dim))
    if not shapes or len(shapes[0]) != 2 or shapes[1:] not in ([], [(shapes[0][1],)]) or \
            not 0 < shapes[0][0] <= 4096 or not 0 < shapes[0][1] <= 4096:
        fail(f"`self.{attr}` should own a kernel (and a bias) once called, like a Dense layer, but it "
             f"has weights of shapes {shapes[:6]}.")
    w = weights_like(shapes)
    x = features(4, shapes[0][0])
    with doing(f"setting the weights of `self.{attr}` and calling it"):
        model.set_weights(w, path=attr)
        out = model.call_path(attr, x)
    want = activation(act, x.astype("float64") @ w[0] + (w[1] if len(w) == 2 else 0))
    if not isinstance(out, np.ndarray) or out.shape != want.shape or not np.allclose(out, want, atol=1e-4):
        fail(f"`self.{attr}` does not compute what `Dense({shapes[0][1]}, activation=\"{act}\")` computes: "
             f"given weights, called on its own, it should return {act}(x @ kernel + bias). Use a plain "
             "`keras.layers.Dense` for it.")


def batch_norm_statistics(n: int) -> list[np.ndarray]:
    """gamma, beta, moving mean and moving variance (positive), drawn by the judge."""
    gamma, beta, mean = weights_like([(n,), (n,), (n,)])
    variance = (draw.rng().uniform(0.5, 2.0, size=n)).astype("float32")
    return [gamma + 1, beta, mean, variance]


def verify_batch_norm(model, info: dict, width: int) -> None:
    """``self.batch_norm`` computes what the judge's own ``BatchNormalization`` (of the described
    momentum and epsilon) computes, with the same weights: moving statistics at inference
    (left unchanged), batch statistics in training (and the moving ones updated)."""
    import keras

    settings = info.get("settings") if isinstance(info.get("settings"), dict) else {}
    momentum, epsilon = settings.get("momentum"), settings.get("epsilon")
    if not all(isinstance(v, float) and 0 <= v < 1 for v in (momentum, epsilon)) or \
            settings.get("axis") not in (-1, 1, [-1], [1]):
        fail(f"`self.batch_norm` has momentum={clean(repr(momentum))}, epsilon={clean(repr(epsilon))}, "
             f"axis={clean(repr(settings.get('axis')))}: use `keras.layers.BatchNormalization()` on the "
             "features (its defaults are fine).")
    shapes = _weights_of(model, "batch_norm", features(2, width))
    if shapes != [(width,)] * 4:
        fail(f"`self.batch_norm` on {width} features should own gamma, beta, a moving mean and a moving "
             f"variance of shape ({width},), but it has weights of shapes {shapes[:6]}. Use "
             "`keras.layers.BatchNormalization()` with its defaults.")
    reference = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon)
    x = features(8, width, scale=2.0) + 1
    reference(x)
    for training in (False, True):
        weights = batch_norm_statistics(width)
        reference.set_weights(weights)
        want = np.asarray(reference(x, training=training), dtype="float64")
        with doing(f"setting the weights of `self.batch_norm` and calling it with training={training}"):
            model.set_weights(weights, path="batch_norm")
            out = model.call_path("batch_norm", x, training=training)
            after = model.get_weights(path="batch_norm")
        moved = [np.asarray(w, dtype="float64") for w in reference.get_weights()]
        same_state = len(after) == 4 and all(isinstance(a, np.ndarray) and a.shape == m.shape and
                                             np.allclose(a, m, atol=1e-4) for a, m in zip(after, moved))
        if not isinstance(out, np.ndarray) or out.shape != want.shape or \
                not np.allclose(out, want, atol=1e-3) or not same_state:
            mode = ("with training=True it should normalise with the batch's mean and variance and move "
                    "its moving statistics towards them" if training else
                    "with training=False it should normalise with its moving mean and variance, and leave "
                    "them unchanged")
            fail(f"`self.batch_norm` does not compute what a `BatchNormalization` computes: given weights, "
                 f"called on its own, {mode}. Use a plain `keras.layers.BatchNormalization()` for it.")


def verify_dropout(model, rate: float) -> None:
    """``self.dropout`` leaves inputs unchanged in inference; in training it zeroes about ``rate``
    of them and scales the rest by ``1 / (1 - rate)``."""
    x = (np.abs(features(40, 50)) + 0.5).astype("float32")
    with doing("calling `self.dropout` on its own"):
        quiet = model.call_path("dropout", x, training=False)
        noisy = model.call_path("dropout", x, training=True)
    if not isinstance(quiet, np.ndarray) or quiet.shape != x.shape or not np.allclose(quiet, x, atol=1e-5):
        fail("`self.dropout` changes its input with training=False: in inference Dropout does nothing. "
             "Use a plain `keras.layers.Dropout(dropout_rate)`.")
    kept = isinstance(noisy, np.ndarray) and noisy.shape == x.shape and \
        bool(np.all(np.isclose(noisy, 0) | np.isclose(noisy, x / (1 - rate), rtol=1e-4)))
    zeros = float(np.mean(np.isclose(noisy, 0))) if kept else -1.0
    if not kept or abs(zeros - rate) > 0.06:
        fail(f"`self.dropout` with training=True should zero about {rate:.0%} of its inputs and scale the "
             "others by 1 / (1 - rate), as `keras.layers.Dropout(dropout_rate)` does"
             + (f"; it zeroed {zeros:.0%}." if kept else "."))


@check(points=2, concept="binding through self")
def test_binds_the_four_layers(submission):
    "self.dense, self.batch_norm, self.dropout and self.classifier are the right layers, tracked by Keras"
    model = build(model_class(submission), hidden_units=7, num_classes=4, dropout_rate=0.3)
    layers = {
        "dense": expect_layer(model, "dense", "Dense", units=7),
        "batch_norm": expect_layer(model, "batch_norm", "BatchNormalization"),
        "dropout": expect_layer(model, "dropout", "Dropout", rate=0.3),
        "classifier": expect_layer(model, "classifier", "Dense", units=4),
    }
    expect_tracked(model, layers, exactly=False)
    verify_any_dense(model, "dense", in_dim=5)
    verify_batch_norm(model, layers["batch_norm"], width=7)
    verify_dropout(model, 0.3)
    verify_any_dense(model, "classifier", in_dim=7)


# -- output shapes ------------------------------------------------------------------------------

@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 8), n_features=st.integers(1, 6), hidden_units=st.integers(1, 16),
       num_classes=st.integers(2, 5), dropout_rate=st.sampled_from([0.0, 0.25, 0.5]))
def test_output_shape(submission, batch, n_features, hidden_units, num_classes, dropout_rate):
    "call() maps (batch, features) to (batch, num_classes) for any sizes"
    model = build(model_class(submission), hidden_units=hidden_units, num_classes=num_classes,
                  dropout_rate=dropout_rate)
    case = (f"RegularizedMLP(hidden_units={hidden_units}, num_classes={num_classes}, "
            f"dropout_rate={dropout_rate}) on a ({batch}, {n_features}) input")
    out = run(model, features(batch, n_features))
    expect_shape(out, (batch, num_classes), case)
    expect_softmax(out, f"the output of {case}")


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution, in training and in inference"
    model = build(model_class(submission), num_classes=5)
    x = features(8, 4, scale=5.0)
    expect_softmax(run(model, x, IN_TRAINING, training=True), "the output with training=True")
    expect_softmax(run(model, x), "the output in inference")


# -- the training flag -----------------------------------------------------------------------------

@check(points=2, concept="the training flag")
def test_inference_is_deterministic(submission):
    "In inference (training=False, or no flag) the same input gives the same output"
    model = warmed_up(submission)
    x = features(8, 5)
    outs = [run(model, x), run(model, x),
            run(model, x, "calling your model with `training=False`", training=False)]
    for out in outs[1:]:
        expect_close(out, outs[0], "The training flag: calling the model in inference twice on the same "
                     "input gave different outputs",
                     hint="In inference Dropout must do nothing. Use the `self.dropout` layer (a "
                          "`keras.layers.Dropout`, which knows the flag) rather than `tf.nn.dropout`, "
                          "and never pass `training=True` to a layer yourself: forward call()'s own "
                          "`training` argument, or pass none.")


@check(points=2, concept="the training flag")
def test_inference_rows_are_independent(submission):
    "In inference each row's output does not depend on the rest of the batch"
    model = warmed_up(submission)
    x = features(8, 5, scale=2.0)
    batch = run(model, x)
    rows = sorted(draw.rng().choice(8, 2, replace=False))
    alone = np.concatenate([run(model, x[i:i + 1]) for i in rows])
    expect_close(alone, batch[rows],
                 "The training flag: a row's prediction in inference changes with the other rows of its "
                 "batch (a row alone vs the same row inside a batch of 8)",
                 hint="In inference BatchNormalization must use its moving mean and variance, not the "
                      "statistics of the current batch (and Dropout must do nothing). Do not pass "
                      "`training=True` to `self.batch_norm` or `self.dropout`: forward call()'s "
                      "`training` argument (or pass none).")


@check(points=2, concept="the training flag")
def test_training_is_stochastic(submission):
    "With training=True, dropout_rate > 0 gives random outputs and dropout_rate=0 none"
    x = features(8, 5)
    noisy = build(model_class(submission), hidden_units=32, dropout_rate=0.5)
    a = run(noisy, x, IN_TRAINING, training=True)
    b = run(noisy, x, IN_TRAINING, training=True)
    if np.allclose(a, b, atol=1e-6):
        fail("The training flag: with `dropout_rate=0.5`, two calls with `training=True` on the same "
             "input gave the same output, so no unit was dropped. Apply `self.dropout` in call() (after "
             "the hidden layer), and let it see the training flag: forward call()'s `training` "
             "argument, or pass none (never `training=False`).")
    plain = build(model_class(submission), hidden_units=32, dropout_rate=0.0)
    a = run(plain, x, IN_TRAINING, training=True)
    b = run(plain, x, IN_TRAINING, training=True)
    expect_close(b, a, "The training flag: with `dropout_rate=0.0` two calls with `training=True` gave "
                 "different outputs, so units are dropped anyway",
                 hint="Use the constructor argument: `self.dropout = Dropout(dropout_rate)`, and drop "
                      "units only through that layer.")


def _statistics(model) -> list[np.ndarray]:
    with doing("reading the weights of `self.batch_norm`"):
        got = model.get_weights(path="batch_norm")
    return [np.asarray(w, dtype="float64") for w in got if isinstance(w, np.ndarray)]


@check(points=2, concept="the training flag")
def test_moving_statistics_change_in_training_only(submission):
    "BatchNormalization's moving statistics change with training=True, never in inference, and inference uses them"
    model = build(model_class(submission), hidden_units=6)
    x = features(16, 5, scale=3.0) + 2
    run(model, x, IN_TRAINING, training=True)  # builds every layer used in training
    run(model, x)                              # and every layer used in inference
    with doing("reading `self.batch_norm`"):
        if not model.has("batch_norm"):
            fail("The training flag: your model has no `self.batch_norm`. Create "
                 "`self.batch_norm = keras.layers.BatchNormalization()` in `__init__` and apply it in "
                 "call() after the hidden Dense layer.")
        info = model.describe("batch_norm", layers=False)
    shapes = [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]
    if not shapes:
        fail("The training flag: after calls in training and in inference, `self.batch_norm` owns no "
             "moving statistics, so call() never applies it. " + BOTH_MODES)
    if len(shapes) != 4 or len(set(shapes)) != 1 or len(shapes[0]) != 1 or not 0 < shapes[0][0] <= 4096:
        fail(f"`self.batch_norm` has weights of shapes {shapes[:6]}: use "
             "`keras.layers.BatchNormalization()` with its defaults (gamma, beta, a moving mean and a moving "
             "variance, one number per feature).")
    first, second = batch_norm_statistics(shapes[0][0]), batch_norm_statistics(shapes[0][0])
    with doing("setting the moving statistics of `self.batch_norm`"):
        model.set_weights(first, path="batch_norm")
    a = run(model, x)
    run(model, x, "calling your model with `training=False`", training=False)
    if any(not np.allclose(s, e, atol=1e-6) for s, e in zip(first, _statistics(model))):
        fail("The training flag: BatchNormalization's moving mean/variance changed during inference "
             "calls. They must only be updated while training. " + BOTH_MODES)
    with doing("setting the moving statistics of `self.batch_norm`"):
        model.set_weights(second, path="batch_norm")
    b = run(model, x)
    if np.allclose(a, b, atol=1e-6):
        fail("The training flag: in inference the output does not depend on BatchNormalization's moving "
             "mean and variance (the grader changed them; the output stayed the same), so inference "
             "skips the layer or normalises with something else. " + BOTH_MODES)
    run(model, x, IN_TRAINING, training=True)
    if all(np.allclose(s, e, atol=1e-6) for s, e in zip(second, _statistics(model))):
        fail("The training flag: a call with `training=True` left BatchNormalization's moving mean and "
             "variance unchanged, so the layer never learns the statistics it needs in inference. "
             + BOTH_MODES)


# -- training ---------------------------------------------------------------------------------------

@check(points=2, concept="training")
def test_learns_xor(submission):
    "The model learns an XOR-like task (inference accuracy >= 0.85 on data it was not trained on)"
    x, y = xor(192)
    fit_rows, held_out = split(len(y))
    model = build(model_class(submission), hidden_units=16, num_classes=2, dropout_rate=0.3)
    try:
        train(model, x[fit_rows], y[fit_rows], loss="sparse_categorical_crossentropy", epochs=3,
              batch_size=16)
    except CheckFailed as e:
        if "Unknown variable" not in str(e):
            raise
        fail(f"{e}\n  Some of your model's weights appear only when it is called with training=True "
             "(the optimizer was set up after a call in inference): a layer is used in training only. "
             + BOTH_MODES)
    acc = accuracy(model, x[held_out], y[held_out])
    if acc < 0.85:
        fail(f"Training: after 3 epochs the inference accuracy on new data is {acc:.2f}, below 0.85, on a "
             "task (the sign of x0 * x1) that needs a non-linearity. Check that call() goes dense -> "
             "batch_norm -> ReLU -> dropout -> classifier (the ReLU may also be the Dense layer's "
             "activation), and that the classifier ends in a softmax.")
