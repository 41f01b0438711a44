"""Correct, in another style: type hints, a class-level annotation `blocks: list[ResidualBlock]`
and a class-level default `num_blocks: int = 2` (the list itself is made in __init__)."""
import tensorflow as tf


class ResidualBlock(tf.keras.layers.Layer):
    """relu(x + dense2(dense1(x))): two Dense layers and a skip connection."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = tf.keras.layers.Dense(units, activation="relu")
        self.dense2 = tf.keras.layers.Dense(units)

    def call(self, x):
        return tf.nn.relu(x + self.dense2(self.dense1(x)))


class ResidualNet(tf.keras.Model):
    """Dense projection -> num_blocks ResidualBlocks -> Dense(softmax)."""

    blocks: list[ResidualBlock]
    num_blocks: int = 2

    def __init__(self, num_blocks=2, units=16, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.project = tf.keras.layers.Dense(units)
        self.blocks: list[ResidualBlock] = [ResidualBlock(units) for _ in range(num_blocks)]
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        x = self.project(inputs)
        for block in self.blocks:
            x = block(x)
        return self.classifier(x)
