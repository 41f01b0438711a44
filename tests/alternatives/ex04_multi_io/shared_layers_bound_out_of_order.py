"""Correct, in another style: two shared hidden layers bound in another order than call() applies
them (`self.second` before `self.first`), joined with `keras.ops`."""
import keras
from keras import ops


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.second = keras.layers.Dense(hidden_units, activation="relu")
        self.first = keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = keras.layers.Dense(num_classes, activation="softmax")
        self.score_head = keras.layers.Dense(1)

    def call(self, inputs):
        h = ops.concatenate([inputs["features"], inputs["metadata"]], axis=-1)
        h = self.second(self.first(h))
        return {"label": self.label_head(h), "score": self.score_head(h)}
