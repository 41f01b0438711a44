"""Correct, in another style: `super(Cls, self).__init__(**kwargs)`, a build() of its own that
reads the input with `tf.TensorShape(input_shape).as_list()` and builds each layer, and
`get_build_config`/`build_from_config` so a loaded model is built before its weights land."""
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="build_config_course")
class ConfigurableMLP(tf.keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super(ConfigurableMLP, self).__init__(**kwargs)
        self.hidden_sizes = list(hidden_sizes)
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.hidden_layers = []
        for size in self.hidden_sizes:
            self.hidden_layers.append(tf.keras.layers.Dense(size, activation="relu"))
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.classifier = tf.keras.layers.Dense(num_classes)
        self._built_shape = None

    def build(self, input_shape):
        shape = tf.TensorShape(input_shape).as_list()
        self._built_shape = list(shape)
        for layer in self.hidden_layers:
            layer.build(shape)
            shape = shape[:-1] + [layer.units]
        self.classifier.build(shape)

    def get_build_config(self):
        return {"input_shape": self._built_shape}

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None:
            self.build(config["input_shape"])

    def call(self, inputs, training=None):
        h = inputs
        for layer in self.hidden_layers:
            h = layer(h)
            h = self.dropout(h, training=training)
        return self.classifier(h)

    def get_config(self):
        base_config = super(ConfigurableMLP, self).get_config()
        return dict(base_config, hidden_sizes=self.hidden_sizes, num_classes=self.num_classes,
                    dropout_rate=self.dropout_rate)
