"""Exercise 3 — a layer of your own.

Built-in layers such as ``Dense`` are themselves subclasses of
``tf.keras.layers.Layer``. Writing one yourself shows how they work:

* ``__init__`` calls ``super().__init__(**kwargs)`` first and keeps the
  settings (here ``units``); it creates no weights, because the size of the
  input is not known yet;
* ``build(input_shape)`` is called by Keras on the first call, with the
  input's shape: it creates the weights with ``self.add_weight(...)``, now that
  ``input_shape[-1]`` (the number of input features) is known;
* ``call(inputs)`` is the computation; it only uses the weights.

Then a model uses your layer like any other: bind it on ``self`` in
``__init__`` and call it in ``call()``.

Fill in the TODOs, then check your work:

    kerasgrade check exercises/ex03_custom_layer.py
"""
import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    """A fully-connected layer without activation: ``y = inputs @ kernel + bias``.

    Write it yourself: do not use ``Dense``.

    Args:
        units: the number of outputs.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.layers.Layer``.

    Weights (created in ``build``, with ``self.add_weight``):
        self.kernel: shape ``(input_dim, units)``, randomly initialised
            (e.g. ``initializer="glorot_uniform"``).
        self.bias: shape ``(units,)``, initialised to zeros (``initializer="zeros"``).
    """

    def __init__(self, units=32, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs,
        #         then keep `units` on self. Create no weights here.
        raise NotImplementedError("TODO 1: write Linear.__init__")

    def build(self, input_shape):
        """Create the weights, now that ``input_shape[-1]`` (the input size) is known."""
        # TODO 2: self.kernel = self.add_weight(shape=(input_shape[-1], self.units), ...)
        #         self.bias = self.add_weight(shape=(self.units,), initializer="zeros", ...)
        raise NotImplementedError("TODO 2: write Linear.build")

    def call(self, inputs):
        """``inputs`` (batch, input_dim) -> ``inputs @ kernel + bias`` (batch, units)."""
        # TODO 3: return the matrix product of the inputs and the kernel, plus the bias.
        raise NotImplementedError("TODO 3: write Linear.call")


class LinearRegressor(tf.keras.Model):
    """Linear regression: one ``Linear(1)`` layer, ``(batch, features) -> (batch, 1)``.

    Attributes (bound in ``__init__``):
        self.linear: ``Linear(1)``, the layer written above.
    """

    def __init__(self, **kwargs):
        # TODO 4: call the parent constructor first, forwarding **kwargs,
        #         then bind self.linear = Linear(1).
        raise NotImplementedError("TODO 4: write LinearRegressor.__init__")

    def call(self, inputs):
        """Forward pass: ``inputs`` (batch, features) -> (batch, 1)."""
        # TODO 5: pass the inputs through self.linear.
        raise NotImplementedError("TODO 5: write LinearRegressor.call")
