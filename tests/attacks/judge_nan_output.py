"""Hostile: a model whose output is all NaN (it ignores its weights): NaN is never equal to NaN,
so a proof that only asks "did the output change?" would be fooled."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs)) * 0.0 + float("nan")
