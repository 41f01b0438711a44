"""Correct, in another style: the encoder is the learner's own layer (a `keras.layers.Layer`
subclass holding two Dense layers, with `get_config`), the contract's "one layer"; `tf.abs`."""
import keras
import tensorflow as tf


class Encoder(keras.layers.Layer):
    """Two Dense layers, the second of `units` units: the embedding."""

    def __init__(self, units, width=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.width = width
        self.hidden = keras.layers.Dense(width, activation="relu")
        self.project = keras.layers.Dense(units)

    def call(self, x):
        return self.project(self.hidden(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units, "width": self.width}


class SiameseNet(keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.encoder = Encoder(embedding_dim, name="encoder")
        self.head = keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        return self.head(tf.abs(self.embed(a) - self.embed(b)))
