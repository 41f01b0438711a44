"""Mistake: call() compares the raw inputs and never uses the encoder (embed() is written but unused)."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.encoder = tf.keras.layers.Dense(embedding_dim)
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        return self.head(tf.abs(a - b))
