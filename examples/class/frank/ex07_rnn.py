"""Correct, in another style: a GRU with explicit keywords, tf.nn.softmax, `training` passed on."""
import tensorflow as tf


class TextClassifier(tf.keras.Model):
    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.rnn_units = vocab_size, rnn_units
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim, name="tokens")
        self.rnn = tf.keras.layers.GRU(rnn_units, return_sequences=False, return_state=False)
        self.classifier = tf.keras.layers.Dense(num_classes, activation=tf.nn.softmax)

    def call(self, inputs, training=False):
        vectors = self.embedding(inputs)
        summary = self.rnn(vectors, training=training)
        return self.classifier(summary)
