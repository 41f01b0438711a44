"""Exercise 9 — a block made of layers, reused.

A residual network repeats one idea: a *block* adds its input back to what it
computes, ``relu(x + f(x))``, so that it only has to learn a correction of
``x`` (the "skip connection"). You write the block once, as a custom layer,
and the model stacks as many of them as it is asked for:

* ``ResidualBlock`` subclasses ``tf.keras.layers.Layer`` (it is a building
  block, not a whole model) and owns two ``Dense`` layers;
* ``ResidualNet`` keeps its blocks in a Python list bound on ``self``: Keras
  tracks the layers inside it. Each block is a *new* object with its own
  weights: ``[ResidualBlock(units)] * n`` would repeat one block ``n`` times.

Fill in the TODOs, then check your work:

    kerasgrade check exercises/ex09_residual.py
"""
import tensorflow as tf


class ResidualBlock(tf.keras.layers.Layer):
    """``relu(x + dense2(dense1(x)))``: the output has the shape of ``x``.

    Args:
        units: the size of the last dimension of ``x``, and of both Dense layers.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.layers.Layer``.

    Attributes (bound in ``__init__``):
        self.dense1: ``Dense(units, activation="relu")``
        self.dense2: ``Dense(units)`` (no activation: the ReLU comes after the addition)
    """

    def __init__(self, units, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs,
        #         then create the two Dense layers and bind them to self.
        raise NotImplementedError("TODO 1: write ResidualBlock.__init__")

    def call(self, x):
        """(batch, units) -> (batch, units)."""
        # TODO 2: add x to dense2(dense1(x)) (the skip connection), then apply a ReLU.
        raise NotImplementedError("TODO 2: write ResidualBlock.call")


class ResidualNet(tf.keras.Model):
    """A classifier made of a projection, ``num_blocks`` residual blocks and a softmax.

    Args:
        num_blocks: how many ResidualBlocks to stack (0 is allowed).
        units: the width of the blocks; the projection maps the input features to it.
        num_classes: the number of classes; the output is a softmax over them.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.project: ``Dense(units)``, so that inputs of any width fit the blocks
        self.blocks: a list of ``num_blocks`` distinct ``ResidualBlock(units)``
        self.classifier: ``Dense(num_classes, activation="softmax")``
    """

    def __init__(self, num_blocks=2, units=16, num_classes=3, **kwargs):
        # TODO 3: call the parent constructor first, forwarding **kwargs.
        # TODO 4: create self.project, self.blocks (one new ResidualBlock per
        #         block, e.g. with a list comprehension) and self.classifier.
        raise NotImplementedError("TODO 3-4: write ResidualNet.__init__")

    def call(self, inputs):
        """(batch, features) -> (batch, num_classes)."""
        # TODO 5: project the inputs, pass them through every block in turn,
        #         then through the classifier.
        raise NotImplementedError("TODO 5: write ResidualNet.call")
