"""Mistake: the layers are created inside call(), so weights and moving statistics restart on every call."""
import tensorflow as tf


class RegularizedMLP(tf.keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate

    def call(self, inputs, training=None):
        self.dense = tf.keras.layers.Dense(self.hidden_units)
        self.batch_norm = tf.keras.layers.BatchNormalization()
        self.dropout = tf.keras.layers.Dropout(self.dropout_rate)
        self.classifier = tf.keras.layers.Dense(self.num_classes, activation="softmax")
        h = self.dense(inputs)
        h = self.batch_norm(h, training=training)
        h = tf.nn.relu(h)
        h = self.dropout(h, training=training)
        return self.classifier(h)
