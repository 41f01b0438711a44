"""Correct, in another style: `import keras`, super(Cls, self), a helper method, keyword-only use."""
import keras
from keras import layers


class SimpleMLP(keras.Model):
    """Two Dense layers."""

    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super(SimpleMLP, self).__init__(**kwargs)
        self.hidden = layers.Dense(units=hidden_units, activation=keras.activations.relu)
        self.classifier = layers.Dense(units=num_classes, activation=keras.activations.softmax)

    def features(self, x):
        return self.hidden(x)

    def call(self, inputs, training=None):
        h = self.features(inputs)
        return self.classifier(h)
