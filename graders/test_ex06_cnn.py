"""Grader for ex06_cnn: SmallCNN, convolution and pooling in a subclassed model."""
import keras
import numpy as np
from hypothesis import example, given, strategies as st

from kerasgrade.checks import check
from kerasgrade.expect import (accuracy, build, expect_activation, expect_close,
                               expect_forwards_kwargs, expect_layer, expect_same_object,
                               expect_shape, expect_softmax, expect_super_first, expect_tracked,
                               fail, get_class, run, train_eagerly)

Conv2D, MaxPooling2D, Dense = keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.Dense
GLOBAL_POOLS = (keras.layers.GlobalAveragePooling2D, keras.layers.GlobalMaxPooling2D)


def model_class(submission):
    return get_class(submission, "SmallCNN")


def images(batch: int, height: int, width: int, channels: int = 1, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(batch, height, width, channels)).astype("float32")


def bars(n: int, size: int = 6, seed: int = 0, noise: float = 0.1):
    """Images with one bright bar: horizontal (label 0) or vertical (label 1), at a random place."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(scale=noise, size=(n, size, size, 1))
    where = rng.integers(0, size, n)
    for i in range(n):
        if y[i] == 0:
            x[i, where[i], :, 0] += 1.0
        else:
            x[i, :, where[i], 0] += 1.0
    perm = rng.permutation(n)
    return x[perm].astype("float32"), y[perm].astype("int32")


def global_pool_of(model):
    """The global pooling layer the model tracks, whatever attribute it is bound to."""
    for layer in model.layers:
        if isinstance(layer, GLOBAL_POOLS):
            return layer
    return None


def expect_finite(out, what: str):
    if not np.all(np.isfinite(out)):
        fail(f"Output shape: {what} gave NaN or infinite values. This happens when a feature map "
             "becomes empty (height or width 0): with `padding=\"valid\"` a 3x3 convolution "
             "removes 2 pixels from each side length, and pooling then has nothing left. Use "
             "`padding=\"same\"` on the convolution.")


# -- inheritance and super() -------------------------------------------------------------------

@check(points=1, concept="inheritance")
def test_subclasses_keras_model(submission):
    "SmallCNN subclasses tf.keras.Model and can be built and called"
    model = build(model_class(submission))
    run(model, images(2, 8, 8, 1))


@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "__init__ calls super().__init__(**kwargs) before anything else"
    expect_super_first(model_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "SmallCNN(name=...) reaches Keras through **kwargs"
    model = expect_forwards_kwargs(model_class(submission))
    run(model, images(2, 6, 6, 1))


# -- binding through self ----------------------------------------------------------------------

@check(points=2, concept="binding through self")
def test_binds_the_layers(submission):
    "self.conv, self.pool, a global pooling layer and self.classifier, of the right kinds and sizes"
    model = build(model_class(submission), num_classes=3, filters=5)
    conv = expect_layer(model, "conv", Conv2D, filters=5, kernel_size=(3, 3))
    if conv.padding != "same":
        fail(f"`self.conv` uses padding={conv.padding!r}. With \"valid\" padding a 3x3 convolution "
             "shrinks the image by 2 pixels in each direction, so small images (2x2, 3x3) vanish. "
             "Write `Conv2D(filters, 3, padding=\"same\", activation=\"relu\")`.")
    expect_activation(conv, "conv", "relu")
    pool = expect_layer(model, "pool", MaxPooling2D, pool_size=(2, 2), strides=(2, 2))
    global_pool = global_pool_of(model)
    if global_pool is None:
        kinds = ", ".join(type(t).__name__ for t in model.layers) or "none"
        fail("Binding through self: the model tracks no global pooling layer (its layers: "
             f"{kinds}). Global pooling turns each feature map into one number whatever the image "
             "size, which is what lets the classifier accept any height and width. Bind one in "
             "`__init__`, e.g. `self.global_pool = keras.layers.GlobalAveragePooling2D()` "
             "(Flatten would tie the model to one image size).")
    classifier = expect_layer(model, "classifier", Dense, units=3)
    expect_activation(classifier, "classifier", "softmax")
    expect_tracked(model, {"conv": conv, "pool": pool, "<global pooling>": global_pool,
                           "classifier": classifier})


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "Layers are created once in __init__: the same images give the same output on every call"
    model = build(model_class(submission))
    conv, classifier = getattr(model, "conv", None), getattr(model, "classifier", None)
    x = images(3, 6, 6, 1, seed=2)
    first, second = run(model, x), run(model, x)
    expect_same_object(model, "conv", conv)
    expect_same_object(model, "classifier", classifier)
    expect_close(second, first, "Calling the model twice on the same images gave different outputs",
                 hint="Create layers in __init__, not in call(): a layer created in call() "
                      "gets new random weights every time.")
    if len(model.trainable_weights) != 4:
        fail(f"After calling it, the model should own 4 trainable weights (a kernel and a bias for "
             f"the convolution and for the classifier; pooling has none), but Keras tracks "
             f"{len(model.trainable_weights)}. A layer gets its weights the first time call() uses "
             "it: check that call() uses self.conv and self.classifier, and that no other layer "
             "with weights is bound on self.")


# -- output shapes -------------------------------------------------------------------------------

@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 3), height=st.integers(2, 9), width=st.integers(2, 9),
       channels=st.integers(1, 3), filters=st.integers(1, 6), num_classes=st.integers(1, 4))
@example(batch=1, height=2, width=2, channels=1, filters=2, num_classes=2)
def test_output_shape(submission, batch, height, width, channels, filters, num_classes):
    "call() maps (batch, H, W, C) to (batch, num_classes) for any H, W >= 2"
    model = build(model_class(submission), num_classes=num_classes, filters=filters)
    what = (f"SmallCNN(num_classes={num_classes}, filters={filters}) on images of shape "
            f"({batch}, {height}, {width}, {channels})")
    out = run(model, images(batch, height, width, channels))
    expect_shape(out, (batch, num_classes), what)
    expect_finite(out, what)


@check(points=2, concept="behaviour: any image size")
def test_one_model_takes_any_image_size(submission):
    "One model classifies images of different sizes, down to 2x2"
    model = build(model_class(submission), num_classes=3, filters=4)
    for height, width in [(8, 8), (5, 7), (2, 2), (12, 4)]:
        what = f"the same model, called next on images of shape (2, {height}, {width}, 1)"
        doing_what = (f"calling your SmallCNN on images of shape (2, {height}, {width}, 1)"
                      if height == 8 else
                      f"calling the same SmallCNN on {height}x{width} images after 8x8 ones (one "
                      "model must take any size: Flatten ties it to the first size it sees, and a "
                      "convolution without padding=\"same\" cannot take tiny images)")
        out = run(model, images(2, height, width, 1, seed=height), doing_what)
        expect_shape(out, (2, 3), what)
        expect_finite(out, what)


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(model_class(submission), num_classes=4)
    expect_softmax(run(model, images(6, 6, 6, 2, seed=1) * 5))


def _expected_output(model, x, global_kind: str) -> np.ndarray:
    """softmax(Dense(global_pool(maxpool(relu(conv_same(x)))))), from the model's own weights."""
    kernel, bias = np.array(model.conv.kernel), np.array(model.conv.bias)
    batch, height, width, _ = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    conv = np.zeros((batch, height, width, kernel.shape[-1]), dtype="float64")
    for di in range(3):
        for dj in range(3):
            conv += np.einsum("bhwc,cf->bhwf", padded[:, di:di + height, dj:dj + width], kernel[di, dj])
    conv = np.maximum(conv + bias, 0)
    if getattr(model.pool, "padding", "valid") == "same":  # keeps the odd last row and column
        h2, w2 = -(-height // 2), -(-width // 2)
        conv = np.pad(conv, ((0, 0), (0, 2 * h2 - height), (0, 2 * w2 - width), (0, 0)),
                      constant_values=-np.inf)
    else:  # "valid", the default: drops them
        h2, w2 = height // 2, width // 2
    pooled = conv[:, :2 * h2, :2 * w2].reshape(batch, h2, 2, w2, 2, -1).max(axis=(2, 4))
    feats = pooled.mean(axis=(1, 2)) if global_kind == "average" else pooled.max(axis=(1, 2))
    logits = feats @ np.array(model.classifier.kernel) + np.array(model.classifier.bias)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@check(points=2, concept="call() and output shapes", hidden=True)
def test_forward_pass_composes_the_layers(submission):
    "call() is classifier(global_pool(pool(conv(x)))), computed from the model's own weights"
    model = build(model_class(submission), num_classes=3, filters=4)
    x = images(3, 7, 5, 2, seed=np.random.randint(1000))
    out = run(model, x)
    conv = expect_layer(model, "conv", Conv2D)
    classifier = expect_layer(model, "classifier", Dense)
    for attr, layer in (("conv", conv), ("classifier", classifier)):
        if not layer.built:
            fail(f"call() never used `self.{attr}`: after calling the model it still has no weights. "
                 "call() should apply self.conv, then self.pool, then the global pooling, then "
                 "self.classifier.")
    if conv.filters != 4:
        fail(f"`self.conv` has {conv.filters} filters for SmallCNN(filters=4): write "
             "`Conv2D(filters, 3, ...)` with the constructor argument, not a fixed number.")
    received = np.array(classifier.kernel).shape[0]
    if received != 4:
        fail(f"`self.classifier` receives {received} features per image, but after global pooling "
             "there should be one per filter of the convolution (4 here), whatever the image size. "
             "Apply the global pooling layer to the feature maps before the classifier.")
    kinds = ["average", "max"]
    gp = global_pool_of(model)
    if isinstance(gp, keras.layers.GlobalMaxPooling2D):
        kinds.reverse()
    want = _expected_output(model, x, kinds[0])
    alternative = _expected_output(model, x, kinds[1])
    if out.shape == want.shape and np.allclose(out, alternative, atol=1e-4, rtol=1e-4):
        return
    expect_close(out, want,
                 "The output is not softmax(classifier(global_pool(max_pool(relu(conv(x))))))",
                 hint="call() should apply self.conv (3x3, padding=\"same\", ReLU), then "
                      "self.pool (2x2 max pooling), then the global pooling, then "
                      "self.classifier, each exactly once and in this order.")


# -- training ------------------------------------------------------------------------------------

@check(points=2, concept="training")
def test_learns_horizontal_vs_vertical_bars(submission):
    "The model learns to tell horizontal from vertical bars (accuracy >= 0.9 after a short training)"
    x, y = bars(96, size=6, seed=0)
    model = build(model_class(submission), num_classes=2, filters=8)
    train_eagerly(model, x, y, loss="sparse_categorical_crossentropy", epochs=3)
    acc = accuracy(model, x, y)
    if acc < 0.9:
        fail(f"Training: after 3 epochs the accuracy is {acc:.2f}, below 0.9, on a task a small CNN "
             "learns easily (is the bar horizontal or vertical?). Check that call() applies the "
             "convolution first (global pooling of the raw image cannot see the bar's direction), "
             "then the pooling layers, and that the classifier ends in a softmax.")
