"""Exercise 5 — one layer, used twice (reference solution)."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    """Embeds both inputs with the same encoder and compares the embeddings."""

    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.encoder = tf.keras.layers.Dense(embedding_dim, activation="relu")
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        distance = tf.abs(self.embed(a) - self.embed(b))
        return self.head(distance)
