"""Hostile: a model that answers correctly only when called with training=False, as a weights proof
that called it so would be, and gives a constant output to the checks themselves."""
import keras

class SimpleMLP(keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")
    def call(self, x, training=None):
        out = self.classifier(self.hidden(x))
        if training is False:          # only the grader's weights proof passes training=False
            return out
        return out * 0.0 + 1.0 / keras.ops.shape(out)[-1]   # constant: ignores input and weights
