"""A BatchNormalization on the feature maps (after the ReLU convolution, before the max pooling),
the layers also kept in an ordered dict for the forward pass, `training` forwarded."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.batch_norm = tf.keras.layers.BatchNormalization()
        self.pool = tf.keras.layers.MaxPooling2D(2)
        self.global_pool = tf.keras.layers.GlobalAveragePooling2D()
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        x = self.conv(inputs)
        x = self.batch_norm(x, training=training)
        x = self.pool(x)
        x = self.global_pool(x)
        return self.classifier(x)
