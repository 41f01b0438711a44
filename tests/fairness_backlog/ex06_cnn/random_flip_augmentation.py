"""A data-augmentation layer, `RandomFlip("horizontal")` (active in training only; a left-right
flip keeps a horizontal bar horizontal and a vertical bar vertical), bound on self and applied
first, `super(Cls, self)`, type hints, tf.keras."""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    def __init__(self, num_classes: int = 2, filters: int = 8, **kwargs) -> None:
        super(SmallCNN, self).__init__(**kwargs)
        self.augment = tf.keras.layers.RandomFlip("horizontal")
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.pool = tf.keras.layers.MaxPooling2D(2)
        self.global_pool = tf.keras.layers.GlobalAveragePooling2D()
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        x = self.augment(inputs, training=training)
        x = self.pool(self.conv(x))
        return self.classifier(self.global_pool(x))
