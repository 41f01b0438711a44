"""Correct, in another style: the layers created in __init__, then wired into a functional
`keras.Model(inputs, outputs)` in build() from the dict of input shapes (keras.Input per named
input), and call() runs that sub-model."""
import keras


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.hidden_units = hidden_units
        self.merge = keras.layers.Concatenate(axis=-1)
        self.shared = keras.layers.Dense(hidden_units, activation="relu")
        self.label_head = keras.layers.Dense(num_classes, activation="softmax")
        self.score_head = keras.layers.Dense(1)
        self.graph = None

    def build(self, input_shape):
        features = keras.Input(shape=tuple(input_shape["features"][1:]), name="features")
        metadata = keras.Input(shape=tuple(input_shape["metadata"][1:]), name="metadata")
        hidden = self.shared(self.merge([features, metadata]))
        self.graph = keras.Model(
            inputs={"features": features, "metadata": metadata},
            outputs={"label": self.label_head(hidden), "score": self.score_head(hidden)},
            name="multitask_graph")

    def call(self, inputs):
        return self.graph({"features": inputs["features"], "metadata": inputs["metadata"]})
