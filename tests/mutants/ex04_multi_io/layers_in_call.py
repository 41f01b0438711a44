"""Mistake: Functional-API habits in call(): the layers are created there, with new weights each call."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.hidden_units = hidden_units

    def call(self, inputs):
        merged = tf.keras.layers.Concatenate()([inputs["features"], inputs["metadata"]])
        hidden = tf.keras.layers.Dense(self.hidden_units, activation="relu")(merged)
        label = tf.keras.layers.Dense(self.num_classes, activation="softmax")(hidden)
        score = tf.keras.layers.Dense(1)(hidden)
        return {"label": label, "score": score}
