"""Correct, in another style: a Sequential encoder with a BatchNormalization layer between its
Dense layers (the curriculum lists BatchNorm among the built-in layers a model may use),
`training` forwarded through embed()."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.encoder = tf.keras.Sequential([
            tf.keras.layers.Dense(32, activation="relu"),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Dense(embedding_dim),
        ])
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x, training=None):
        return self.encoder(x, training=training)

    def call(self, inputs, training=None):
        a, b = inputs
        return self.head(tf.abs(self.embed(a, training=training) - self.embed(b, training=training)))
