"""Correct, in another style: `import keras` and keras.ops only (no `tf.*`), `mask_zero=True` on
the Embedding (id 0 treated as padding, the mask passed on to the LSTM by Keras), the ids cast
with keras.ops, and the classifier's softmax as `keras.ops.softmax`."""
import keras
from keras import ops


class TextClassifier(keras.Model):
    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True)
        self.rnn = keras.layers.LSTM(rnn_units)
        self.classifier = keras.layers.Dense(num_classes, activation=ops.softmax)

    def call(self, inputs, training=None):
        ids = ops.cast(inputs, "int32")
        vectors = self.embedding(ids)
        summary = self.rnn(vectors, training=training)
        return self.classifier(summary)
