"""Exercise 7 — embeddings and recurrence (reference solution)."""
import tensorflow as tf


class TextClassifier(tf.keras.Model):
    """Embedding -> LSTM (last state only) -> Dense(softmax)."""

    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.rnn = tf.keras.layers.LSTM(rnn_units)
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        x = self.embedding(inputs)
        x = self.rnn(x)
        return self.classifier(x)
