"""Correct, in another style: `import keras` only (keras.ops, no `tf.*` call), type hints and
docstrings on every method, the input converted with keras.ops before the two layers."""
import keras
from keras import ops


class SimpleMLP(keras.Model):
    """A two-layer perceptron: Dense(relu) then Dense(softmax)."""

    def __init__(self, hidden_units: int = 32, num_classes: int = 3, **kwargs) -> None:
        """Create the two layers once; Keras tracks them because they are bound on self."""
        super().__init__(**kwargs)
        self.hidden: keras.layers.Dense = keras.layers.Dense(hidden_units, activation="relu")
        self.classifier: keras.layers.Dense = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs) -> "keras.KerasTensor":
        """(batch, features) -> (batch, num_classes) probabilities."""
        x = ops.convert_to_tensor(inputs, dtype="float32")
        return self.classifier(self.hidden(x))
