"""Correct, in another style: `import keras` and keras.ops only (no `tf.*`), the block's two Dense
layers created in `build()` (the contract allows `__init__` or `build`), `compute_output_shape`
and `get_build_config` on the block, and the net's blocks created by `setattr` in a loop and
gathered in the list `self.blocks`."""
import keras
from keras import ops


class ResidualBlock(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.input_width = None

    def build(self, input_shape):
        self.input_width = int(input_shape[-1])
        self.dense1 = keras.layers.Dense(self.units, activation="relu")
        self.dense2 = keras.layers.Dense(self.units)
        self.dense1.build(input_shape)
        self.dense2.build(tuple(input_shape[:-1]) + (self.units,))

    def get_build_config(self):
        return {"input_shape": (None, self.input_width)}

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, x):
        return ops.relu(ops.add(x, self.dense2(self.dense1(x))))


class ResidualNet(keras.Model):
    def __init__(self, num_blocks=2, units=16, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.project = keras.layers.Dense(units)
        for i in range(num_blocks):
            setattr(self, f"block_{i}", ResidualBlock(units, name=f"residual_{i}"))
        self.blocks = [getattr(self, f"block_{i}") for i in range(num_blocks)]
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        h = self.project(inputs)
        for block in self.blocks:
            h = block(h)
        return self.classifier(h)
