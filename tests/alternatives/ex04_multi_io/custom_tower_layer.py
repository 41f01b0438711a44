"""Correct, in another style: the shared trunk is the learner's own layer (a `keras.layers.Layer`
subclass that joins the named inputs and applies two Dense layers), the heads bound in a loop
over a class-level table, and `keras.ops` throughout."""
import keras
from keras import ops


class Trunk(keras.layers.Layer):
    """Concatenates the two named inputs, then two Dense layers with a ReLU."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(units, activation="relu")
        self.second = keras.layers.Dense(units, activation="relu")

    def call(self, inputs):
        joined = ops.concatenate([inputs["features"], inputs["metadata"]], axis=-1)
        return self.second(self.first(joined))


class MultiTaskModel(keras.Model):
    HEADS = {"label": "softmax", "score": None}

    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.trunk = Trunk(hidden_units)
        self.heads = {name: keras.layers.Dense(num_classes if name == "label" else 1, activation=act)
                      for name, act in self.HEADS.items()}

    def call(self, inputs):
        hidden = self.trunk(inputs)
        return {name: head(hidden) for name, head in self.heads.items()}
