"""Correct, in another style: a `@dataclass` describing each weight (attribute, shape rule,
initializer) and the weights made with `setattr` in a loop in build(), `super(Cls, self)`."""
from dataclasses import dataclass

import tensorflow as tf


@dataclass(frozen=True)
class WeightSpec:
    attr: str
    initializer: str
    with_input_dim: bool


SPECS = (WeightSpec("kernel", "glorot_uniform", True), WeightSpec("bias", "zeros", False))


class Linear(tf.keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super(Linear, self).__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        for spec in SPECS:
            shape = (input_dim, self.units) if spec.with_input_dim else (self.units,)
            setattr(self, spec.attr, self.add_weight(shape=shape, initializer=spec.initializer,
                                                     name=spec.attr))

    def call(self, inputs):
        return inputs @ self.kernel + self.bias


class LinearRegressor(tf.keras.Model):
    def __init__(self, **kwargs):
        super(LinearRegressor, self).__init__(**kwargs)
        self.linear = Linear(1)

    def call(self, inputs):
        return self.linear(inputs)
