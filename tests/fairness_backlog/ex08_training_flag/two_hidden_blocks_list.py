"""The named layers plus a second hidden block (Dense, BatchNormalization, Dropout) the contract
lets a learner add, the blocks kept in a list of tuples built by a helper method, ReLU layers."""
import tensorflow as tf


class RegularizedMLP(tf.keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(hidden_units)
        self.batch_norm = tf.keras.layers.BatchNormalization()
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.dense2, self.batch_norm2, self.dropout2 = self._block(hidden_units // 2 or 1, dropout_rate)
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.blocks = [(self.dense, self.batch_norm, self.dropout),
                       (self.dense2, self.batch_norm2, self.dropout2)]

    @staticmethod
    def _block(units, rate):
        return (tf.keras.layers.Dense(units), tf.keras.layers.BatchNormalization(),
                tf.keras.layers.Dropout(rate))

    def call(self, inputs, training=None):
        h = inputs
        for dense, norm, drop in self.blocks:
            h = tf.nn.relu(norm(dense(h), training=training))
            h = drop(h, training=training)
        return self.classifier(h)
