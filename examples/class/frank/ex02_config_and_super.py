"""Correct, in another style: tf.keras.utils registration, a tuple of layers, tf.nn.relu,
call() without a training argument (Keras passes it down to Dropout by itself)."""
import tensorflow as tf
from tensorflow.keras.layers import Dense, Dropout


@tf.keras.utils.register_keras_serializable()
class ConfigurableMLP(tf.keras.Model):
    """Configurable MLP."""

    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        """Set-up from the arguments."""
        super().__init__(**kwargs)
        self.hidden_sizes = tuple(hidden_sizes)
        self.num_classes, self.dropout_rate = num_classes, dropout_rate
        self.hidden_layers = [Dense(n, activation=tf.nn.relu, name=f"hidden_{i}")
                              for i, n in enumerate(self.hidden_sizes)]
        self.dropout = Dropout(dropout_rate)
        self.classifier = Dense(num_classes, name="logits")

    def call(self, x):
        for i in range(len(self.hidden_layers)):
            x = self.hidden_layers[i](x)
            x = self.dropout(x)
        return self.classifier(x)

    def get_config(self):
        config = super().get_config()
        config["hidden_sizes"] = list(self.hidden_sizes)
        config["num_classes"] = self.num_classes
        config["dropout_rate"] = self.dropout_rate
        return config
