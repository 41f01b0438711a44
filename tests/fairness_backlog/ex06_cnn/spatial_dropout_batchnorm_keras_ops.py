"""`import keras` only, a BatchNormalization on the feature maps and a SpatialDropout2D after
the max pooling (regularisers the contract lets a learner add), `training` forwarded, and
`compute_output_shape`."""
import keras
from keras import layers


class SmallCNN(keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.conv = layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.bn = layers.BatchNormalization()
        self.pool = layers.MaxPooling2D(2)
        self.spatial_drop = layers.SpatialDropout2D(0.1)
        self.global_pool = layers.GlobalAveragePooling2D()
        self.classifier = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        x = self.bn(self.conv(inputs), training=training)
        x = self.spatial_drop(self.pool(x), training=training)
        return self.classifier(self.global_pool(x))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)
