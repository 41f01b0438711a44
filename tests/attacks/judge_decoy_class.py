"""Hostile: the real model uses self before super() and forwards only name=; a correct class
statement under `if False:` is there for a grader that reads any class statement of the file."""
import tensorflow as tf


class RealMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, name=None):
        self.units = hidden_units
        super().__init__(name=name)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))


if False:
    class SimpleMLP(tf.keras.Model):
        def __init__(self, hidden_units=32, num_classes=3, **kwargs):
            super().__init__(**kwargs)

SimpleMLP = RealMLP
