"""Grader for ex06_cnn: SmallCNN, convolution and pooling in a subclassed model.

Written for the judge (``JUDGED``): every check runs outside the learner's process and asks
it, through ``submission``, to build, call, describe and train; images and weights are the
judge's own draws.

Each named layer is believed once it computes, given judge weights and judge images, what the
contract's layer computes: ``self.conv`` is compared with a ``keras.layers.Conv2D(filters, 3,
padding="same", activation="relu")`` the judge builds itself and gives the same weights (trusted
code on trusted data), ``self.pool`` and the global pooling with the judge's numpy. A learner may
add layers (a ``Dropout``, a hidden ``Dense`` before the classifier): the forward pass is then
computed through the Dense layers the judge verified, and weightless layers that compute nothing
at inference are skipped.
"""
import numpy as np
from hypothesis import example, given, strategies as st

from kerasgrade.checks import check
from kerasgrade.grading import draw
from kerasgrade.grading.expect import (Forward, activation, build, dense_activation, doing, expect_activation,
                                       expect_close, expect_layer, expect_shape, expect_softmax,
                                       expect_tracked, expect_varies, fail, get_class, run, tracked_layers,
                                       train, verify_dense)
from kerasgrade.grading.opening import opening_checks
from kerasgrade.grading.replica import followed

