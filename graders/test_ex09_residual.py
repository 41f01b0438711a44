"""Grader for ex09_residual: ResidualBlock (a custom layer made of layers) and ResidualNet.

Written for the judge (``JUDGED``): every check runs outside the learner's process. The
judge sets weights it drew on the named layers (``dense1``, ``dense2``, ``project``, each
block, ``classifier``) and compares what the block and the network compute on its inputs
with its own numpy computation.
"""
import ast
import itertools

import numpy as np
from hypothesis import given, strategies as st

from kerasgrade.checks import check
from kerasgrade.grading.draw import features, split, weights_like, xor
from kerasgrade.grading.expect import (Forward, accuracy, activation, activation_of, build, clean, close, dense_weights, doing,
                                       expect_close, expect_layer, expect_shape, expect_softmax,
                                       expect_tracked, fail, get_class, run, train, verify_dense)
from kerasgrade.grading.opening import opening_checks
from kerasgrade.grading.replica import finished

JUDGED = True
BLOCK = "ResidualBlock"
NET = "ResidualNet"
FIX_BLOCKS = "`self.blocks = [ResidualBlock(units) for _ in range(num_blocks)]`"


def dense_step(model, path: str, h) -> np.ndarray:
    """What the Dense layer at ``path`` computes on ``h`` with the weights it holds now, with the
    activation it computes (a setting that deviates is named by the checks of the settings)."""
    kernel, bias = dense_weights(model, path, np.shape(h)[-1])
    return activation(activation_of(model, path) or "linear", np.asarray(h, dtype="float64") @ kernel + bias)


# What a block computes from h and f = dense2(dense1(h)): the contract's, then the mistakes the
# judge follows (no skip connection, the ReLU before the addition or none), named by the block's checks.
BLOCK_WAYS = (lambda h, f: np.maximum(h + f, 0.0), lambda h, f: np.maximum(f, 0.0),
              lambda h, f: h + np.maximum(f, 0.0), lambda h, f: h + f, lambda h, f: f)


def block_output(model, prefix: str, h, way=BLOCK_WAYS[0]) -> np.ndarray:
    """relu(h + dense2(dense1(h))) (or another of ``BLOCK_WAYS``) for the block at ``prefix``
    ("" for the block itself), from the weights its layers hold now."""
    h = np.asarray(h, dtype="float64")
    return way(h, dense_step(model, f"{prefix}dense2", dense_step(model, f"{prefix}dense1", h)))


def net_output(model, x, got, way=BLOCK_WAYS[0]) -> np.ndarray:
    """classifier(blocks[-1](...blocks[0](project(x)))), computed by the judge, each block
    computing ``way``; with a softmax applied in call() after the classifier, if ``got`` has it."""
    with doing("reading `self.blocks`"):
        blocks = model.get("blocks") if model.has("blocks") else None
    if not isinstance(blocks, (list, tuple)) or len(blocks) > 8:
        fail(f"Binding through self: the model has no list `self.blocks`. Write {FIX_BLOCKS} in `__init__`.")
    h = dense_step(model, "project", x)
    for i in range(len(blocks)):
        h = block_output(model, f"blocks[{i}].", h, way)
    h = dense_step(model, "classifier", h)
    done = finished(got, h)
    return h if done is None else done


def computed_one_way(compute, got) -> np.ndarray:
    """``compute(way)`` for the first of ``BLOCK_WAYS`` that gives ``got``, else the contract's."""
    want = compute(BLOCK_WAYS[0])
    for other in itertools.chain([want], map(compute, BLOCK_WAYS[1:])):
        if close(got, other):
            return other
    return want


# Every output a check reads is first the judge's own computation (``run``).
FOLLOW = {BLOCK: Forward(lambda block, x, got, **_: computed_one_way(lambda way: block_output(block, "", x, way), got),
                         "relu(x + dense2(dense1(x)))"),
          NET: Forward(lambda net, x, got, **_: computed_one_way(lambda way: net_output(net, x, got, way), got),
                       "classifier(blocks[-1](...blocks[0](project(inputs))))")}


