"""Mistake: embed() creates a new Dense layer on each call instead of using the shared self.encoder."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.encoder = tf.keras.layers.Dense(embedding_dim)
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        encoder = tf.keras.layers.Dense(self.embedding_dim)
        return encoder(x)

    def call(self, inputs):
        a, b = inputs
        return self.head(tf.abs(self.embed(a) - self.embed(b)))