JUDGED = True
CLASS = "SmallCNN"
GLOBAL_POOLS = {"GlobalAveragePooling2D": "average", "GlobalMaxPooling2D": "max"}
IDENTITY_AT_INFERENCE = ("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                         "Identity", "ActivityRegularization")
CONV = 'Conv2D(filters, 3, padding="same", activation="relu")'


def model_class(submission):
    return get_class(submission, CLASS)


def forward(model, x, got, **_):
    """self.conv, self.pool, then the other layers (the global pooling, any a learner added) in
    the order Keras tracks them, then self.classifier: rebuilt and computed by the judge with the
    weights the layers hold now (or the model's own layers in Keras's order: ``followed``)."""
    return followed(model, x, got, first=("conv", "pool"), last=("classifier",))


# Every output a check reads is first the judge's own computation (``run``).
FOLLOW = {CLASS: Forward(forward, "classifier(global_pool(pool(conv(inputs)))), its layers applied in order")}


def images(batch: int, height: int, width: int, channels: int = 1, scale: float = 1.0) -> np.ndarray:
    """``(batch, height, width, channels)`` float32 images the judge drew."""
    return (draw.rng().normal(size=(batch, height, width, channels)) * scale).astype("float32")


globals().update(opening_checks(CLASS, inputs=lambda: images(2, 6, 6, 1), output_shape=(2, 3),
                                args={"num_classes": 3, "filters": 4},
                                persistent=("conv", "pool", "classifier")))


def expect_finite(out, what: str):
    if not np.all(np.isfinite(out)):
        fail(f"Output shape: {what} gave NaN or infinite values. This happens when a feature map "
             "becomes empty (height or width 0): with `padding=\"valid\"` a 3x3 convolution "
             "removes 2 pixels from each side length, and pooling then has nothing left. Use "
             "`padding=\"same\"` on the convolution.")


# -- the layers, as the judge computes them ------------------------------------------------------

def judge_conv(kernel, bias, x, act="relu", padding="same") -> np.ndarray:
    """What ``keras.layers.Conv2D`` with these weights and settings computes on ``x``: the judge's
    own Keras layer (trusted code, trusted data)."""
    import keras

    layer = keras.layers.Conv2D(kernel.shape[-1], kernel.shape[:2], padding=padding, activation=act)
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    return np.asarray(layer(x), dtype="float64")


def max_pool(x, padding="valid") -> np.ndarray:
    batch, height, width, channels = x.shape
    if padding == "same":  # keeps the odd last row and column
        h2, w2 = -(-height // 2), -(-width // 2)
        x = np.pad(x, ((0, 0), (0, 2 * h2 - height), (0, 2 * w2 - width), (0, 0)), constant_values=-np.inf)
    else:
        h2, w2 = height // 2, width // 2
    return x[:, :2 * h2, :2 * w2].reshape(batch, h2, 2, w2, 2, channels).max(axis=(2, 4))


def global_pool(x, kind: str) -> np.ndarray:
    return x.mean(axis=(1, 2)) if kind == "average" else x.max(axis=(1, 2))


def verify_conv(model, filters: int, channels: int = 2):
    """``self.conv``, given judge weights, computes what ``Conv2D(filters, 3, padding="same",
    activation="relu")`` computes; its weights are returned. A deviating setting is named."""
    with doing("calling `self.conv` on its own"):
        info = model.describe("conv", layers=False)
        if not info.get("weights"):
            model.call_path("conv", images(1, 5, 5, channels))
            info = model.describe("conv", layers=False)
    shapes = [tuple(w.get("shape", ())) for w in info.get("weights", []) if isinstance(w, dict)]
    if len(shapes) != 2 or len(shapes[0]) != 4 or shapes[1] != (shapes[0][3],):
        fail(f"`self.conv` should own a kernel and a bias once called (a `{CONV}`), but it has weights of "
             f"shapes {shapes}.")
    if shapes[0][:2] != (3, 3):
        fail(f"`self.conv` should use 3x3 kernels (`kernel_size=3`), but its kernel is "
             f"{shapes[0][0]}x{shapes[0][1]}. Write `{CONV}`.")
    if shapes[0][3] != filters:
        fail(f"`self.conv` should have filters={filters} (the constructor argument), but it has "
             f"{shapes[0][3]}. Write `Conv2D(filters, 3, ...)` with the argument, not a fixed number.")
    if not 0 < shapes[0][2] <= 64 or filters > 64:
        fail(f"`self.conv` has weights of shapes {shapes}, larger than this exercise needs.")
    w = draw.weights_like(shapes)
    x = images(2, 5, 6, shapes[0][2])
    with doing("setting the weights of `self.conv` and calling it"):
        model.set_weights(w, path="conv")
        out = model.call_path("conv", x)
    want = judge_conv(w[0], w[1], x)
    if isinstance(out, np.ndarray) and out.shape == want.shape and np.allclose(out, want, atol=1e-4, rtol=1e-4):
        return w
    got = np.shape(out)
    if got == (2, 3, 4, filters):
        fail("`self.conv` uses padding=\"valid\" (the default): a 3x3 convolution then shrinks the image by 2 "
             "pixels in each direction, so small images (2x2, 3x3) vanish. Write "
             f"`{CONV}`: padding=\"same\" keeps height and width.")
    if got != want.shape:
        fail(f"`self.conv` on images of shape {x.shape} should give feature maps of shape {want.shape} "
             f"(padding=\"same\", strides 1), but it gave {got}. Write `{CONV}`.")
    linear = judge_conv(w[0], w[1], x, act=None)
    if np.allclose(out, linear, atol=1e-4, rtol=1e-4):
        fail("`self.conv` has no activation: a convolution without ReLU followed by pooling and a Dense "
             f"layer is almost linear. Write `{CONV}`.")
    fail(f"`self.conv` does not compute what `{CONV}` computes: given weights, called on its own, its "
         "output differs (another activation, or other settings). Use a plain `keras.layers.Conv2D` "
         "with these settings.")


def find_global_pool(model) -> tuple[str, str]:
    """(path, "average" or "max") of the tracked global pooling layer, verified on judge maps."""
    candidates = [(p, GLOBAL_POOLS[i.get("builtin")]) for p, i in tracked_layers(model, depth=1)
                  if i.get("builtin") in GLOBAL_POOLS]
    if not candidates:
        kinds = ", ".join(str(i.get("class")) for _, i in tracked_layers(model, depth=1)) or "none"
        fail("Binding through self: the model tracks no global pooling layer (its layers: "
             f"{kinds[:300]}). Global pooling turns each feature map into one number whatever the image "
             "size, which is what lets the classifier accept any height and width. Bind one in "
             "`__init__`, e.g. `self.global_pool = keras.layers.GlobalAveragePooling2D()` "
             "(Flatten would tie the model to one image size).")
    maps = images(2, 3, 4, 3)
    for path, kind in candidates:
        with doing("calling your global pooling layer on its own"):
            out = model.call_path(path, maps)
        if isinstance(out, np.ndarray) and out.shape == (2, 3) and np.allclose(out, global_pool(maps, kind), atol=1e-5):
            return path, kind
    fail("Your global pooling layer, called on its own, does not compute the mean (or the maximum) of "
         "each feature map. Use `keras.layers.GlobalAveragePooling2D()` or `GlobalMaxPooling2D()`.")


def verify_pool(model) -> str:
    """``self.pool`` computes a 2x2 max pooling on judge maps; its padding ("valid" by default)."""
    maps = images(2, 5, 7, 3)
    with doing("calling `self.pool` on its own"):
        out = model.call_path("pool", maps)
    for padding in ("valid", "same"):
        want = max_pool(maps, padding)
        if isinstance(out, np.ndarray) and out.shape == want.shape and np.allclose(out, want, atol=1e-5):
            return padding
    fail("`self.pool`, called on its own, does not compute a 2x2 max pooling (the largest value of each "
         "2x2 window, halving height and width). Write `self.pool = keras.layers.MaxPooling2D(2)`.")


# -- the checks ----------------------------------------------------------------------------------

@check(points=2, concept="binding through self")
def test_binds_the_layers(submission):
    "self.conv, self.pool, a global pooling layer and self.classifier, of the right kinds and sizes"
    model = build(model_class(submission), num_classes=3, filters=5)
    conv = expect_layer(model, "conv", "Conv2D", filters=5)
    pool = expect_layer(model, "pool", "MaxPooling2D", pool_size=(2, 2), strides=(2, 2))
    classifier = expect_layer(model, "classifier", "Dense", units=3)
    expect_activation(model, "classifier", "softmax")
    run(model, images(2, 6, 6, 2))
    gp_path, _ = find_global_pool(model)
    with doing("reading the global pooling layer"):
        gp = model.describe(gp_path, layers=False)
    expect_tracked(model, {"conv": conv, "pool": pool, "<global pooling>": gp, "classifier": classifier},
                   exactly=False)
    verify_conv(model, 5, channels=2)
    verify_pool(model)
    with doing("reading `self.classifier`"):
        shapes = [tuple(w.get("shape", ())) for w in model.describe("classifier", layers=False).get("weights", [])]
    verify_dense(model, "classifier", "softmax", in_dim=shapes[0][0] if shapes and len(shapes[0]) == 2 else 5)


@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 3), height=st.integers(2, 9), width=st.integers(2, 9),
       channels=st.integers(1, 3), filters=st.integers(1, 6), num_classes=st.integers(1, 4))