def block_class(submission):
    return get_class(submission, BLOCK, base="Layer")


def net_class(submission):
    return get_class(submission, NET)


globals().update(opening_checks(BLOCK, base="Layer", inputs=lambda: features(3, 4), args={"units": 4},
                               output_shape=(3, 4), persistent=("dense1", "dense2"), prefix="block_",
                               points=(1, 0.5, 0.5, 0.5)))
globals().update(opening_checks(NET, inputs=lambda: features(4, 5), output_shape=(4, 3),
                               persistent=("project", "classifier"), points=(1, 0.5, 0.5, 0.5)))


# -- the named layers' settings, read from what they compute ----------------------------------------

def expect_dense_setting(layer, attr: str, want: str, label: str, role: str) -> None:
    """``<attr>`` is a Dense layer whose activation is ``want``; a deviation is named as such."""
    got = activation_of(layer, attr)
    if got != want:
        says = f"computes {got!r}" if got else "has an activation of its own"
        spelled = "no activation: `Dense(units)`" if want == "linear" else f"`Dense(units, activation=\"{want}\")`"
        fail(f"The setting of `{label}`: its activation {says}, but the exercise gives it {spelled}. {role}")


DENSE1_ROLE = "dense1's ReLU is the block's only non-linearity inside the residual branch."
DENSE2_ROLE = ("dense2 stays linear: the block adds x to dense2(dense1(x)) and applies the ReLU to the sum "
               "itself, relu(x + dense2(dense1(x))), so a ReLU on dense2 would clip the branch before the "
               "addition.")


def expect_block_settings(model, path: str = "", label: str = "self") -> None:
    """The block at ``path`` of ``model`` (the model itself if none) has a ReLU on dense1, none on dense2."""
    prefix = f"{path}." if path else ""
    expect_dense_setting(model, f"{prefix}dense1", "relu", f"{label}.dense1", DENSE1_ROLE)
    expect_dense_setting(model, f"{prefix}dense2", "linear", f"{label}.dense2", DENSE2_ROLE)


def block_weights(units: int) -> tuple[list, list]:
    return weights_like([(units, units), (units,)]), weights_like([(units, units), (units,)])


def block_np(x, dense1: list, dense2: list) -> np.ndarray:
    """relu(x + dense2(dense1(x))), by the judge."""
    x = np.asarray(x, dtype="float64")
    h = activation("relu", x @ dense1[0] + dense1[1])
    return activation("relu", x + h @ dense2[0] + dense2[1])


def set_block(model, path: str, dense1: list, dense2: list) -> None:
    prefix = f"{path}." if path else ""
    with doing(f"setting the weights of `{prefix}dense1` and `{prefix}dense2`"):
        model.set_weights(dense1, path=f"{prefix}dense1")
        model.set_weights(dense2, path=f"{prefix}dense2")


# -- the blocks of a net ------------------------------------------------------------------------------

def blocks_of(submission, model) -> int:
    """How many blocks ``self.blocks`` holds (a list or tuple bound on the instance)."""
    node = submission.source.class_def(NET)
    shared = [s for s in (node.body if node is not None else []) if isinstance(s, (ast.Assign, ast.AnnAssign))
              and s.value is not None and any(isinstance(t, ast.Name) and t.id == "blocks"
                                              for t in (s.targets if isinstance(s, ast.Assign) else [s.target]))]
    with doing("reading `self.blocks`"):
        blocks = model.get("blocks") if model.has("blocks") else None
    if shared and not blocks_tracked(model, blocks):
        fail(f"Binding through self: `blocks` is a list in the class body (line {shared[0].lineno}), shared by "
             "every ResidualNet, and Keras never sees it bound on the model, so it does not track the "
             f"blocks (fit() would not train them). Create the list in `__init__`: {FIX_BLOCKS}.")
    if blocks is None:
        fail(f"Binding through self: `ResidualNet` has no attribute `self.blocks`. Bind a list of blocks in "
             f"`__init__`: {FIX_BLOCKS}.")
    if not isinstance(blocks, (list, tuple)) or len(blocks) > 64:
        fail("Binding through self: `self.blocks` should be a list of ResidualBlocks, but it is "
             f"{'a very long list' if isinstance(blocks, (list, tuple)) else 'something else'}.")
    return len(blocks)


