"""Correct, in another style: module-level aliases (`Model = tf.keras.models.Model`,
`Dense = keras.layers.Dense`), the encoder and head made with `setattr` in a loop and given
their activation and name positionally / by keyword (`Dense(units, "relu", name=...)`)."""
import keras
import tensorflow as tf

Model = tf.keras.models.Model
Dense = keras.layers.Dense


class SiameseNet(Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        for attr, units, act in (("encoder", embedding_dim, "relu"), ("head", 1, "sigmoid")):
            setattr(self, attr, Dense(units, act, name=attr))

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        emb_a, emb_b = (self.embed(x) for x in inputs)
        return self.head(tf.abs(emb_a - emb_b))
