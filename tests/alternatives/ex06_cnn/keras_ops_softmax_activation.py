"""Correct, in another style: keras.ops only (`import keras`, no `tf.*`), the classifier's softmax
given as the function `keras.ops.softmax` (axis=-1 by default), the global pooling called
`self.gap`, and `training=None` passed on to every sublayer."""
import keras
from keras import ops


class SmallCNN(keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.filters = filters
        self.conv = keras.layers.Conv2D(filters, 3, padding="same", activation=ops.relu)
        self.pool = keras.layers.MaxPooling2D(2)
        self.gap = keras.layers.GlobalAveragePooling2D()
        self.classifier = keras.layers.Dense(num_classes, activation=ops.softmax)

    def call(self, inputs, training=None):
        x = ops.cast(inputs, "float32")
        x = self.conv(x, training=training)
        x = self.pool(x, training=training)
        x = self.gap(x, training=training)
        return self.classifier(x, training=training)
