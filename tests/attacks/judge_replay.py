"""Hostile: replays the first answer it gave for every later input of the same batch size,
hoping that the grader compares an output with one it has seen before."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.seen = {}

    def call(self, inputs):
        out = self.classifier(self.hidden(inputs))
        if not tf.executing_eagerly():
            return out
        key = tuple(inputs.shape)
        if key in self.seen:
            return self.seen[key]
        self.seen[key] = out
        return out
