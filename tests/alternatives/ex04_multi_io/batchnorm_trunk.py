"""Correct, in another style: a BatchNormalization layer after the shared hidden Dense (the
curriculum lets a learner add a normalization layer), `training` forwarded to it, `import keras`."""
import keras


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.shared = keras.layers.Dense(hidden_units, activation="relu")
        self.norm = keras.layers.BatchNormalization()
        self.label_head = keras.layers.Dense(num_classes, activation="softmax")
        self.score_head = keras.layers.Dense(1)

    def call(self, inputs, training=None):
        merged = keras.ops.concatenate([inputs["features"], inputs["metadata"]], axis=-1)
        hidden = self.norm(self.shared(merged), training=training)
        return {"label": self.label_head(hidden), "score": self.score_head(hidden)}
