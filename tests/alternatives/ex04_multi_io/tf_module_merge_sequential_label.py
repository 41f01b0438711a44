"""Correct, in another style: a stateless `tf.Module` helper that merges the named inputs, the
label head a `keras.Sequential([Dense(num_classes), Softmax()])` built in __init__, a hidden
trunk of one Dense per input added together."""
import tensorflow as tf
from tensorflow import keras


class NamedMerge(tf.Module):
    """Reads the two named inputs (never by position) and casts them to float32."""

    def __call__(self, inputs):
        return (tf.cast(inputs["features"], tf.float32), tf.cast(inputs["metadata"], tf.float32))


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.reader = NamedMerge(name="reader")
        self.features_in = keras.layers.Dense(hidden_units, activation="relu")
        self.metadata_in = keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = keras.Sequential([keras.layers.Dense(num_classes), keras.layers.Softmax()])
        self.score_head = keras.layers.Dense(1)

    def call(self, inputs):
        features, metadata = self.reader(inputs)
        hidden = self.features_in(features) + self.metadata_in(metadata)
        return {"label": self.label_head(hidden), "score": self.score_head(hidden)}
