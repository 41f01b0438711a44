"""Correct, in another style: `import keras`, super(Cls, self), layers appended in a loop,
dropout once before the classifier, hidden_sizes kept as a list, a helper method."""
import keras
from keras import layers


@keras.utils.register_keras_serializable(package="alt_course")
class ConfigurableMLP(keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super(ConfigurableMLP, self).__init__(**kwargs)
        self.hidden_sizes = list(hidden_sizes)
        self.num_classes = int(num_classes)
        self.dropout_rate = float(dropout_rate)
        self.hidden_layers = []
        for units in self.hidden_sizes:
            self.hidden_layers.append(layers.Dense(units=units, activation=keras.activations.relu))
        self.dropout = layers.Dropout(rate=self.dropout_rate)
        self.classifier = layers.Dense(units=self.num_classes, activation=None)

    def features(self, x):
        for dense in self.hidden_layers:
            x = dense(x)
        return x

    def call(self, inputs, training=None):
        h = self.dropout(self.features(inputs), training=training)
        return self.classifier(h)

    def get_config(self):
        base = super().get_config()
        return {**base, "hidden_sizes": self.hidden_sizes, "num_classes": self.num_classes,
                "dropout_rate": self.dropout_rate}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