@example(batch=1, height=2, width=2, channels=1, filters=2, num_classes=2)
def test_output_shape(submission, batch, height, width, channels, filters, num_classes):
    "call() maps (batch, H, W, C) to (batch, num_classes) for any H, W >= 2"
    model = build(model_class(submission), num_classes=num_classes, filters=filters)
    what = (f"SmallCNN(num_classes={num_classes}, filters={filters}) on images of shape "
            f"({batch}, {height}, {width}, {channels})")
    out = run(model, images(batch, height, width, channels), verify=num_classes > 1)  # softmax over 1 class: 1
    expect_shape(out, (batch, num_classes), what)
    expect_finite(out, what)
    expect_softmax(out, f"the output of {what}")


@check(points=2, concept="behaviour: any image size")
def test_one_model_takes_any_image_size(submission):
    "One model classifies images of different sizes, down to 2x2"
    model = build(model_class(submission), num_classes=3, filters=4)
    sizes = [(8, 8), (draw.integer(3, 10), draw.integer(3, 10)), (2, 2), (draw.integer(2, 13), draw.integer(2, 5))]
    for height, width in sizes:
        what = f"the same model, called next on images of shape (2, {height}, {width}, 1)"
        doing_what = (f"calling your SmallCNN on images of shape (2, {height}, {width}, 1)"
                      if (height, width) == (8, 8) else
                      f"calling the same SmallCNN on {height}x{width} images after 8x8 ones (one "
                      "model must take any size: Flatten ties it to the first size it sees, and a "
                      "convolution without padding=\"same\" cannot take tiny images)")
        out = run(model, images(2, height, width, 1), doing_what)
        expect_shape(out, (2, 3), what)
        expect_finite(out, what)


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(model_class(submission), num_classes=4)
    out = run(model, images(6, 6, 6, 2, scale=5.0))
    expect_softmax(out)
    expect_varies(out)


