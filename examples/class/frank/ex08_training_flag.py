"""Correct, in another style: tf.keras, a Dense without bias before BatchNormalization, a ReLU
layer of its own, and dropout only on a truthy `training` branch."""
import tensorflow as tf


class RegularizedMLP(tf.keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.dense = tf.keras.layers.Dense(hidden_units, use_bias=False)
        self.batch_norm = tf.keras.layers.BatchNormalization()
        self.relu = tf.keras.layers.ReLU()
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.classifier = tf.keras.layers.Dense(num_classes, activation=tf.nn.softmax)

    def call(self, inputs, training=None):
        x = self.relu(self.batch_norm(self.dense(inputs), training=training))
        if training:
            x = self.dropout(x, training=True)
        return self.classifier(x)
