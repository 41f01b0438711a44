"""Grader for ex09_residual: ResidualBlock (a custom layer made of layers) and ResidualNet."""
import keras
import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.expect import (accuracy, build, expect_activation, expect_close,
                               expect_forwards_kwargs, expect_layer, expect_same_object,
                               expect_shape, expect_softmax, expect_super_first, expect_tracked,
                               fail, features, get_class, run, train)

Dense, Layer = keras.layers.Dense, keras.layers.Layer


def block_class(submission):
    return get_class(submission, "ResidualBlock", base=Layer)


def net_class(submission):
    return get_class(submission, "ResidualNet")


def xor(n: int, seed: int = 0):
    """Two classes that no linear model separates: the sign of x0 * x1 (plus 2 noise features)."""
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(n, 2))
    x = np.concatenate([signs * 2 + rng.normal(scale=0.5, size=(n, 2)), rng.normal(size=(n, 2))], 1)
    return x.astype("float32"), (signs[:, 0] * signs[:, 1] > 0).astype("int32")


def relu(z):
    return np.maximum(z, 0)


def dense_np(layer, attr: str, x):
    """``x @ kernel + bias`` from the layer's own weights (no activation)."""
    kernel, bias = getattr(layer, "kernel", None), getattr(layer, "bias", None)
    if kernel is None:
        fail(f"`{attr}` has no kernel: it should be a `keras.layers.Dense` bound in `__init__`.")
    out = x @ np.array(kernel)
    return out + np.array(bias) if bias is not None else out


def block_np(block, x):
    """What a ResidualBlock must compute, from its own weights."""
    h = relu(dense_np(block.dense1, "self.dense1", x))
    return relu(x + dense_np(block.dense2, "self.dense2", h))


def blocks_of(model) -> list:
    shared = type(model).__dict__.get("blocks")
    if isinstance(shared, (list, tuple)) and "blocks" not in vars(model):
        fail("Binding through self: `blocks` is a list in the class body, shared by every "
             "ResidualNet, and Keras never sees it bound on the model, so it does not track the "
             "blocks (fit() would not train them). Create the list in `__init__`: "
             "`self.blocks = [ResidualBlock(units) for _ in range(num_blocks)]`.")
    blocks = getattr(model, "blocks", None)
    if blocks is None:
        fail("Binding through self: `ResidualNet` has no attribute `self.blocks`. Bind a list of "
             "blocks in `__init__`: `self.blocks = [ResidualBlock(units) for _ in range(num_blocks)]`.")
    if not isinstance(blocks, (list, tuple)):
        fail(f"Binding through self: `self.blocks` should be a list of ResidualBlocks, but it is a "
             f"{type(blocks).__name__}.")
    return list(blocks)


# -- inheritance ------------------------------------------------------------------------------

@check(points=1, concept="inheritance")
def test_block_subclasses_layer(submission):
    "ResidualBlock subclasses tf.keras.layers.Layer (not Model) and can be built and called"
    block = build(block_class(submission), 4)
    run(block, features(3, 4))


@check(points=1, concept="inheritance")
def test_net_subclasses_keras_model(submission):
    "ResidualNet subclasses tf.keras.Model and can be built and called"
    model = build(net_class(submission))
    run(model, features(4, 5))


# -- super() ----------------------------------------------------------------------------------

@check(points=1, concept="super().__init__")
def test_init_calls_super_first(submission):
    "Both __init__ methods call super().__init__(**kwargs) before anything else"
    expect_super_first(block_class(submission))
    expect_super_first(net_class(submission))


@check(points=1, concept="super().__init__")
def test_forwards_kwargs_to_keras(submission):
    "ResidualBlock(units, name=...) and ResidualNet(name=...) reach Keras through **kwargs"
    block = expect_forwards_kwargs(block_class(submission), 4)
    run(block, features(2, 4))
    model = expect_forwards_kwargs(net_class(submission), num_blocks=1)
    run(model, features(2, 3))


# -- binding through self ---------------------------------------------------------------------

@check(points=1, concept="binding through self")
def test_block_binds_two_dense_layers(submission):
    "self.dense1 (ReLU) and self.dense2 (linear) are Dense(units) layers whose weights the block owns"
    block = build(block_class(submission), 6)
    run(block, features(2, 6), "calling your ResidualBlock(6) on an input of shape (2, 6)")
    when = "after its first call"  # created in __init__ (or in build())
    dense1 = expect_layer(block, "dense1", Dense, when, units=6)
    expect_activation(dense1, "dense1", "relu")
    dense2 = expect_layer(block, "dense2", Dense, when, units=6)
    expect_activation(dense2, "dense2", "linear")
    owned = {id(w) for w in block.trainable_weights}
    for attr, layer in (("dense1", dense1), ("dense2", dense2)):
        if not layer.weights or any(id(w) not in owned for w in layer.weights):
            fail(f"Binding through self: the block does not own the weights of `self.{attr}`, so "
                 "Keras would neither train nor save them. Bind the layer on `self` in "
                 "`__init__`, after `super().__init__(**kwargs)`.")


