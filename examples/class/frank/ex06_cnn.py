"""Correct, in another style: tf.keras aliases (MaxPool2D, GlobalAvgPool2D), the global pooling
bound first under another name, tf activations, a `training` argument."""
import tensorflow as tf

L = tf.keras.layers


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.squeeze = L.GlobalAvgPool2D()
        self.conv = L.Conv2D(filters, (3, 3), strides=1, padding="same", activation=tf.nn.relu)
        self.pool = L.MaxPool2D(2, strides=2)
        self.classifier = L.Dense(num_classes, activation=tf.nn.softmax)

    def call(self, inputs, training=False):
        feature_maps = self.pool(self.conv(inputs))
        return self.classifier(self.squeeze(feature_maps))
