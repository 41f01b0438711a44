"""Correct, in another style: the base bound to a module-level alias (`Model = tf.keras.models.Model`),
the layers set by setattr in a loop over a class-level table."""
import tensorflow as tf

Model = tf.keras.models.Model
Dense = tf.keras.layers.Dense


class SimpleMLP(Model):
    LAYERS = (("hidden", "relu", "hidden_units"), ("classifier", "softmax", "num_classes"))

    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        sizes = {"hidden_units": hidden_units, "num_classes": num_classes}
        for attr, act, size in self.LAYERS:
            setattr(self, attr, Dense(sizes[size], activation=act))

    def call(self, inputs):
        x = inputs
        for attr, _, _ in self.LAYERS:
            x = getattr(self, attr)(x)
        return x