@check(points=2, concept="binding through self")
def test_net_binds_its_layers(submission):
    "self.project, self.blocks and self.classifier are the right layers, tracked by Keras"
    cls = block_class(submission)
    model = build(net_class(submission), num_blocks=3, units=5, num_classes=4)
    layers = {"project": expect_layer(model, "project", Dense, units=5),
              "classifier": expect_layer(model, "classifier", Dense, units=4)}
    blocks = blocks_of(model)
    if len(blocks) != 3:
        fail(f"Binding through self: `ResidualNet(num_blocks=3).blocks` holds {len(blocks)} "
             "blocks, not 3. Make one block per `num_blocks`: "
             "`[ResidualBlock(units) for _ in range(num_blocks)]`.")
    for i, block in enumerate(blocks):
        if not isinstance(block, cls):
            fail(f"Binding through self: `self.blocks[{i}]` should be a ResidualBlock, but it is "
                 f"a {type(block).__name__}.")
        layers[f"blocks[{i}]"] = block
    expect_tracked(model, layers, exactly=False)


@check(points=1, concept="__init__ vs call()")
def test_layers_persist_between_calls(submission):
    "Layers and weights are created once: calling the model again re-creates nothing"
    model = build(net_class(submission), num_blocks=1, units=4)
    before = {a: getattr(model, a, None) for a in ("project", "classifier")}
    blocks = list(getattr(model, "blocks", None) or [])
    x = features(6, 5)
    first = run(model, x)
    variables = [id(v) for v in model.weights]
    second = run(model, x)
    for attr, layer in before.items():
        expect_same_object(model, attr, layer)
    if list(getattr(model, "blocks", None) or []) != blocks or \
            [id(v) for v in model.weights] != variables:
        fail("__init__ vs call(): the blocks or the weights are new objects after another call. "
             "Create every layer and block once in `__init__`; call() only uses them.")
    expect_close(second, first, "Calling the model twice on the same input gave different outputs",
                 hint="Create layers in __init__, not in call(): a layer created in call() gets "
                      "new random weights every time.")


# -- output shapes ----------------------------------------------------------------------------

@check(points=2, concept="call() and output shapes")
def test_output_shape(submission):
    "call() maps (batch, features) to (batch, num_classes) for any sizes, features != units too"
    run(build(net_class(submission), num_blocks=0, units=4, num_classes=2), features(3, 4))
    output_shape_property(submission)


@given(batch=st.integers(1, 6), n_features=st.integers(1, 6), units=st.integers(1, 8),
       num_blocks=st.integers(0, 1), num_classes=st.integers(1, 5))
def output_shape_property(submission, batch, n_features, units, num_blocks, num_classes):
    model = build(net_class(submission), num_blocks=num_blocks, units=units,
                  num_classes=num_classes)
    out = run(model, features(batch, n_features))
    expect_shape(out, (batch, num_classes),
                 f"ResidualNet(num_blocks={num_blocks}, units={units}, num_classes={num_classes}) "
                 f"on a ({batch}, {n_features}) input")


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(net_class(submission), num_blocks=1, num_classes=5)
    expect_softmax(run(model, features(8, 4, seed=1) * 5))


# -- behaviour --------------------------------------------------------------------------------

@check(points=2, concept="the residual block")
def test_block_computes_relu_of_x_plus_f_x(submission):
    "A block keeps the shape and computes relu(x + dense2(dense1(x))) from its own weights"
    for units in (3, 7):
        block = build(block_class(submission), units)
        x = features(5, units, seed=np.random.randint(1000))
        out = run(block, x, f"calling your ResidualBlock({units}) on an input of shape (5, {units})")
        expect_shape(out, (5, units), f"ResidualBlock({units}) on a (5, {units}) input (a block "
                                      "keeps the shape of its input)")
        expect_close(out, block_np(block, x),
                     f"The residual block: ResidualBlock({units}) does not compute "
                     "relu(x + dense2(dense1(x)))",
                     hint="dense1 has a ReLU, dense2 none; add the block's input x to "
                          "dense2(dense1(x)) (the skip connection), then apply the ReLU to the sum.")


