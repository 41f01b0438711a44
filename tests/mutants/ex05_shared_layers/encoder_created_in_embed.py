"""Mistake: the encoder is created (and bound on self) inside embed(), "lazily", instead of once in
__init__: each call of embed() makes a new encoder, so the two inputs get different weights."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        self.encoder = tf.keras.layers.Dense(self.embedding_dim, activation="relu")
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        return self.head(tf.abs(self.embed(a) - self.embed(b)))
