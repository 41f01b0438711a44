"""Correct, in another style: a `@dataclass` holding the encoder's settings, `import keras`
only with keras.ops (no `tf.*` call), a two-layer Sequential encoder, docstrings."""
from dataclasses import dataclass

import keras
from keras import ops


@dataclass(frozen=True)
class EncoderSettings:
    embedding_dim: int = 16
    width: int = 32
    activation: str = "relu"


class SiameseNet(keras.Model):
    """Same encoder on both inputs; the head reads |E(a) - E(b)|."""

    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.settings = EncoderSettings(embedding_dim=embedding_dim)
        self.encoder = keras.Sequential([
            keras.layers.Dense(self.settings.width, activation=self.settings.activation),
            keras.layers.Dense(self.settings.embedding_dim),
        ], name="encoder")
        self.head = keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        """(B, F) -> (B, embedding_dim)."""
        return self.encoder(ops.convert_to_tensor(x, dtype="float32"))

    def call(self, inputs):
        a, b = inputs
        return self.head(ops.absolute(self.embed(a) - self.embed(b)))
