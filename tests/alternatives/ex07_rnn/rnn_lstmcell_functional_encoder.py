"""Correct, in another style: the recurrent layer written as `keras.layers.RNN(LSTMCell(units))`
(an LSTM), and a functional encoder `keras.Model(ids, rnn(embedding(ids)))` built in `__init__`
from the named layers (which stay bound on `self`) and called from call()."""
import tensorflow as tf
import keras


class TextClassifier(tf.keras.Model):
    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim)
        self.rnn = keras.layers.RNN(keras.layers.LSTMCell(rnn_units))
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")
        ids = keras.Input(shape=(None,), dtype="int32")
        self.encoder = keras.Model(ids, self.rnn(self.embedding(ids)), name="encoder")

    def call(self, inputs, training=None):
        return self.classifier(self.encoder(inputs, training=training))
