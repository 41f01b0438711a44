"""Correct, in another style: `@tf.function(reduce_retracing=True)` on call(), the pair unpacked
into two names, tf.math.abs and tf.math.subtract, type hints."""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim: int = 16, **kwargs) -> None:
        super().__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.encoder = tf.keras.layers.Dense(embedding_dim, activation="relu")
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x: tf.Tensor) -> tf.Tensor:
        return self.encoder(x)

    @tf.function(reduce_retracing=True)
    def call(self, inputs) -> tf.Tensor:
        left, right = inputs
        return self.head(tf.math.abs(tf.math.subtract(self.embed(left), self.embed(right))))
