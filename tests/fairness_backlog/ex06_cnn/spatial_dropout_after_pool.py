"""A SpatialDropout2D (drops whole feature maps, in training only) after the max pooling,
`from tensorflow.keras import layers`, name= passed to each layer, `training` forwarded."""
import tensorflow as tf
from tensorflow.keras import layers


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(filters, 3, padding="same", activation="relu", name="conv")
        self.pool = layers.MaxPooling2D(2, name="pool")
        self.drop = layers.SpatialDropout2D(0.1, name="drop")
        self.global_pool = layers.GlobalAveragePooling2D(name="gap")
        self.classifier = layers.Dense(num_classes, activation="softmax", name="classifier")

    def call(self, inputs, training=None):
        x = self.pool(self.conv(inputs))
        x = self.drop(x, training=training)
        return self.classifier(self.global_pool(x))
