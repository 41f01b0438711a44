"""Mistake: the recurrent layer is created inside call(), so it gets new weights on every call."""
import tensorflow as tf


class TextClassifier(tf.keras.Model):
    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.rnn_units = rnn_units
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        x = self.embedding(inputs)
        self.rnn = tf.keras.layers.LSTM(self.rnn_units)
        return self.classifier(self.rnn(x))
