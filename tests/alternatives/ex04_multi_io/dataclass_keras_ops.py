"""Correct, in another style: a `@dataclass` holding the sizes, `import keras` only with
keras.ops.concatenate for the merge (no `tf.*` call), type hints and docstrings."""
from dataclasses import dataclass

import keras
from keras import ops


@dataclass
class TaskSizes:
    num_classes: int = 4
    hidden_units: int = 32


class MultiTaskModel(keras.Model):
    """Features and metadata in, a class distribution and a score out."""

    def __init__(self, num_classes: int = 4, hidden_units: int = 32, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sizes = TaskSizes(num_classes=num_classes, hidden_units=hidden_units)
        self.trunk = keras.layers.Dense(self.sizes.hidden_units, activation="relu")
        self.label_out = keras.layers.Dense(self.sizes.num_classes, activation="softmax")
        self.score_out = keras.layers.Dense(1)

    def call(self, inputs: dict) -> dict:
        """{"features": (B, F), "metadata": (B, M)} -> {"label": (B, C), "score": (B, 1)}."""
        joined = ops.concatenate([ops.cast(inputs["features"], "float32"),
                                  ops.cast(inputs["metadata"], "float32")], axis=-1)
        hidden = self.trunk(joined)
        return {"label": self.label_out(hidden), "score": self.score_out(hidden)}