def blocks_tracked(model, blocks) -> bool:
    """Whether every block of ``self.blocks`` is among the layers Keras tracks on the model: a list
    set in `__init__` is, one only in the class body is not (a class-level default that
    `__init__` replaces is fine)."""
    if not isinstance(blocks, (list, tuple)) or len(blocks) > 64:
        return False
    with doing("reading the layers Keras tracks on your ResidualNet"):
        tracked = {layer.get("id") for layer in model.describe().get("layers", []) if isinstance(layer, dict)}
        ids = [model.describe(f"blocks[{i}]", layers=False).get("id") for i in range(len(blocks))]
    return all(i is not None and i in tracked for i in ids)


def expect_num_blocks(submission, model, n: int) -> None:
    got = blocks_of(submission, model)
    if got != n:
        shared = (" A list kept on the class, or given as a default argument (`blocks=[]`), is one list "
                  "that every ResidualNet shares: make a new one in `__init__`." if got > n else "")
        fail(f"Reuse: `ResidualNet(num_blocks={n}).blocks` holds {got} blocks. Build the list from the "
             f"argument: {FIX_BLOCKS}.{shared}")


# -- binding through self ----------------------------------------------------------------------------

@check(points=1, concept="binding through self")
def test_block_binds_two_dense_layers(submission):
    "self.dense1 (ReLU) and self.dense2 (linear) are Dense(units) layers whose weights the block owns"
    block = build(block_class(submission), 6)
    run(block, features(2, 6), "calling your ResidualBlock(6) on an input of shape (2, 6)")
    when = "after its first call"  # created in __init__ (or in build())
    dense1 = expect_layer(block, "dense1", "Dense", when, units=6)
    dense2 = expect_layer(block, "dense2", "Dense", when, units=6)
    expect_block_settings(block)
    verify_dense(block, "dense1", "relu", in_dim=6)
    verify_dense(block, "dense2", "linear", in_dim=6)
    with doing("reading the weights of your ResidualBlock"):
        owned = set(block.describe(layers=False).get("trainable", []))
    for attr, layer in (("dense1", dense1), ("dense2", dense2)):
        ids = [w.get("id") for w in layer.get("weights", []) if isinstance(w, dict)]
        if not ids or any(i not in owned for i in ids):
            fail(f"Binding through self: the block does not own the weights of `self.{attr}`, so Keras would "
                 "neither train nor save them. Bind the layer on `self` in `__init__`, after "
                 "`super().__init__(**kwargs)`.")


@check(points=2, concept="binding through self")
def test_net_binds_its_layers(submission):
    "self.project, self.blocks and self.classifier are the right layers, tracked by Keras"
    block_class(submission)
    model = build(net_class(submission), num_blocks=3, units=5, num_classes=4)
    layers = {"project": expect_layer(model, "project", "Dense", units=5),
              "classifier": expect_layer(model, "classifier", "Dense", units=4)}
    expect_dense_setting(model, "project", "linear", "self.project",
                         "The projection only changes the width of the input to `units`; the blocks bring "
                         "the non-linearity.")
    expect_num_blocks(submission, model, 3)
    for i in range(3):
        with doing(f"reading `self.blocks[{i}]`"):
            info = model.describe(f"blocks[{i}]", layers=False)
        if info.get("class") != BLOCK or info.get("is_layer") is not True:
            fail(f"Binding through self: `self.blocks[{i}]` should be a ResidualBlock, but it is a "
                 f"{clean(info.get('class')) or 'something else'}.")
        layers[f"blocks[{i}]"] = info
    expect_tracked(model, layers, exactly=False)
    verify_dense(model, "project", "linear", in_dim=6)
    if activation_of(model, "classifier") not in ("linear", "softmax"):
        fail("The setting of `self.classifier`: its activation should be \"softmax\" (or none, with the "
             "softmax applied in call()).")


