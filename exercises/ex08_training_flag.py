"""Exercise 8 — BatchNormalization, Dropout and the ``training`` flag.

Some layers behave differently while the model learns and when it predicts:

* ``Dropout`` zeroes a random part of its inputs during training (a
  regulariser) and does nothing in inference;
* ``BatchNormalization`` normalises with the statistics of the current batch
  during training, and updates its *moving* mean and variance as it goes; in
  inference it uses those moving statistics, so that a prediction for one
  example does not depend on the other examples of its batch.

Keras tells them which mode they are in through the ``training`` argument:
``fit()`` calls the model with ``training=True``, ``predict()``, ``evaluate()``
and a plain ``model(x)`` with ``training=False`` (or no flag). Your ``call()``
receives it and may forward it to the layers (``self.dropout(h,
training=training)``); Keras 3 also passes it down on its own. What you must
never do is decide the mode yourself (``training=True`` written in a layer
call), or drop units with a function that does not know the flag.

Fill in the TODOs, then check your work:

    kerasgrade check exercises/ex08_training_flag.py
"""
import tensorflow as tf


class RegularizedMLP(tf.keras.Model):
    """A classifier regularised by BatchNormalization and Dropout.

    Args:
        hidden_units: the number of units of the hidden ``Dense`` layer.
        num_classes: the number of classes; the output is a softmax over them.
        dropout_rate: the fraction of hidden units that Dropout zeroes in training.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.dense: ``Dense(hidden_units)`` (ReLU here, or after the normalisation)
        self.batch_norm: ``BatchNormalization()``
        self.dropout: ``Dropout(dropout_rate)``
        self.classifier: ``Dense(num_classes, activation="softmax")``
    """

    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs.
        # TODO 2: create the four layers and bind them to self, using the
        #         constructor arguments (not fixed numbers).
        raise NotImplementedError("TODO 1-2: write RegularizedMLP.__init__")

    def call(self, inputs, training=None):
        """Forward pass: (batch, features) -> (batch, num_classes).

        ``training`` is True inside ``fit()`` and False (or None) in inference.
        """
        # TODO 3: dense -> batch_norm -> ReLU -> dropout -> classifier.
        #         Forward the flag (`self.batch_norm(h, training=training)`,
        #         `self.dropout(h, training=training)`) or pass none; never
        #         write `training=True` yourself.
        raise NotImplementedError("TODO 3: write RegularizedMLP.call")