@check(points=2, concept="the residual block")
def test_block_with_zero_dense2_is_relu(submission):
    "With dense2's weights set to zero, a block is relu(x): the skip connection carries x through"
    block = build(block_class(submission), 4)
    x = features(6, 4, seed=np.random.randint(1000)) * 2
    run(block, x, "calling your ResidualBlock(4) on an input of shape (6, 4)")
    dense2 = getattr(block, "dense2", None)
    if dense2 is None or not getattr(dense2, "weights", None):
        fail("The residual block: the block has no `self.dense2` with weights. Bind "
             "`self.dense2 = keras.layers.Dense(units)` in `__init__` and use it in call().")
    for w in dense2.weights:
        w.assign(np.zeros(w.shape, dtype="float32"))
    out = run(block, x, "calling your ResidualBlock(4) with dense2's weights set to zero")
    expect_close(out, relu(x), "The residual block: with dense2's weights at zero, the block "
                 "should return relu(x), but it does not",
                 hint="The skip connection adds the input itself: `relu(x + dense2(dense1(x)))`. "
                      "When dense2 outputs zeros only x is left, so the output is relu(x). Add x "
                      "before the final ReLU (not after it), and do not leave the addition out.")


@check(points=2, concept="the residual block")
def test_blocks_follow_num_blocks_and_share_nothing(submission):
    "ResidualNet(num_blocks=n) holds n distinct blocks with weights of their own, for n = 0 to 4"
    for n in range(5):
        model = build(net_class(submission), num_blocks=n, units=3)
        blocks = blocks_of(model)
        if len(blocks) != n:
            fail(f"Reuse: `ResidualNet(num_blocks={n}).blocks` holds {len(blocks)} blocks. Build "
                 "the list from the argument: `[ResidualBlock(units) for _ in range(num_blocks)]`.")
        if len({id(b) for b in blocks}) != n:
            fail(f"Reuse: `ResidualNet(num_blocks={n}).blocks` holds the same block object more "
                 "than once, so its copies share one set of weights. `[ResidualBlock(units)] * n` "
                 "repeats one object; create a new block for each position: "
                 "`[ResidualBlock(units) for _ in range(num_blocks)]`.")
    run(model, features(2, 4))  # num_blocks=4: build the weights
    block_vars = {id(w) for b in blocks for w in b.weights}
    if len(block_vars) != 16:
        fail("Reuse: the 4 blocks of `ResidualNet(num_blocks=4)` should own 4 weights each (16 "
             f"distinct weights), but they have {len(block_vars)}.")
    if len(model.trainable_weights) != 20:
        fail("Binding through self: `ResidualNet(num_blocks=4)` should own 20 trainable weights "
             "(a kernel and a bias for project, classifier and each Dense of each block), but "
             f"Keras tracks {len(model.trainable_weights)}. Keep the blocks in a list bound on "
             "`self` in `__init__` (`self.blocks = [...]`), so that Keras tracks them and fit() "
             "trains them.")


@check(points=1, concept="the residual block", hidden=True)
def test_forward_pass_stacks_the_blocks(submission):
    "call() is classifier(blocks(project(x))), computed from the model's own weights"
    model = build(net_class(submission), num_blocks=2, units=4, num_classes=3)
    x = features(5, 6, seed=np.random.randint(1000))
    out = run(model, x)
    h = dense_np(model.project, "self.project", x)
    for block in blocks_of(model):
        h = block_np(block, h)
    logits = dense_np(model.classifier, "self.classifier", h)
    want = np.exp(logits - logits.max(-1, keepdims=True))
    expect_close(out, want / want.sum(-1, keepdims=True),
                 "The output of ResidualNet(num_blocks=2) is not "
                 "softmax(classifier(block2(block1(project(x)))))",
                 hint="call() should project the input, pass it through every block of "
                      "self.blocks in order, then through the classifier.")


# -- training ---------------------------------------------------------------------------------

@check(points=2, concept="training")
def test_learns_xor(submission):
    "The model learns an XOR-like task (accuracy >= 0.85 after a short training)"
    x, y = xor(128)
    model = build(net_class(submission), num_blocks=1, units=16, num_classes=2)
    train(model, x, y, loss="sparse_categorical_crossentropy", epochs=3, batch_size=16,
          learning_rate=0.02)
    acc = accuracy(model, x, y)
    if acc < 0.85:
        fail(f"Training: after 3 epochs the accuracy is {acc:.2f}, below 0.85, on a task (the sign "
             "of x0 * x1) that needs a non-linearity. Check that call() goes project -> blocks -> "
             "classifier, that the blocks use their ReLUs, and that the classifier ends in a "
             "softmax.")
