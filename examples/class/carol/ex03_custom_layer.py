"""Correct, in another style: `import keras`, super(Cls, self), keras.ops, initializer objects,
the input size read from the last dimension in build(), an explicit super().build()."""
import keras
from keras import ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super(Linear, self).__init__(**kwargs)
        self.units = int(units)

    def build(self, input_shape):
        *_, input_dim = input_shape
        self.kernel = self.add_weight(name="w", shape=(input_dim, self.units),
                                      initializer=keras.initializers.RandomNormal(stddev=0.1))
        self.bias = self.add_weight(name="b", shape=(self.units,),
                                    initializer=keras.initializers.Zeros())
        super().build(input_shape)

    def call(self, inputs):
        return ops.add(ops.matmul(inputs, self.kernel), self.bias)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)


class LinearRegressor(keras.Model):
    def __init__(self, **kwargs):
        super(LinearRegressor, self).__init__(**kwargs)
        self.linear = Linear(units=1, name="linear")

    def predict_one(self, x):
        return self.linear(x)

    def call(self, inputs, training=None):
        return self.predict_one(inputs)
