"""Correct, in another style: `@tf.function(reduce_retracing=True)` on call(), the layers also kept
in a dict for the forward pass, and the classifier's softmax given as a
`tf.keras.layers.Softmax()` layer object (a callable) as the Dense layer's activation."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, kernel_size=3, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(pool_size=2)
        self.global_pool = tf.keras.layers.GlobalAveragePooling2D()
        self.classifier = tf.keras.layers.Dense(num_classes, activation=tf.keras.layers.Softmax())
        self.stages = {"conv": self.conv, "pool": self.pool, "global_pool": self.global_pool,
                       "classifier": self.classifier}

    @tf.function(reduce_retracing=True)
    def call(self, inputs, training=None):
        x = inputs
        for key in ("conv", "pool", "global_pool", "classifier"):
            x = self.stages[key](x)
        return x
