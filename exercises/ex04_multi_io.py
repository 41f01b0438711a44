"""Exercise 4 — several inputs and outputs.

A subclassed model's ``call()`` receives whatever you pass it and may return
whatever you like: here a dict of two named inputs goes in, and a dict of two
named outputs comes out. Names let ``compile()`` give each output its own loss:

    model.compile(optimizer="adam",
                  loss={"label": "sparse_categorical_crossentropy", "score": "mse"})
    model.fit({"features": x, "metadata": m}, {"label": y, "score": s})

The usual pattern: combine the inputs, compute a shared hidden representation,
then branch into one "head" per output. Layers are still created once in
``__init__`` and only used in ``call()``.

Fill in the two TODOs, then check your work:

    kerasgrade check exercises/ex04_multi_io.py
"""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    """A model with two named inputs and two named outputs.

    Args:
        num_classes: the number of classes of the "label" output (a softmax over them).
        hidden_units: the number of units of the shared hidden ``Dense`` layer (ReLU).
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Choose your own attribute names for the layers, but bind every layer on
    ``self`` in ``__init__`` so that Keras tracks it.
    """

    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs. Then create:
        #         - a shared Dense(hidden_units, activation="relu"),
        #         - a "label" head: Dense(num_classes, activation="softmax"),
        #         - a "score" head: Dense(1) with no activation (a regression can be any number),
        #         and bind each of them on self.
        raise NotImplementedError("TODO 1: write MultiTaskModel.__init__")

    def call(self, inputs):
        """Forward pass.

        Args:
            inputs: a dict ``{"features": (batch, F), "metadata": (batch, M)}``.

        Returns:
            a dict ``{"label": (batch, num_classes) probabilities, "score": (batch, 1)}``.
        """
        # TODO 2: read the inputs by name (inputs["features"], inputs["metadata"]),
        #         join them side by side (tf.concat([...], axis=-1)), pass the result
        #         through the shared layer, then through each head, and return
        #         {"label": ..., "score": ...}. Both outputs use both inputs.
        raise NotImplementedError("TODO 2: write MultiTaskModel.call")
