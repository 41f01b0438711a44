"""Correct, in another style: more layers than the contract names (a Flatten of the inputs and
a Dropout of the inputs, both inactive at inference on (batch, features)), a tuple of hidden
layers, the hyper-parameters kept as given, a from_config of its own."""
import keras


@keras.saving.register_keras_serializable(package="extra_layers_course")
class ConfigurableMLP(keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = tuple(hidden_sizes)
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.flatten = keras.layers.Flatten()
        self.input_dropout = keras.layers.Dropout(dropout_rate / 2)
        self.hidden_layers = tuple(keras.layers.Dense(size, activation="relu") for size in hidden_sizes)
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.classifier = keras.layers.Dense(num_classes, activation="linear")

    def call(self, inputs, training=False):
        x = self.input_dropout(self.flatten(inputs), training=training)
        for dense in self.hidden_layers:
            x = dense(x)
        return self.classifier(self.dropout(x, training=training))

    def get_config(self):
        return {**super().get_config(), "hidden_sizes": list(self.hidden_sizes),
                "num_classes": self.num_classes, "dropout_rate": self.dropout_rate}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
