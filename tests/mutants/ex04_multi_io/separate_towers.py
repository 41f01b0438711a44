"""Mistake: two unconnected towers (label from the features only, score from the metadata only)."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.label_hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.score_hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.score_head = tf.keras.layers.Dense(1)

    def call(self, inputs):
        label = self.label_head(self.label_hidden(inputs["features"]))
        score = self.score_head(self.score_hidden(inputs["metadata"]))
        return {"label": label, "score": score}
