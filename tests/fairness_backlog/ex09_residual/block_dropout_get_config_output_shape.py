"""A Dropout between the block's two Dense layers (identity at inference, so the block still
computes relu(x + dense2(dense1(x)))), `get_config` and `compute_output_shape` on the block,
`super(Cls, self)`, tf.nn.relu, the net's blocks appended in a loop."""
import tensorflow as tf


class ResidualBlock(tf.keras.layers.Layer):
    def __init__(self, units, dropout_rate=0.1, **kwargs):
        super(ResidualBlock, self).__init__(**kwargs)
        self.units = units
        self.dropout_rate = dropout_rate
        self.dense1 = tf.keras.layers.Dense(units, activation="relu")
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.dense2 = tf.keras.layers.Dense(units)

    def call(self, x, training=None):
        f = self.dense2(self.dropout(self.dense1(x), training=training))
        return tf.nn.relu(x + f)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "units": self.units, "dropout_rate": self.dropout_rate}


class ResidualNet(tf.keras.Model):
    def __init__(self, num_blocks=2, units=16, num_classes=3, **kwargs):
        super(ResidualNet, self).__init__(**kwargs)
        self.project = tf.keras.layers.Dense(units)
        self.blocks = []
        for _ in range(num_blocks):
            self.blocks.append(ResidualBlock(units))
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        h = self.project(inputs)
        for block in self.blocks:
            h = block(h, training=training)
        return self.classifier(h)
