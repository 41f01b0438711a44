"""Correct, in another style: the named layers bound on `self` and also composed, with a ReLU
layer, into a `keras.Sequential` body built in `__init__`; the classifier a Dense without
activation followed by a separate `Softmax()` layer (the exercise only asks for a softmax output)."""
import tensorflow as tf


class RegularizedMLP(tf.keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(hidden_units)
        self.batch_norm = tf.keras.layers.BatchNormalization()
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.body = tf.keras.Sequential(
            [self.dense, self.batch_norm, tf.keras.layers.ReLU(), self.dropout], name="body")
        self.classifier = tf.keras.layers.Dense(num_classes)
        self.softmax = tf.keras.layers.Softmax()

    def call(self, inputs, training=None):
        return self.softmax(self.classifier(self.body(inputs, training=training)))
