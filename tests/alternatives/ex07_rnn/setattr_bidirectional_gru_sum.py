"""Correct, in another style: a module-level alias `Model = tf.keras.models.Model`,
`super(Cls, self).__init__(**kwargs)`, the three layers created by `setattr` in a loop,
`Bidirectional(GRU(rnn_units), merge_mode="sum")`, and `name=` given to each layer."""
import tensorflow as tf

Model = tf.keras.models.Model
L = tf.keras.layers


class TextClassifier(Model):
    LAYER_NAMES = ("embedding", "rnn", "classifier")

    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        super(TextClassifier, self).__init__(**kwargs)
        made = (
            L.Embedding(vocab_size, embedding_dim, name="embedding"),
            L.Bidirectional(L.GRU(rnn_units), merge_mode="sum", name="rnn"),
            L.Dense(num_classes, activation="softmax", name="classifier"),
        )
        for attr, layer in zip(self.LAYER_NAMES, made):
            setattr(self, attr, layer)

    def call(self, inputs):
        x = inputs
        for attr in self.LAYER_NAMES:
            x = getattr(self, attr)(x)
        return x
