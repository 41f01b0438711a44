"""Correct, in another style: `@tf.function(reduce_retracing=True)` on the regressor's call(),
type hints and docstrings, `tf.nn.bias_add`, the input size taken from the TensorShape."""
import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    """A dense layer without activation, written by hand."""

    def __init__(self, units: int = 32, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units: int = units

    def build(self, input_shape: tf.TensorShape) -> None:
        """Create the kernel (input_dim, units) and a zero bias (units,)."""
        input_dim: int = tf.TensorShape(input_shape)[-1]
        self.kernel = self.add_weight(shape=(input_dim, self.units),
                                      initializer=tf.keras.initializers.RandomUniform(-0.1, 0.1),
                                      name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer=tf.keras.initializers.Zeros(),
                                    name="bias")

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        """inputs @ kernel + bias."""
        return tf.nn.bias_add(tf.matmul(inputs, self.kernel), self.bias)


class LinearRegressor(tf.keras.Model):
    """Linear regression: one Linear(1)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.linear: Linear = Linear(1)

    @tf.function(reduce_retracing=True)
    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return self.linear(inputs)
