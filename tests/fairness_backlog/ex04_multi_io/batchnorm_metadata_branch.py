"""The metadata standardised per feature by its own BatchNormalization before it is joined with
the features (a normalization layer the contract lets a learner add), `training` forwarded,
super(Cls, self), tf.concat."""
import tensorflow as tf


class MultiTaskModel(tf.keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super(MultiTaskModel, self).__init__(**kwargs)
        self.meta_norm = tf.keras.layers.BatchNormalization()
        self.shared = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.score_head = tf.keras.layers.Dense(1)

    def call(self, inputs, training=None):
        features = inputs["features"]
        metadata = self.meta_norm(inputs["metadata"], training=training)
        hidden = self.shared(tf.concat([features, metadata], axis=-1))
        return {"label": self.label_head(hidden), "score": self.score_head(hidden)}
