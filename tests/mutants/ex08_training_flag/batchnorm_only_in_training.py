"""Mistake: BatchNormalization applied only under `if training:`, so inference skips it (and never
uses the moving statistics it learned)."""
import tensorflow as tf


class RegularizedMLP(tf.keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(hidden_units)
        self.batch_norm = tf.keras.layers.BatchNormalization()
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        h = self.dense(inputs)
        if training:
            h = self.batch_norm(h, training=True)
        h = tf.nn.relu(h)
        h = self.dropout(h, training=training)
        return self.classifier(h)
