"""Correct, in another style: `import keras`, super(Cls, self), Bidirectional(LSTM), a helper method."""
import keras
from keras import layers


class TextClassifier(keras.Model):
    """Embedding -> Bidirectional LSTM -> softmax."""

    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super(TextClassifier, self).__init__(**kwargs)
        self.embedding = layers.Embedding(input_dim=vocab_size, output_dim=embedding_dim)
        self.rnn = layers.Bidirectional(layers.LSTM(units=rnn_units))
        self.classifier = layers.Dense(units=num_classes, activation=keras.activations.softmax)

    def encode(self, token_ids):
        return self.rnn(self.embedding(token_ids))

    def call(self, inputs, training=None):
        return self.classifier(self.encode(inputs))
