"""Correct, in another style: the encoder is the learner's own layer whose Dense layers are created in
another order than call() applies them (the projection first), and a ReLU applied with `tf.nn.relu`
in its call() rather than as an activation."""
import keras
import tensorflow as tf


class Encoder(keras.layers.Layer):
    def __init__(self, units, width=32, **kwargs):
        super().__init__(**kwargs)
        self.units, self.width = units, width
        self.project = keras.layers.Dense(units)
        self.hidden = keras.layers.Dense(width)

    def call(self, x):
        return self.project(tf.nn.relu(self.hidden(x)))


class SiameseNet(keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.encoder = Encoder(embedding_dim, name="encoder")
        self.head = keras.layers.Dense(1, activation="sigmoid")

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs
        return self.head(tf.abs(self.embed(a) - self.embed(b)))
