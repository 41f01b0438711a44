"""Correct, in another style: the four named layers created by `setattr` in a loop and also kept in
a list for the forward pass, a `tf.Module` helper for the activation and the softmax, and a
`training` flag forwarded only to the layers that use it."""
import tensorflow as tf


class Activations(tf.Module):
    """Weightless helpers, grouped: the hidden non-linearity and the output softmax."""

    def hidden(self, x):
        return tf.nn.relu(x)

    def output(self, logits):
        return tf.nn.softmax(logits, axis=-1)


class RegularizedMLP(tf.keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        for attr, layer in [("dense", tf.keras.layers.Dense(hidden_units)),
                            ("batch_norm", tf.keras.layers.BatchNormalization()),
                            ("dropout", tf.keras.layers.Dropout(dropout_rate)),
                            ("classifier", tf.keras.layers.Dense(num_classes))]:
            setattr(self, attr, layer)
        self.pipeline = [self.dense, self.batch_norm, self.dropout, self.classifier]
        self.act = Activations(name="activations")

    def call(self, inputs, training=None):
        dense, batch_norm, dropout, classifier = self.pipeline
        h = self.act.hidden(batch_norm(dense(inputs), training=training))
        return self.act.output(classifier(dropout(h, training=training)))
