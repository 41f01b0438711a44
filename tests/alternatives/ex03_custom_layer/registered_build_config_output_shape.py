"""Correct, in another style: both classes registered with `keras.saving.register_keras_serializable`,
a get_config on the layer, `compute_output_shape`, `get_build_config`/`build_from_config`, and
`add_weight` given its shape and initializer positionally (Keras 3 accepts those two)."""
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="ex03_alt")
class Linear(tf.keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self._in_dim = None

    def build(self, input_shape):
        self._in_dim = int(input_shape[-1])
        self.kernel = self.add_weight((self._in_dim, self.units), "glorot_uniform", name="kernel")
        self.bias = self.add_weight((self.units,), "zeros", name="bias")

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.bias

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_build_config(self):
        return {"input_dim": self._in_dim}

    def build_from_config(self, config):
        if config.get("input_dim") is not None:
            self.build((None, config["input_dim"]))

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


@keras.saving.register_keras_serializable(package="ex03_alt")
class LinearRegressor(tf.keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = Linear(units=1, name="linear")

    def call(self, inputs):
        return self.linear(inputs)

    def compute_output_shape(self, input_shape):
        return self.linear.compute_output_shape(input_shape)