# -- output shapes -----------------------------------------------------------------------------------

@check(points=2, concept="call() and output shapes")
@given(batch=st.integers(1, 6), n_features=st.integers(1, 6), units=st.integers(1, 8),
       num_blocks=st.integers(0, 2), num_classes=st.integers(1, 5))
def test_output_shape(submission, batch, n_features, units, num_blocks, num_classes):
    "call() maps (batch, features) to (batch, num_classes) for any sizes, features != units too"
    model = build(net_class(submission), num_blocks=num_blocks, units=units, num_classes=num_classes)
    case = (f"ResidualNet(num_blocks={num_blocks}, units={units}, num_classes={num_classes}) on a "
            f"({batch}, {n_features}) input")
    out = run(model, features(batch, n_features), verify=num_classes > 1)  # softmax over 1 class: 1
    expect_shape(out, (batch, num_classes), case)
    expect_softmax(out, f"the output of {case}")


@check(points=1, concept="call() and output shapes")
def test_output_is_softmax(submission):
    "Each output row is a probability distribution"
    model = build(net_class(submission), num_blocks=1, num_classes=5)
    out = run(model, features(8, 4, scale=5.0))
    expect_softmax(out)


# -- the residual block ---------------------------------------------------------------------------------

@check(points=2, concept="the residual block")
def test_block_computes_relu_of_x_plus_f_x(submission):
    "A block keeps the shape and computes relu(x + dense2(dense1(x))), with weights the grader sets"
    for units in (3, 7):
        block = build(block_class(submission), units)
        x = features(5, units, scale=1.5)
        what = f"calling your ResidualBlock({units}) on an input of shape (5, {units})"
        out = run(block, x, what)
        expect_shape(out, (5, units), f"ResidualBlock({units}) on a (5, {units}) input (a block keeps the "
                                      "shape of its input)")
        expect_layer(block, "dense1", "Dense", "after its first call")
        expect_layer(block, "dense2", "Dense", "after its first call")
        expect_block_settings(block)
        dense1, dense2 = block_weights(units)
        set_block(block, "", dense1, dense2)
        expect_close(run(block, x, what), block_np(x, dense1, dense2),
                     f"The residual block: ResidualBlock({units}) does not compute relu(x + dense2(dense1(x)))",
                     hint="dense1 has a ReLU, dense2 none; add the block's input x to dense2(dense1(x)) (the "
                          "skip connection), then apply the ReLU to the sum.")


@check(points=2, concept="the residual block")
def test_block_with_zero_dense2_is_relu(submission):
    "With dense2's weights set to zero, a block is relu(x): the skip connection carries x through"
    block = build(block_class(submission), 4)
    x = features(6, 4, scale=2.0)
    run(block, x, "calling your ResidualBlock(4) on an input of shape (6, 4)")
    expect_layer(block, "dense2", "Dense", "after its first call")
    dense1 = weights_like([(4, 4), (4,)])
    set_block(block, "", dense1, [np.zeros((4, 4), "float32"), np.zeros(4, "float32")])
    out = run(block, x, "calling your ResidualBlock(4) with dense2's weights set to zero")
    expect_close(out, activation("relu", x), "The residual block: with dense2's weights at zero, the block "
                 "should return relu(x), but it does not",
                 hint="The skip connection adds the input itself: `relu(x + dense2(dense1(x)))`. When dense2 "
                      "outputs zeros only x is left, so the output is relu(x). Add x before the final ReLU "
                      "(not after it), and do not leave the addition out.")


