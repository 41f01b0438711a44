"""Kills its own process with a real-time signal (40), which has no name in Python's signal.Signals."""
import os
os.kill(os.getpid(), 40)
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
