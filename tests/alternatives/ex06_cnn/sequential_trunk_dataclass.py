"""Correct, in another style: a `@dataclass` for the settings, and a `keras.Sequential` feature
extractor built in `__init__` from the named layers (which stay bound on `self`), called from
call() before the classifier, whose softmax is `tf.keras.activations.softmax`."""
from dataclasses import dataclass

import tensorflow as tf


@dataclass(frozen=True)
class CNNSettings:
    num_classes: int = 2
    filters: int = 8
    kernel_size: int = 3
    pool_size: int = 2


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.settings = CNNSettings(num_classes=num_classes, filters=filters)
        s = self.settings
        self.conv = tf.keras.layers.Conv2D(s.filters, s.kernel_size, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(s.pool_size)
        self.global_pool = tf.keras.layers.GlobalMaxPooling2D()
        self.features = tf.keras.Sequential([self.conv, self.pool, self.global_pool], name="features")
        self.classifier = tf.keras.layers.Dense(s.num_classes, activation=tf.keras.activations.softmax)

    def call(self, inputs, training=None):
        return self.classifier(self.features(inputs, training=training))
