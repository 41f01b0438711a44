"""Mistake: build() creates a Dense layer and borrows its weights instead of calling add_weight."""
import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    """y = x @ kernel + bias, with weights created in build() once the input size is known."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.dense = tf.keras.layers.Dense(self.units)
        self.dense.build(input_shape)
        self.kernel = self.dense.kernel
        self.bias = self.dense.bias

    def call(self, inputs):
        return self.dense(inputs)


class LinearRegressor(tf.keras.Model):
    """A linear regression model made of one Linear layer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = Linear(1)

    def call(self, inputs):
        return self.linear(inputs)
