"""Correct, in another style: `import keras`, super(Cls, self), an Add layer and keras.ops in
the block, blocks named and built with a loop that appends to a list bound on self, and a
softmax applied in call()."""
import keras
from keras import layers, ops


class ResidualBlock(layers.Layer):
    def __init__(self, units, **kwargs):
        super(ResidualBlock, self).__init__(**kwargs)
        self.units = units
        self.dense1 = layers.Dense(units=units, activation=keras.activations.relu)
        self.dense2 = layers.Dense(units=units, activation=None)
        self.add = layers.Add()

    def call(self, x):
        return ops.relu(self.add([x, self.dense2(self.dense1(x))]))


class ResidualNet(keras.Model):
    def __init__(self, num_blocks=2, units=16, num_classes=3, **kwargs):
        super(ResidualNet, self).__init__(**kwargs)
        self.project = layers.Dense(units)
        self.blocks = []
        for i in range(num_blocks):
            self.blocks.append(ResidualBlock(units, name=f"block_{i}"))
        self.classifier = layers.Dense(num_classes)

    def call(self, inputs):
        h = self.project(inputs)
        for block in self.blocks:
            h = block(h)
        return ops.softmax(self.classifier(h), axis=-1)
