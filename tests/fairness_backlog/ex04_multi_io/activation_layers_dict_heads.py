"""`import keras`, heads kept in a dict of small Sequentials, the softmax given as
`keras.layers.Activation('softmax')` after a linear Dense, a PReLU after the shared Dense,
`compute_output_shape`."""
import keras


class MultiTaskModel(keras.Model):
    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.shared = keras.layers.Dense(hidden_units)
        self.act = keras.layers.PReLU()
        self.heads = {
            "label": keras.Sequential([keras.layers.Dense(num_classes),
                                       keras.layers.Activation("softmax")]),
            "score": keras.Sequential([keras.layers.Dense(1)]),
        }

    def call(self, inputs):
        x = keras.ops.concatenate([inputs["features"], inputs["metadata"]], axis=-1)
        h = self.act(self.shared(x))
        return {name: head(h) for name, head in self.heads.items()}

    def compute_output_shape(self, input_shape):
        b = input_shape["features"][0]
        return {"label": (b, self.num_classes), "score": (b, 1)}
