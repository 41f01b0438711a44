"""Correct, in another style: a build() of the model's own that receives the pair of input
shapes and builds the encoder once from the first (`input_shape[0]`) and the head from
embedding_dim, `compute_output_shape`, `super(Cls, self).__init__(**kwargs)`, the
registration decorator and a get_config."""
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="siamese_alt")
class SiameseNet(tf.keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super(SiameseNet, self).__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.encoder = tf.keras.layers.Dense(embedding_dim, activation="tanh")
        self.head = tf.keras.layers.Dense(1, activation="sigmoid")

    def build(self, input_shape):
        first_shape, _ = input_shape
        self.encoder.build(tuple(first_shape))
        self.head.build((None, self.embedding_dim))

    def embed(self, x):
        return self.encoder(x)

    def call(self, inputs):
        a, b = inputs[0], inputs[1]
        return self.head(tf.abs(self.embed(a) - self.embed(b)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)

    def get_config(self):
        return {**super().get_config(), "embedding_dim": self.embedding_dim}
