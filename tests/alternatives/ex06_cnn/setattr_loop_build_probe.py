"""Correct, in another style: the layers created by `setattr` in a loop over (name, layer) pairs,
a module-level alias `Model = tf.keras.models.Model`, `super(Cls, self).__init__(**kwargs)`,
`name=` passed positionally to MaxPooling2D, `build()` that probes the layers with a
`keras.Input`, `compute_output_shape`, and the softmax as `lambda z: tf.nn.softmax(z, axis=-1)`."""
import tensorflow as tf

Model = tf.keras.models.Model
layers = tf.keras.layers


class SmallCNN(Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super(SmallCNN, self).__init__(**kwargs)
        self.num_classes = num_classes
        self.order = ("conv", "pool", "global_pool", "classifier")
        specs = (
            ("conv", layers.Conv2D(filters, 3, 1, "same", activation="relu", name="conv")),
            ("pool", layers.MaxPooling2D(2, None, "valid", None, "pool")),
            ("global_pool", layers.GlobalAveragePooling2D(name="global_pool")),
            ("classifier", layers.Dense(num_classes, activation=lambda z: tf.nn.softmax(z, axis=-1),
                                        name="classifier")),
        )
        for attr, layer in specs:
            setattr(self, attr, layer)

    def build(self, input_shape):
        probe = tf.keras.Input(shape=tuple(input_shape[1:]))
        self.call(probe)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)

    def call(self, inputs, training=None):
        x = inputs
        for attr in self.order:
            x = getattr(self, attr)(x)
        return x
