"""Correct, in another style: a `@dataclass` for the hyper-parameters, `import keras` and keras.ops
only (no `tf.*`), `keras.ops.relu` between BatchNormalization and Dropout, and `training=None`
passed on explicitly to every sublayer."""
from dataclasses import dataclass

import keras
from keras import ops


@dataclass
class MLPConfig:
    hidden_units: int = 64
    num_classes: int = 3
    dropout_rate: float = 0.5


class RegularizedMLP(keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.config_ = MLPConfig(hidden_units, num_classes, dropout_rate)
        self.dense = keras.layers.Dense(self.config_.hidden_units)
        self.batch_norm = keras.layers.BatchNormalization()
        self.dropout = keras.layers.Dropout(self.config_.dropout_rate)
        self.classifier = keras.layers.Dense(self.config_.num_classes, activation="softmax")

    def call(self, inputs, training=None):
        h = self.dense(inputs, training=training)
        h = self.batch_norm(h, training=training)
        h = ops.relu(h)
        h = self.dropout(h, training=training)
        return self.classifier(h, training=training)
