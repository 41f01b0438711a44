"""`from tensorflow import keras`, an extra hidden Dense (`self.compare`) between the distance
|embed(a) - embed(b)| and the sigmoid head (the contract lets a learner add a hidden Dense),
layers created in a helper method called from __init__."""
import tensorflow as tf
from tensorflow import keras


class SiameseNet(keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self._make_layers()

    def _make_layers(self):
        self.encoder = keras.Sequential([
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(self.embedding_dim),
        ])
        self.compare = keras.layers.Dense(8, activation="relu")
        self.head = keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        distance = tf.abs(self.embed(a) - self.embed(b))
        return self.head(self.compare(distance))
