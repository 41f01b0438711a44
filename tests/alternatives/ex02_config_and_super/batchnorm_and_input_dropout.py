"""A BatchNormalization after each hidden layer, kept in a dict, and a Dropout on the inputs
before the first hidden layer: layers a learner may add, in a container the contract does not
name."""
import keras


@keras.saving.register_keras_serializable(package="course")
class ConfigurableMLP(keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = hidden_sizes
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.input_dropout = keras.layers.Dropout(0.1)
        self.hidden_layers = []
        self.norms = {}
        for i, size in enumerate(hidden_sizes):
            self.hidden_layers.append(keras.layers.Dense(size, activation="relu"))
            self.norms[f"norm_{i}"] = keras.layers.BatchNormalization()
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.classifier = keras.layers.Dense(num_classes)

    def call(self, inputs, training=None):
        x = self.input_dropout(inputs, training=training)
        for i, layer in enumerate(self.hidden_layers):
            x = self.norms[f"norm_{i}"](layer(x), training=training)
            x = self.dropout(x, training=training)
        return self.classifier(x)

    def get_config(self):
        return {**super().get_config(), "hidden_sizes": self.hidden_sizes,
                "num_classes": self.num_classes, "dropout_rate": self.dropout_rate}
