"""Correct, in another style: each hidden Dense created with `setattr(self, f"hidden_{i}", ...)`
in a loop and then collected into the `self.hidden_layers` list the contract names,
`tf.keras.utils.register_keras_serializable` with a package."""
import tensorflow as tf


@tf.keras.utils.register_keras_serializable(package="setattr_course")
class ConfigurableMLP(tf.keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = hidden_sizes
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        for i, size in enumerate(hidden_sizes):
            setattr(self, f"hidden_{i}", tf.keras.layers.Dense(size, activation="relu"))
        self.hidden_layers = [getattr(self, f"hidden_{i}") for i in range(len(hidden_sizes))]
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.classifier = tf.keras.layers.Dense(num_classes)

    def call(self, inputs, training=None):
        x = inputs
        for layer in self.hidden_layers:
            x = self.dropout(layer(x), training=training)
        return self.classifier(x)

    def get_config(self):
        config = super().get_config()
        config.update(hidden_sizes=list(self.hidden_sizes), num_classes=self.num_classes,
                      dropout_rate=self.dropout_rate)
        return config
