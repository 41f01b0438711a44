"""The named layers and a second convolution created in __init__, then wired in build() into a
functional `keras.Model` feature extractor on a `keras.Input(shape=(None, None, C))` probe
(C read from the TensorShape), called from call() before the classifier."""
import keras
import tensorflow as tf


class SmallCNN(keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.pool = keras.layers.MaxPooling2D(2)
        self.conv2 = keras.layers.Conv2D(2 * filters, 3, padding="same", activation="relu")
        self.global_pool = keras.layers.GlobalMaxPooling2D()
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")
        self.features = None

    def build(self, input_shape):
        channels = int(tf.TensorShape(input_shape)[-1])
        image = keras.Input(shape=(None, None, channels))
        pooled = self.global_pool(self.conv2(self.pool(self.conv(image))))
        self.features = keras.Model(image, pooled, name="features")
        self.built = True

    def call(self, inputs):
        return self.classifier(self.features(inputs))
