"""Mistake: the weights are created in __init__ for a fixed input size (input_dim=32),
as in an old tutorial, instead of in build() from the input's shape."""
import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    """y = x @ kernel + bias, with weights created in build() once the input size is known."""

    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel = self.add_weight(shape=(input_dim, units), initializer="glorot_uniform",
                                      trainable=True, name="kernel")
        self.bias = self.add_weight(shape=(units,), initializer="zeros", trainable=True, name="bias")

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.bias


class LinearRegressor(tf.keras.Model):
    """A linear regression model made of one Linear layer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = Linear(1)

    def call(self, inputs):
        return self.linear(inputs)
