"""Mistake: the layers are created inside call(), so they get new weights on every call."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.filters = filters

    def call(self, inputs):
        self.conv = tf.keras.layers.Conv2D(self.filters, 3, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(2)
        self.global_pool = tf.keras.layers.GlobalAveragePooling2D()
        self.classifier = tf.keras.layers.Dense(self.num_classes, activation="softmax")
        return self.classifier(self.global_pool(self.pool(self.conv(inputs))))
