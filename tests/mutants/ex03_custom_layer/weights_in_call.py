"""Mistake: the weights are created in call(), so every call makes new ones."""
import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    """y = x @ kernel + bias, with weights created in build() once the input size is known."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        self.kernel = self.add_weight(shape=(inputs.shape[-1], self.units),
                                      initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        return tf.matmul(inputs, self.kernel) + self.bias


class LinearRegressor(tf.keras.Model):
    """A linear regression model made of one Linear layer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = Linear(1)

    def call(self, inputs):
        return self.linear(inputs)
