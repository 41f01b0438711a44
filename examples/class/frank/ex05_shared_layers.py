"""Correct, in another style: a deeper Sequential encoder, a weightless Subtract layer bound on
self, tf.math.abs, and the embeddings of the whole pair computed in one batch."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.encoder = tf.keras.Sequential(
            [tf.keras.layers.Dense(24, activation="relu"),
             tf.keras.layers.Dense(24, activation="relu"),
             tf.keras.layers.Dense(embedding_dim)],
            name="encoder",
        )
        self.subtract = tf.keras.layers.Subtract()
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        both = self.embed(tf.concat([a, b], axis=0))
        emb_a, emb_b = tf.split(both, 2, axis=0)
        return self.head(tf.math.abs(self.subtract([emb_a, emb_b])))
