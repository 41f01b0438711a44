"""Writes a huge line and a deeply nested JSON line on every inherited file descriptor."""
import os
nested = ("[" * 200000 + "]" * 200000 + "\n").encode()
huge = ("{\"check\": \"" + "x" * (8 * 1024 * 1024) + "\"}\n").encode()
for fd in range(0, 64):
    for data in (nested, huge):
        try:
            os.write(fd, data)
        except OSError:
            pass
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
