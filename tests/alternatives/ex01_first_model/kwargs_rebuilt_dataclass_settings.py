"""Correct, in another style: settings in a frozen dataclass, Keras options forwarded as
`**dict(options)` under another name, `name=` style positional Dense arguments."""
from dataclasses import dataclass

import keras


@dataclass(frozen=True)
class Sizes:
    hidden_units: int = 32
    num_classes: int = 3


class SimpleMLP(keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **options):
        super().__init__(**dict(options))
        self.sizes = Sizes(hidden_units, num_classes)
        self.hidden = keras.layers.Dense(self.sizes.hidden_units, "relu")
        self.classifier = keras.layers.Dense(self.sizes.num_classes, "softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