def middle_layers(model, known: set[str]):
    """The layers a learner added (not conv, pool, global pooling or classifier), as steps the judge
    can compute: (activation, weights) for a verified Dense layer, nothing for a layer that
    computes nothing at inference. None if one of them is of another kind."""
    steps = []
    for path, info in tracked_layers(model, depth=1):
        if path in known:
            continue
        if info.get("builtin") == "Dense":
            found = dense_activation(model, path, info)
            if found is None:
                return None
            steps.append(found)
        elif info.get("builtin") in IDENTITY_AT_INFERENCE and not info.get("weights"):
            continue
        else:
            return None
    return steps


@check(points=2, concept="call() and output shapes", hidden=True)
def test_forward_pass_composes_the_layers(submission):
    "call() is classifier(global_pool(pool(conv(x)))), computed with weights the grader sets"
    model = build(model_class(submission), num_classes=3, filters=4)
    x = images(3, 7, 5, 2)
    run(model, x)
    for attr, kind in (("conv", "Conv2D"), ("pool", "MaxPooling2D"), ("classifier", "Dense")):
        expect_layer(model, attr, kind, when="after a call")
    with doing("reading the layers Keras tracks"):
        by_id = {i.get("id"): p for p, i in tracked_layers(model, depth=1)}
        named = {by_id.get(model.describe(a, layers=False).get("id")) for a in ("conv", "pool", "classifier")}
    gp_path, kind = find_global_pool(model)
    conv_w = verify_conv(model, 4, channels=2)
    padding = verify_pool(model)
    steps = middle_layers(model, named | {gp_path})
    with doing("reading `self.classifier`"):
        shapes = [tuple(w.get("shape", ())) for w in model.describe("classifier", layers=False).get("weights", [])]
    if len(shapes) != 2 or len(shapes[0]) != 2 or shapes[0][1] != 3 or not 0 < shapes[0][0] <= 4096:
        fail(f"`self.classifier` should be `Dense(num_classes, activation=\"softmax\")` with a kernel and a "
             f"bias, but after a call its weights have shapes {shapes}.")
    cls_w = draw.weights_like(shapes)
    with doing("setting the weights of `self.classifier`"):
        model.set_weights(cls_w, path="classifier")
    features = global_pool(max_pool(judge_conv(conv_w[0], conv_w[1], x), padding), kind)
    if steps is None or (not steps and shapes[0][0] != features.shape[-1]):
        if not steps and shapes[0][0] != features.shape[-1]:
            fail(f"`self.classifier` receives {shapes[0][0]} features per image, but after global pooling "
                 "there should be one per filter of the convolution (4 here), whatever the image size. "
                 "Apply the global pooling layer to the feature maps before the classifier.")
        return expect_composition_by_interventions(model, x, conv_w, cls_w)
    hidden = features
    for act, w in steps:
        if w[0].shape[0] != hidden.shape[-1]:  # added layers used in another order than bound
            return expect_composition_by_interventions(model, x, conv_w, cls_w)
        hidden = activation(act, hidden @ w[0] + (w[1] if len(w) == 2 else 0.0))
    if hidden.shape[-1] != shapes[0][0]:
        return expect_composition_by_interventions(model, x, conv_w, cls_w)
    want = activation("softmax", hidden @ cls_w[0] + cls_w[1])
    expect_close(run(model, x), want,
                 "The output is not softmax(classifier(global_pool(max_pool(relu(conv(x))))))",
                 hint="call() should apply self.conv (3x3, padding=\"same\", ReLU), then "
                      "self.pool (2x2 max pooling), then the global pooling, then "
                      "self.classifier, each exactly once and in this order.")


