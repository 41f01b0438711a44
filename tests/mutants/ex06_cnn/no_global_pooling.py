"""Mistake: no global pooling: the Dense classifier is applied to every pixel of the pooled feature maps."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(2)
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.pool(self.conv(inputs)))
