"""Correct, in another style: `import keras`, super(Cls, self), one hidden branch per input
merged by addition, heads kept in a dict, keras.ops for the merge."""
import keras
from keras import layers


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super(MultiTaskModel, self).__init__(**kwargs)
        self.features_branch = layers.Dense(hidden_units, activation="relu")
        self.metadata_branch = layers.Dense(hidden_units, activation="relu")
        self.heads = {
            "label": layers.Dense(num_classes, activation=keras.activations.softmax),
            "score": layers.Dense(1, activation=None),
        }

    def encode(self, inputs):
        return keras.ops.add(self.features_branch(inputs["features"]),
                             self.metadata_branch(inputs["metadata"]))

    def call(self, inputs, training=None):
        hidden = self.encode(inputs)
        return {name: head(hidden) for name, head in self.heads.items()}
