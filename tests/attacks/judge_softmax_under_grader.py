"""Hostile: a classifier without softmax that applies one only when kerasgrade is loaded,
so that a grader that looks only at the output's rows would be fooled."""
import sys

import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes)

    def call(self, inputs):
        out = self.classifier(self.hidden(inputs))
        if any(name.startswith("kerasgrade") for name in sys.modules):
            out = tf.nn.softmax(out)
        return out
