"""Correct, in another style: `@tf.function` on call(), the layers first built inside the trace
(the course allows the decorator; the child keeps no trace made while Keras builds, so set,
trained and loaded weights are used)."""
import tensorflow as tf
from keras.saving import register_keras_serializable


@register_keras_serializable(package="tf_function_course")
class ConfigurableMLP(tf.keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = list(hidden_sizes)
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.hidden_layers = [tf.keras.layers.Dense(units=size, activation="relu")
                              for size in self.hidden_sizes]
        self.dropout = tf.keras.layers.Dropout(rate=dropout_rate)
        self.classifier = tf.keras.layers.Dense(units=num_classes)

    @tf.function
    def call(self, inputs, training=None):
        x = inputs
        for layer in self.hidden_layers:
            x = self.dropout(layer(x), training=training)
        return self.classifier(x)

    def get_config(self):
        config = super().get_config()
        config.update(hidden_sizes=self.hidden_sizes, num_classes=self.num_classes,
                      dropout_rate=self.dropout_rate)
        return config
