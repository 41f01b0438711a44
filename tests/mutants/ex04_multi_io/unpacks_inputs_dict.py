"""Mistake: call() unpacks its dict of inputs as a pair (`features, metadata = inputs`), which
gives the dict's keys, the strings "features" and "metadata", instead of the two arrays."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.concat = tf.keras.layers.Concatenate()
        self.shared = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.score_head = tf.keras.layers.Dense(1)

    def call(self, inputs):
        features, metadata = inputs
        hidden = self.shared(self.concat([features, metadata]))
        return {"label": self.label_head(hidden), "score": self.score_head(hidden)}
