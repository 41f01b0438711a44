"""Correct, in another style: a Concatenate layer, a Sequential trunk of two hidden layers, the
softmax applied in call() with tf.nn.softmax, and the outputs' dict built in another order."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.join = tf.keras.layers.Concatenate(axis=-1)
        self.trunk = tf.keras.Sequential([
            tf.keras.layers.Dense(hidden_units, activation="relu"),
            tf.keras.layers.Dense(hidden_units, activation="relu"),
        ])
        self.to_logits = tf.keras.layers.Dense(num_classes)
        self.to_score = tf.keras.layers.Dense(1)

    def call(self, inputs):
        hidden = self.trunk(self.join([inputs["features"], inputs["metadata"]]))
        return {"score": self.to_score(hidden), "label": tf.nn.softmax(self.to_logits(hidden))}
