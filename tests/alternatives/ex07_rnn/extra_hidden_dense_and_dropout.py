"""Correct, in another style: a Dropout and an extra hidden Dense between the LSTM and the classifier
(the contract allows extra layers), `training` passed on."""
import tensorflow as tf


class TextClassifier(tf.keras.Model):
    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.rnn = tf.keras.layers.LSTM(rnn_units)
        self.dropout = tf.keras.layers.Dropout(0.1)
        self.hidden = tf.keras.layers.Dense(32, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        summary = self.rnn(self.embedding(inputs))
        summary = self.dropout(summary, training=training)
        return self.classifier(self.hidden(summary))
