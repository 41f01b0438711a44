"""Hostile: a correct class statement for the source checks, whose `__init__` is swapped after it
for one that uses self before the parent constructor and forwards only name=."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))


def _init(self, hidden_units=32, num_classes=3, name=None):
    self.units = hidden_units
    tf.keras.Model.__init__(self, name=name)
    self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
    self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")


setattr(SimpleMLP, "__init__", _init)
