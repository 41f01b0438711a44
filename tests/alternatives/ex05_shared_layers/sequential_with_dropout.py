"""Correct, in another style: the encoder is a Sequential with a Dropout between its Dense layers
(active in training only), `from tensorflow.keras import layers`, and the pair unpacked in embed's
caller through a helper method."""
import tensorflow as tf
from tensorflow.keras import layers


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.encoder = tf.keras.Sequential([
            layers.Dense(32, activation="tanh"),
            layers.Dropout(0.1),
            layers.Dense(embedding_dim, activation="relu"),
        ])
        self.head = layers.Dense(1, activation="sigmoid")

    def embed(self, x, training=False):
        return self.encoder(x, training=training)

    def _distance(self, a, b, training):
        return tf.abs(self.embed(a, training=training) - self.embed(b, training=training))

    def call(self, inputs, training=None):
        first, second = inputs
        return self.head(self._distance(first, second, training))
