"""Correct, in another style: the distance in a stateless `tf.Module` helper, the Sequential
encoder built in build() by calling it on a `keras.Input` probe of the feature size, a
LayerNormalization inside the encoder before its last Dense."""
import keras
import tensorflow as tf


class AbsDistance(tf.Module):
    """|u - v|, element-wise; symmetric in its two arguments."""

    def __call__(self, u, v):
        return tf.abs(u - v)


class SiameseNet(keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.encoder = keras.Sequential([
            keras.layers.Dense(32, activation="relu"),
            keras.layers.LayerNormalization(),
            keras.layers.Dense(embedding_dim),
        ])
        self.distance = AbsDistance(name="abs_distance")
        self.head = keras.layers.Dense(1, activation="sigmoid")

    def build(self, input_shape):
        probe = keras.Input(shape=tuple(input_shape[0][1:]))
        self.head(self.encoder(probe))  # both layers built from the feature size

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        return self.head(self.distance(self.embed(a), self.embed(b)))
