"""Grader for ex08_training_flag: RegularizedMLP, BatchNormalization, Dropout and `training`."""
import keras
import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.expect import (accuracy, build, expect_close, expect_forwards_kwargs,
                               expect_layer, expect_same_object, expect_shape, expect_softmax,
                               expect_super_first, expect_tracked, fail, features, get_class, run,
                               train)

Dense, BatchNormalization, Dropout = (keras.layers.Dense, keras.layers.BatchNormalization,
                                      keras.layers.Dropout)
ATTRS = ("dense", "batch_norm", "dropout", "classifier")


def xor(n: int, seed: int = 0):
    """Two classes that no linear model separates: the sign of x0 * x1 (plus 2 noise features)."""
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(n, 2))
    x = np.concatenate([signs * 2 + rng.normal(scale=0.5, size=(n, 2)), rng.normal(size=(n, 2))], 1)
    return x.astype("float32"), (signs[:, 0] * signs[:, 1] > 0).astype("int32")


def model_class(submission):
    return get_class(submission, "RegularizedMLP")


def moving_statistics(model) -> list[np.ndarray]:
    """The model's non-trainable weights (BatchNormalization's moving mean and variance)."""
    return [np.array(w) for w in model.non_trainable_weights]


def warmed_up(submission, **kwargs):
    """A built model whose moving statistics have moved away from their initial (0, 1)."""
    model = build(model_class(submission), **kwargs)
    x = features(16, 5, seed=7) * 2 + 1
    run(model, x, "calling your RegularizedMLP with `training=True`", training=True)
    return model


@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "RegularizedMLP subclasses tf.keras.Model and can be built and called"
    model = build(model_class(submission))
    run(model, features(4, 5))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "RegularizedMLP(name=...) reaches Keras through **kwargs"
    model = expect_forwards_kwargs(model_class(submission))
    run(model, features(2, 3))


@check(points=2, concept="binding through self")
def test_binds_the_four_layers(submission):
    "self.dense, self.batch_norm, self.dropout and self.classifier are the right layers, tracked by Keras"
    model = build(model_class(submission), hidden_units=7, num_classes=4, dropout_rate=0.3)
    layers = {
        "dense": expect_layer(model, "dense", Dense, units=7),
        "batch_norm": expect_layer(model, "batch_norm", BatchNormalization),
        "dropout": expect_layer(model, "dropout", Dropout, rate=0.3),
        "classifier": expect_layer(model, "classifier", Dense, units=4),
    }
    expect_tracked(model, layers, exactly=False)


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "Layers and weights are created once: calling the model again re-creates nothing"
    model = build(model_class(submission), dropout_rate=0.0)
    before = {a: getattr(model, a, None) for a in ATTRS}
    x = features(6, 5)
    first = run(model, x)
    variables = [id(v) for v in model.weights]
    second = run(model, x)
    run(model, x, "calling your RegularizedMLP with `training=True`", training=True)
    for attr, layer in before.items():
        expect_same_object(model, attr, layer)
    if not variables:
        fail("After calling it, the model owns no weights at all: bind the layers on `self` in "
             "`__init__`, after `super().__init__(**kwargs)`, so that Keras tracks them.")
    if [id(v) for v in model.weights] != variables:
        fail("__init__ vs call(): the model's weights are new objects after another call. Create "
             "every layer once in `__init__`; call() only uses them, or the weights (and "
             "BatchNormalization's moving statistics) start from scratch on every call.")
    expect_close(second, first, "Calling the model twice on the same input gave different outputs",
                 hint="Create layers in __init__, not in call(): a layer created in call() gets "
                      "new random weights every time.")


@check(points=2, concept="call() and output shapes")
def test_output_shape(submission):
    "call() maps (batch, features) to (batch, num_classes) for any sizes"
    run(build(model_class(submission), hidden_units=4, num_classes=2), features(3, 4))
    output_shape_property(submission)


@given(batch=st.integers(1, 8), n_features=st.integers(1, 6), hidden_units=st.integers(1, 16),
       num_classes=st.integers(1, 5), dropout_rate=st.sampled_from([0.0, 0.25, 0.5]))
def output_shape_property(submission, batch, n_features, hidden_units, num_classes, dropout_rate):
    model = build(model_class(submission), hidden_units=hidden_units, num_classes=num_classes,
                  dropout_rate=dropout_rate)
    case = (f"RegularizedMLP(hidden_units={hidden_units}, num_classes={num_classes}, "
            f"dropout_rate={dropout_rate}) on a ({batch}, {n_features}) input")
    expect_shape(run(model, features(batch, n_features)), (batch, num_classes), case)


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution, in training and in inference"
    model = build(model_class(submission), num_classes=5)
    x = features(8, 4, seed=1) * 5
    expect_softmax(run(model, x, "calling your model with `training=True`", training=True),
                   "the output with training=True")
    expect_softmax(run(model, x), "the output in inference")


