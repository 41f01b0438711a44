"""Correct, in another style: a `@dataclass` holding the settings, the two layers created with
`setattr` in a loop over (attribute, units, activation), `compute_output_shape` defined."""
from dataclasses import dataclass

import tensorflow as tf


@dataclass(frozen=True)
class MLPSettings:
    hidden_units: int = 32
    num_classes: int = 3

    def layer_specs(self):
        return (("hidden", self.hidden_units, "relu"),
                ("classifier", self.num_classes, "softmax"))


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.settings = MLPSettings(hidden_units, num_classes)
        for attr, units, act in self.settings.layer_specs():
            setattr(self, attr, tf.keras.layers.Dense(units, activation=act))

    def call(self, inputs):
        x = inputs
        for attr, _, _ in self.settings.layer_specs():
            x = getattr(self, attr)(x)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.settings.num_classes,)
