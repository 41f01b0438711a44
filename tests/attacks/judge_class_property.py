"""Attack: a Layer, not a Model, whose instances claim to be keras.Model through ``__class__``
(``isinstance`` consults ``obj.__class__``; the judge must read the type's own lineage)."""
import tensorflow as tf


class SimpleMLP(tf.keras.layers.Layer):
    @property
    def __class__(self):
        return tf.keras.Model

    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
