"""Exercise 6 — convolution and pooling (reference solution)."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    """Conv2D(relu) -> MaxPooling2D -> global average pooling -> Dense(softmax)."""

    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(2)
        self.global_pool = tf.keras.layers.GlobalAveragePooling2D()
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        x = self.conv(inputs)
        x = self.pool(x)
        x = self.global_pool(x)
        return self.classifier(x)
