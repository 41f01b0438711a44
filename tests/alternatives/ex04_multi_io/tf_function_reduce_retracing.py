"""Correct, in another style: `@tf.function(reduce_retracing=True)` on call(), the named inputs
read by key into locals, `compute_output_shape` for the dict of outputs, tf.nn activations,
`super(Cls, self).__init__(**kwargs)`."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super(MultiTaskModel, self).__init__(**kwargs)
        self.num_classes = num_classes
        self.hidden = tf.keras.layers.Dense(hidden_units, activation=tf.nn.relu)
        self.label_head = tf.keras.layers.Dense(num_classes, activation=tf.nn.softmax)
        self.score_head = tf.keras.layers.Dense(1, activation=None)

    @tf.function(reduce_retracing=True)
    def call(self, inputs):
        features = inputs["features"]
        metadata = inputs["metadata"]
        h = self.hidden(tf.concat([features, metadata], axis=-1))
        return {"label": self.label_head(h), "score": self.score_head(h)}

    def compute_output_shape(self, input_shape):
        batch = input_shape["features"][0]
        return {"label": (batch, self.num_classes), "score": (batch, 1)}
