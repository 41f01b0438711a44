"""Mistake: the layers are created inside call(), so they get new weights on every call."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes

    def call(self, inputs):
        self.hidden = tf.keras.layers.Dense(self.hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(self.num_classes, activation="softmax")
        return self.classifier(self.hidden(inputs))
