"""Exercise 1 — a first subclassed model.

The Sequential and Functional APIs describe a model as a graph of layers.
Model Subclassing describes it as a Python class:

* ``__init__`` does the set-up that does not depend on the input: it calls
  the parent constructor first, then creates the layers and binds them to
  ``self`` so that Keras tracks them (``model.layers``, ``model.weights``);
* ``call()`` is the forward pass: it uses those layers on the input and
  creates none.

Fill in the two TODOs, then check your work:

    kerasgrade check exercises/ex01_first_model.py
"""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    """A two-layer perceptron for classification.

    Args:
        hidden_units: the number of units of the hidden ``Dense`` layer (ReLU).
        num_classes: the number of classes; the output is a softmax over them.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.hidden: ``Dense(hidden_units, activation="relu")``
        self.classifier: ``Dense(num_classes, activation="softmax")``
    """

    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs,
        #         then create the two Dense layers and bind them to self.
        raise NotImplementedError("TODO 1: write SimpleMLP.__init__")

    def call(self, inputs):
        """Forward pass: ``inputs`` of shape (batch, features) -> (batch, num_classes)."""
        # TODO 2: pass the inputs through self.hidden, then self.classifier.
        raise NotImplementedError("TODO 2: write SimpleMLP.call")
