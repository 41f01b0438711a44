"""Mistake: the layer sizes are fixed numbers instead of the constructor arguments."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(32, activation="relu")
        self.classifier = tf.keras.layers.Dense(3, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
