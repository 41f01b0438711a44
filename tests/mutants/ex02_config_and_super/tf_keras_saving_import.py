"""Mistake: `from tensorflow import keras`, then `@keras.saving.register_keras_serializable()`:
TensorFlow's `keras` module has no `saving`, so the file crashes at import (the fix is
`import keras`, or `@tf.keras.utils.register_keras_serializable()`)."""
import tensorflow as tf
from tensorflow import keras


@keras.saving.register_keras_serializable(package="kerasgrade")
class ConfigurableMLP(keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = hidden_sizes
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.hidden_layers = [keras.layers.Dense(size, activation="relu") for size in hidden_sizes]
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.classifier = keras.layers.Dense(num_classes)

    def call(self, inputs, training=None):
        x = inputs
        for layer in self.hidden_layers:
            x = self.dropout(layer(x), training=training)
        return self.classifier(x)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_sizes": self.hidden_sizes, "num_classes": self.num_classes,
                       "dropout_rate": self.dropout_rate})
        return config