def expect_composition_by_interventions(model, x, conv_w, cls_w):
    """For a model with added layers the judge does not compute: the convolution comes first (with
    a zero kernel every image gives the same output) and the classifier last, as a softmax (a shift
    of its bias changes the output as a softmax does)."""
    zero = [np.zeros_like(conv_w[0]), np.abs(conv_w[1])]
    with doing("setting the weights of `self.conv`"):
        model.set_weights(zero, path="conv")
    flat = run(model, x)
    expect_shape(flat, (len(x), cls_w[1].shape[0]), "the output of SmallCNN(num_classes=3, filters=4)")
    if not np.allclose(flat, flat[:1], atol=1e-5):
        fail("With a zero kernel in `self.conv`, different images still give different outputs: call() "
             "does not send the images through the convolution first. Apply self.conv to `inputs`, then "
             "self.pool, then the global pooling, then self.classifier.")
    with doing("setting the weights of `self.conv`"):
        model.set_weights(conv_w, path="conv")
    before = run(model, x)
    shift = draw.features(1, cls_w[1].shape[0], scale=1.5)[0]
    with doing("setting the weights of `self.classifier`"):
        model.set_weights([cls_w[0], (cls_w[1] + shift).astype("float32")], path="classifier")
    want = before * np.exp(shift)
    expect_close(run(model, x), want / want.sum(-1, keepdims=True),
                 "The output is not the softmax of self.classifier",
                 hint="self.classifier, `Dense(num_classes, activation=\"softmax\")`, should be the last "
                      "step of call(), with nothing applied after it.")


def bars(n: int, size: int = 6, noise: float = 0.1):
    """Images with one bright bar: horizontal (label 0) or vertical (label 1), at a random place."""
    g = draw.rng()
    y = np.arange(n) % 2
    x = g.normal(scale=noise, size=(n, size, size, 1))
    where = g.integers(0, size, n)
    for i in range(n):
        if y[i] == 0:
            x[i, where[i], :, 0] += 1.0
        else:
            x[i, :, where[i], 0] += 1.0
    perm = g.permutation(n)
    return x[perm].astype("float32"), y[perm].astype("int32")


@check(points=2, concept="training")
def test_learns_horizontal_vs_vertical_bars(submission):
    "The model learns to tell horizontal from vertical bars (accuracy >= 0.9 on new images)"
    x, y = bars(192, size=6)
    fit_rows, held_out = draw.split(len(y))
    model = build(model_class(submission), num_classes=2, filters=8)
    train(model, x[fit_rows], y[fit_rows], loss="sparse_categorical_crossentropy", epochs=5,
          eager_loop=True)
    out = run(model, x[held_out], "measuring the accuracy of your trained model")
    if out.shape != (len(held_out), 2):
        fail(f"Training: the trained model's output on {len(held_out)} images has shape {out.shape}.")
    acc = float(np.mean(np.argmax(out, axis=-1) == y[held_out]))
    if acc < 0.9:
        fail(f"Training: after 5 epochs the accuracy on new images is {acc:.2f}, below 0.9, on a task a "
             "small CNN learns easily (is the bar horizontal or vertical?). Check that call() applies the "
             "convolution first (global pooling of the raw image cannot see the bar's direction), "
             "then the pooling layers, and that the classifier ends in a softmax.")