@check(points=2, concept="the training flag")
def test_inference_is_deterministic(submission):
    "In inference (training=False, or no flag) the same input gives the same output"
    model = warmed_up(submission)
    x = features(8, 5, seed=np.random.randint(1000))
    outs = [run(model, x), run(model, x), run(model, x, "calling your model with `training=False`",
                                                  training=False)]
    for out in outs[1:]:
        expect_close(out, outs[0], "The training flag: calling the model in inference twice on the "
                     "same input gave different outputs",
                     hint="In inference Dropout must do nothing. Use the `self.dropout` layer "
                          "(a `keras.layers.Dropout`, which knows the flag) rather than "
                          "`tf.nn.dropout`, and never pass `training=True` to a layer yourself: "
                          "forward call()'s own `training` argument, or pass none.")


@check(points=2, concept="the training flag")
def test_inference_rows_are_independent(submission):
    "In inference each row's output does not depend on the rest of the batch"
    model = warmed_up(submission)
    x = features(8, 5, seed=np.random.randint(1000)) * 2
    batch = run(model, x)
    alone = np.concatenate([run(model, x[i:i + 1]) for i in (0, 5)])
    expect_close(alone, batch[[0, 5]],
                 "The training flag: a row's prediction in inference changes with the other rows "
                 "of its batch (row alone vs the same row inside a batch of 8)",
                 hint="In inference BatchNormalization must use its moving mean and variance, not "
                      "the statistics of the current batch (and Dropout must do nothing). Do not "
                      "pass `training=True` to `self.batch_norm` or `self.dropout`: forward "
                      "call()'s `training` argument (or pass none).")


@check(points=2, concept="the training flag")
def test_training_is_stochastic(submission):
    "With training=True, dropout_rate > 0 gives random outputs and dropout_rate=0 none"
    x = features(8, 5, seed=np.random.randint(1000))
    noisy = build(model_class(submission), hidden_units=32, dropout_rate=0.5)
    a = run(noisy, x, "calling your model with `training=True`", training=True)
    b = run(noisy, x, "calling your model with `training=True`", training=True)
    if np.allclose(a, b, atol=1e-6):
        fail("The training flag: with `dropout_rate=0.5`, two calls with `training=True` on the "
             "same input gave the same output, so no unit was dropped. Apply `self.dropout` in "
             "call() (after the hidden layer), and let it see the training flag: forward call()'s "
             "`training` argument, or pass none (never `training=False`).")
    plain = build(model_class(submission), hidden_units=32, dropout_rate=0.0)
    a = run(plain, x, "calling your model with `training=True`", training=True)
    b = run(plain, x, "calling your model with `training=True`", training=True)
    expect_close(b, a, "The training flag: with `dropout_rate=0.0` two calls with `training=True` "
                 "gave different outputs, so units are dropped anyway",
                 hint="Use the constructor argument: `self.dropout = Dropout(dropout_rate)`, and "
                      "drop units only through that layer.")


@check(points=2, concept="the training flag")
def test_moving_statistics_change_in_training_only(submission):
    "BatchNormalization's moving statistics change with training=True, never in inference"
    model = build(model_class(submission))
    x = features(16, 5, seed=np.random.randint(1000)) * 3 + 2
    run(model, x)
    start = moving_statistics(model)
    if not start:
        fail("The training flag: the model has no moving statistics (no non-trainable weights). "
             "Create `self.batch_norm = keras.layers.BatchNormalization()` in `__init__` and apply "
             "it in call() after the hidden Dense layer.")
    run(model, x, "calling your model with `training=False`", training=False)
    run(model, x)
    if any(not np.allclose(s, e) for s, e in zip(start, moving_statistics(model))):
        fail("The training flag: BatchNormalization's moving mean/variance changed during "
             "inference calls. They must only be updated while training, so do not pass "
             "`training=True` to `self.batch_norm`: forward call()'s `training` argument (or pass "
             "none).")
    run(model, x, "calling your model with `training=True`", training=True)
    if all(np.allclose(s, e) for s, e in zip(start, moving_statistics(model))):
        fail("The training flag: a call with `training=True` left BatchNormalization's moving "
             "mean and variance unchanged, so the layer never learns the statistics it needs in "
             "inference. Apply `self.batch_norm` in call() and let it see the flag: forward "
             "call()'s `training` argument, or pass none (never `training=False`).")


@check(points=2, concept="training")
def test_learns_xor(submission):
    "The model learns an XOR-like task (inference accuracy >= 0.85 after a short training)"
    x, y = xor(128)
    model = build(model_class(submission), hidden_units=16, num_classes=2, dropout_rate=0.3)
    train(model, x, y, loss="sparse_categorical_crossentropy", epochs=3, batch_size=16)
    acc = accuracy(model, x, y)
    if acc < 0.85:
        fail(f"Training: after 3 epochs the inference accuracy is {acc:.2f}, below 0.85, on a task "
             "(the sign of x0 * x1) that needs a non-linearity. Check that call() goes dense -> "
             "batch_norm -> ReLU -> dropout -> classifier (the ReLU may also be the Dense layer's "
             "activation), and that the classifier ends in a softmax.")
