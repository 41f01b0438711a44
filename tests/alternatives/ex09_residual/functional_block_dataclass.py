"""Correct, in another style: each block wraps a functional `keras.Model(inputs, outputs)` built in
`__init__` from its two named Dense layers (units known there, so the graph can be drawn on a
`keras.Input`), a `@dataclass` for the net's settings, and `training=None` passed on."""
from dataclasses import dataclass

import keras
import tensorflow as tf


class ResidualBlock(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = keras.layers.Dense(units, activation="relu")
        self.dense2 = keras.layers.Dense(units)
        x = keras.Input(shape=(units,))
        y = keras.layers.ReLU()(keras.layers.Add()([x, self.dense2(self.dense1(x))]))
        self.graph = keras.Model(x, y, name="residual_graph")

    def call(self, x, training=None):
        return self.graph(x, training=training)


@dataclass(frozen=True)
class NetSettings:
    num_blocks: int = 2
    units: int = 16
    num_classes: int = 3


class ResidualNet(tf.keras.Model):
    def __init__(self, num_blocks=2, units=16, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.settings = NetSettings(num_blocks, units, num_classes)
        self.project = tf.keras.layers.Dense(self.settings.units)
        self.blocks = [ResidualBlock(self.settings.units) for _ in range(self.settings.num_blocks)]
        self.classifier = tf.keras.layers.Dense(self.settings.num_classes, activation="softmax")

    def call(self, inputs, training=None):
        h = self.project(inputs, training=training)
        for block in self.blocks:
            h = block(h, training=training)
        return self.classifier(h, training=training)
