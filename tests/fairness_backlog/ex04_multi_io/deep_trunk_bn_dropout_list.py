"""Three hidden blocks (Dense -> BatchNormalization -> Dropout) kept in a list built by a helper
method called from __init__, `from tensorflow import keras`, type hints, training forwarded."""
from tensorflow import keras


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes: int = 4, hidden_units: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.hidden_units = hidden_units
        self.trunk = self._make_trunk(hidden_units, depth=3)
        self.label_head = keras.layers.Dense(num_classes, activation="softmax", name="label")
        self.score_head = keras.layers.Dense(1, name="score")

    def _make_trunk(self, units: int, depth: int) -> list:
        blocks = []
        for _ in range(depth):
            blocks += [keras.layers.Dense(units, activation="relu"),
                       keras.layers.BatchNormalization(),
                       keras.layers.Dropout(0.1)]
        return blocks

    def call(self, inputs: dict, training=None) -> dict:
        h = keras.ops.concatenate([inputs["features"], inputs["metadata"]], axis=-1)
        for layer in self.trunk:
            h = layer(h, training=training)
        return {"label": self.label_head(h), "score": self.score_head(h)}
