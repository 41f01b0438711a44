"""A deeper encoder (four Dense + LayerNormalization blocks, then the Dense(embedding_dim)
projection) assembled into a Sequential from a loop, tf.keras, tf.math.abs."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    WIDTHS = (64, 64, 32, 32)

    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        stack = []
        for width in self.WIDTHS:
            stack.append(tf.keras.layers.Dense(width, activation="relu"))
            stack.append(tf.keras.layers.LayerNormalization())
        stack.append(tf.keras.layers.Dense(embedding_dim))
        self.encoder = tf.keras.Sequential(stack)
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        left, right = inputs
        return self.head(tf.math.abs(self.embed(left) - self.embed(right)))
