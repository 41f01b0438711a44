"""Mistake: __init__ never calls super().__init__(), so Keras cannot track anything."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        self.concat = tf.keras.layers.Concatenate()
        self.shared = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.score_head = tf.keras.layers.Dense(1)

    def call(self, inputs):
        hidden = self.shared(self.concat([inputs["features"], inputs["metadata"]]))
        return {"label": self.label_head(hidden), "score": self.score_head(hidden)}
