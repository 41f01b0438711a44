"""Mistake: the encoder is created inside call(), so it is re-created (new weights) on every call."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        self.encoder = tf.keras.layers.Dense(self.embedding_dim)
        return self.head(tf.abs(self.embed(a) - self.embed(b)))
