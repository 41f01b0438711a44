"""Exercise 2 — constructor arguments, super() and get_config.

A subclassed model is configured through its constructor: the arguments
decide how many layers it has and how big they are. To be saved and loaded,
Keras must be able to build the same model again from a plain dict, its
*config*:

* ``__init__`` calls ``super().__init__(**kwargs)`` first (Keras's own
  options such as ``name=`` travel in ``**kwargs``), keeps every argument on
  ``self``, and creates the layers from them: one hidden ``Dense`` per entry
  of ``hidden_sizes`` (there may be none);
* ``get_config()`` starts from ``super().get_config()`` (name, trainable,
  dtype) and adds the three constructor arguments, so that
  ``ConfigurableMLP.from_config(config)`` — which calls
  ``ConfigurableMLP(**config)`` — rebuilds the same model;
* registering the class (``@keras.saving.register_keras_serializable()``)
  lets ``keras.models.load_model("m.keras")`` find it by name.

Fill in the TODOs, then check your work:

    kerasgrade check exercises/ex02_config_and_super.py
"""
import keras
import tensorflow as tf


# TODO 0: register the class with Keras, with this decorator on the line above it:
#         @keras.saving.register_keras_serializable(package="my_course")
class ConfigurableMLP(tf.keras.Model):
    """A multi-layer perceptron whose shape comes from its constructor arguments.

    Args:
        hidden_sizes: the units of each hidden ``Dense`` layer (ReLU), in order;
            a list or a tuple, possibly empty (then there is no hidden layer).
        num_classes: the number of classes; the output is one logit per class
            (no softmax: the loss applies it with ``from_logits=True``).
        dropout_rate: the rate of the ``Dropout`` applied after the hidden
            layers while training (0.0 drops nothing).
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.hidden_sizes, self.num_classes, self.dropout_rate: the arguments.
        self.hidden_layers: a list with one ``Dense(size, activation="relu")``
            per entry of ``hidden_sizes``.
        self.dropout: ``Dropout(dropout_rate)``
        self.classifier: ``Dense(num_classes)`` (logits: no activation)
    """

    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs.
        # TODO 2: keep the three arguments on self (get_config() reads them back).
        # TODO 3: create self.hidden_layers (a list, built with a loop over
        #         hidden_sizes), self.dropout and self.classifier.
        raise NotImplementedError("TODO 1-3: write ConfigurableMLP.__init__")

    def call(self, inputs, training=None):
        """Forward pass: ``inputs`` (batch, features) -> logits (batch, num_classes).

        Pass the inputs through each hidden layer in order, applying
        ``self.dropout`` (it is active only while training), then through
        ``self.classifier``.
        """
        # TODO 4: write the forward pass; it creates no layers.
        raise NotImplementedError("TODO 4: write ConfigurableMLP.call")

    def get_config(self):
        """The dict ``from_config`` needs: the parent's config plus the three arguments."""
        # TODO 5: start from super().get_config(), add "hidden_sizes",
        #         "num_classes" and "dropout_rate", and return it.
        raise NotImplementedError("TODO 5: write ConfigurableMLP.get_config")
