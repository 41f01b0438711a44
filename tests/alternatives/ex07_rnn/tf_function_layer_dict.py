"""Correct, in another style: `@tf.function(reduce_retracing=True)` on call(), the named layers also
kept in a dict, a `build()` that builds the layers from a `keras.Input` probe, and
`compute_output_shape`."""
import tensorflow as tf


class TextClassifier(tf.keras.Model):
    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.rnn = tf.keras.layers.LSTM(rnn_units, return_sequences=False)
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.by_role = {"embed": self.embedding, "encode": self.rnn, "classify": self.classifier}

    def build(self, input_shape):
        probe = tf.keras.Input(shape=(None,), dtype="int32")
        h = self.by_role["encode"](self.by_role["embed"](probe))
        self.by_role["classify"](h)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)

    @tf.function(reduce_retracing=True)
    def call(self, inputs, training=None):
        h = self.by_role["embed"](inputs)
        h = self.by_role["encode"](h, training=training)
        return self.by_role["classify"](h)
