"""Correct, with a layer a learner may add: a Dropout on the pooled feature maps, bound before the
other layers, `from tensorflow.keras import layers`, and the forward pass as a loop over layers."""
import tensorflow as tf
from tensorflow.keras import layers


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.drop = layers.Dropout(0.25)
        self.conv = layers.Conv2D(filters, kernel_size=3, padding="same", activation="relu")
        self.pool = layers.MaxPooling2D(pool_size=2)
        self.global_pool = layers.GlobalMaxPooling2D()
        self.classifier = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in (self.conv, self.pool, self.drop, self.global_pool):
            x = layer(x, training=training) if layer is self.drop else layer(x)
        return self.classifier(x)
