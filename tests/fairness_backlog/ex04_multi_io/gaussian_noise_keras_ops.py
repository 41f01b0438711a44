"""keras.ops only (no tf.*), a GaussianNoise layer on the joined inputs (a regulariser active in
training only, like Dropout), a second hidden Dense, `@dataclass`-free plain attributes."""
import keras
from keras import layers, ops


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.noise = layers.GaussianNoise(0.05)
        self.shared = layers.Dense(hidden_units, activation="relu")
        self.shared2 = layers.Dense(hidden_units, activation="relu")
        self.label_head = layers.Dense(num_classes)
        self.score_head = layers.Dense(1)

    def call(self, inputs, training=False):
        x = ops.concatenate([inputs["features"], inputs["metadata"]], axis=-1)
        x = self.noise(x, training=training)
        h = self.shared2(self.shared(x))
        return {"label": ops.softmax(self.label_head(h), axis=-1), "score": self.score_head(h)}
