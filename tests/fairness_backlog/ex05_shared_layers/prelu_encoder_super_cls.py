"""A Sequential encoder whose hidden non-linearity is a learnable `PReLU` layer (a built-in
activation layer), `super(Cls, self).__init__(**kwargs)`, keras.ops for the distance, type hints."""
import keras
from keras import ops


class SiameseNet(keras.Model):
    def __init__(self, embedding_dim: int = 16, **kwargs) -> None:
        super(SiameseNet, self).__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.encoder = keras.Sequential([
            keras.layers.Dense(32),
            keras.layers.PReLU(),
            keras.layers.Dense(embedding_dim),
        ], name="encoder")
        self.head = keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        return self.head(ops.abs(self.embed(a) - self.embed(b)))
