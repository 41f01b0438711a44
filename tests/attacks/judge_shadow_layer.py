"""Hostile: self.hidden and self.classifier are the Dense layers the contract names (each computes
what it should when the grader calls it alone), but call() answers with a shadow layer of its own,
which training fits: the model learns, without the two layers the exercise is about."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.shadow = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        self.classifier(self.hidden(inputs))  # built, and its weights follow, but not the answer
        return self.shadow(inputs)
