"""Mistake: Flatten instead of a global pooling layer, so the classifier only fits the first image size it sees."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(2)
        self.flatten = tf.keras.layers.Flatten()
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        x = self.conv(inputs)
        x = self.pool(x)
        x = self.flatten(x)
        return self.classifier(x)