@check(points=2, concept="the residual block")
def test_blocks_follow_num_blocks_and_share_nothing(submission):
    "ResidualNet(num_blocks=n) holds n distinct blocks with weights of their own, for n = 0 to 4"
    block_class(submission)
    models = [build(net_class(submission), num_blocks=n, units=3) for n in range(5)]
    for n, model in enumerate(models):  # each counted once all five exist: no two share a list
        expect_num_blocks(submission, model, n)
    run(model, features(2, 4))  # num_blocks=4: builds the weights
    x = features(5, 3)
    drawn = [block_weights(3) for _ in range(4)]
    for i, (dense1, dense2) in enumerate(drawn):
        set_block(model, f"blocks[{i}]", dense1, dense2)
    for i, (dense1, dense2) in enumerate(drawn):
        with doing(f"calling `self.blocks[{i}]` on its own"):
            out = model.call_path(f"blocks[{i}]", x)
        computes = [isinstance(out, np.ndarray) and out.shape == x.shape and
                    np.allclose(out, block_np(x, *weights), atol=1e-4) for weights in drawn]
        if computes[i]:
            continue
        if any(computes):
            fail(f"Reuse: the grader gave each of the 4 blocks of `ResidualNet(num_blocks=4)` weights of its "
                 f"own, but `self.blocks[{i}]` computes with the weights given to `self.blocks"
                 f"[{computes.index(True)}]`: the blocks share weights (`[ResidualBlock(units)] * n` repeats "
                 f"one object). Create a new block for each position: {FIX_BLOCKS}.")
        expect_block_settings(model, f"blocks[{i}]", f"self.blocks[{i}]")
        fail(f"The residual block: `self.blocks[{i}]` of `ResidualNet(num_blocks=4)`, given weights of its "
             "own, does not compute relu(x + dense2(dense1(x))) (see the residual block's own checks).")
    with doing("reading the weights of your ResidualNet"):
        trainable = model.describe(layers=False).get("trainable", [])
    if len(trainable) != 20:
        fail("Binding through self: `ResidualNet(num_blocks=4)` should own 20 trainable weights (a kernel "
             "and a bias for project, classifier and each Dense of each block), but Keras tracks "
             f"{len(trainable)}. Keep the blocks in a list bound on `self` in `__init__` "
             f"({FIX_BLOCKS}), so that Keras tracks them and fit() trains them.")


@check(points=1, concept="the residual block", hidden=True)
def test_forward_pass_stacks_the_blocks(submission):
    "call() is classifier(blocks(project(x))), computed with weights the grader sets"
    model = build(net_class(submission), num_blocks=2, units=4, num_classes=3)
    x = features(5, 6)
    run(model, x)  # builds the layers
    expect_num_blocks(submission, model, 2)
    project, classifier = weights_like([(6, 4), (4,)]), weights_like([(4, 3), (3,)])
    with doing("setting the weights of `self.project` and `self.classifier`"):
        model.set_weights(project, path="project")
        model.set_weights(classifier, path="classifier")
    h = x.astype("float64") @ project[0] + project[1]
    for i in range(2):
        expect_block_settings(model, f"blocks[{i}]", f"self.blocks[{i}]")
        dense1, dense2 = block_weights(4)
        set_block(model, f"blocks[{i}]", dense1, dense2)
        h = block_np(h, dense1, dense2)
    want = activation("softmax", h @ classifier[0] + classifier[1])
    expect_close(run(model, x), want, "The output of ResidualNet(num_blocks=2) is not "
                 "softmax(classifier(block2(block1(project(x)))))",
                 hint="call() should project the input, pass it through every block of self.blocks in "
                      "order, then through the classifier.")


# -- training ---------------------------------------------------------------------------------------------

@check(points=2, concept="training")
def test_learns_xor(submission):
    "The model learns an XOR-like task (accuracy >= 0.85 on data it was not trained on)"
    x, y = xor(192)
    fit_rows, held_out = split(len(y))
    model = build(net_class(submission), num_blocks=1, units=16, num_classes=2)
    train(model, x[fit_rows], y[fit_rows], loss="sparse_categorical_crossentropy", epochs=3, batch_size=16,
          learning_rate=0.02)
    acc = accuracy(model, x[held_out], y[held_out])
    if acc < 0.85:
        fail(f"Training: after 3 epochs the accuracy on new data is {acc:.2f}, below 0.85, on a task (the "
             "sign of x0 * x1) that needs a non-linearity. Check that call() goes project -> blocks -> "
             "classifier, that the blocks use their ReLUs, and that the classifier ends in a softmax.")
