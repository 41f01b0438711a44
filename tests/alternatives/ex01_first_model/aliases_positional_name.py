"""Correct, in another style: module-level aliases (`Model = tf.keras.models.Model`,
`Dense = keras.layers.Dense`), the activation and `name=` passed positionally / by keyword to
Dense, `super().__init__(name=name, **kwargs)` with a `name` parameter of its own."""
import keras
import tensorflow as tf

Model = tf.keras.models.Model
Dense = keras.layers.Dense


class SimpleMLP(Model):
    def __init__(self, hidden_units=32, num_classes=3, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.hidden = Dense(hidden_units, "relu", name="hidden")
        self.classifier = Dense(num_classes, "softmax", name="classifier")

    def call(self, inputs):
        h = self.hidden(inputs)
        return self.classifier(h)
