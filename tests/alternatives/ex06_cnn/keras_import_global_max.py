"""Correct, in another style: `import keras`, super(Cls, self), GlobalMaxPooling2D, a helper method."""
import keras
from keras import layers


class SmallCNN(keras.Model):
    """Conv -> max pool -> global max pool -> softmax."""

    def __init__(self, num_classes=2, filters=8, **kwargs):
        super(SmallCNN, self).__init__(**kwargs)
        self.conv = layers.Conv2D(filters=filters, kernel_size=(3, 3), padding="same",
                                  activation=keras.activations.relu)
        self.pool = layers.MaxPooling2D(pool_size=(2, 2))
        self.gmp = layers.GlobalMaxPooling2D()
        self.classifier = layers.Dense(units=num_classes, activation=keras.activations.softmax)

    def features(self, images):
        return self.gmp(self.pool(self.conv(images)))

    def call(self, inputs, training=None):
        return self.classifier(self.features(inputs))
