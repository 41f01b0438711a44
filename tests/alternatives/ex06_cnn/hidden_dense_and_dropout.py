"""Correct, with layers a learner may add: a hidden Dense layer and a Dropout between the global
pooling and the classifier (CURRICULUM, "What a learner may add"), `training` passed on."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(2)
        self.global_pool = tf.keras.layers.GlobalAveragePooling2D()
        self.hidden = tf.keras.layers.Dense(16, activation="relu")
        self.dropout = tf.keras.layers.Dropout(0.2)
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        x = self.global_pool(self.pool(self.conv(inputs)))
        x = self.dropout(self.hidden(x), training=training)
        return self.classifier(x)
