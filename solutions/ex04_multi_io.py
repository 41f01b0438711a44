"""Exercise 4 — several inputs and outputs (reference solution)."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    """Two named inputs, a shared hidden layer, two named outputs."""

    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.hidden_units = hidden_units
        self.shared = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.score_head = tf.keras.layers.Dense(1)

    def call(self, inputs):
        merged = tf.concat([inputs["features"], inputs["metadata"]], axis=-1)
        hidden = self.shared(merged)
        return {"label": self.label_head(hidden), "score": self.score_head(hidden)}
