"""Correct, in another style: `import keras` only, the regressor's build() builds its layer by
calling it on a `keras.Input` probe of the input's feature size, keras.ops.matmul in the layer."""
import keras
from keras import ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.kernel) + self.bias


class LinearRegressor(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = Linear(1)

    def build(self, input_shape):
        probe = keras.Input(shape=tuple(input_shape[1:]))
        self.linear(probe)  # builds the layer's kernel and bias from the feature size

    def call(self, inputs):
        return self.linear(inputs)
