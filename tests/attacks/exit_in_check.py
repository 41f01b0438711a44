"""A correct model whose call() ends the process with os._exit(0) after its first calls."""
import os
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    calls = 0

    def call(self, inputs):
        SimpleMLP.calls += 1
        if SimpleMLP.calls > 3:
            os._exit(0)
        return self.classifier(self.hidden(inputs))
