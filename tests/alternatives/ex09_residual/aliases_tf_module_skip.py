"""Correct, in another style: module-level aliases (`Layer = tf.keras.layers.Layer`,
`Model = tf.keras.models.Model`), `super(Cls, self).__init__(**kwargs)`, a weightless
`tf.Module` helper for the skip connection, and `@tf.function(reduce_retracing=True)` on the
net's call()."""
import tensorflow as tf

Layer = tf.keras.layers.Layer
Model = tf.keras.models.Model


class Skip(tf.Module):
    """relu(x + branch): the residual sum, kept apart from the layers."""

    def __call__(self, x, branch):
        return tf.nn.relu(tf.add(x, branch))


class ResidualBlock(Layer):
    def __init__(self, units, **kwargs):
        super(ResidualBlock, self).__init__(**kwargs)
        self.dense1 = tf.keras.layers.Dense(units, activation="relu")
        self.dense2 = tf.keras.layers.Dense(units)
        self.skip = Skip(name="skip")

    def call(self, x):
        return self.skip(x, self.dense2(self.dense1(x)))


class ResidualNet(Model):
    def __init__(self, num_blocks=2, units=16, num_classes=3, **kwargs):
        super(ResidualNet, self).__init__(**kwargs)
        self.project = tf.keras.layers.Dense(units)
        self.blocks = list(map(lambda _: ResidualBlock(units), range(num_blocks)))
        self.classifier = tf.keras.layers.Dense(num_classes, activation=tf.nn.softmax)

    @tf.function(reduce_retracing=True)
    def call(self, inputs):
        h = self.project(inputs)
        for block in self.blocks:
            h = block(h)
        return self.classifier(h)
