"""Correct, in another style: tf.concat instead of a Concatenate layer, a Sequential trunk of
two hidden layers, and the softmax applied in call() with tf.nn.softmax."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.trunk = tf.keras.Sequential([
            tf.keras.layers.Dense(hidden_units, activation="relu"),
            tf.keras.layers.Dense(hidden_units, activation="relu"),
        ])
        self.to_logits = tf.keras.layers.Dense(num_classes)
        self.to_score = tf.keras.layers.Dense(1)

    def call(self, inputs):
        joined = tf.concat([inputs["features"], inputs["metadata"]], axis=-1)
        hidden = self.trunk(joined)
        return {"score": self.to_score(hidden), "label": tf.nn.softmax(self.to_logits(hidden))}
