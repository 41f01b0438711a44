"""Correct, in another style: `keras.saving.register_keras_serializable`, `super(Cls, self)`,
a get_config, `get_build_config`/`build_from_config`, and a build() that reads the input size
with `input_shape.as_list()` through `tf.TensorShape`."""
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="ex01_alt")
class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super(SimpleMLP, self).__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes
        self.hidden = tf.keras.layers.Dense(units=hidden_units, activation=tf.nn.relu)
        self.classifier = tf.keras.layers.Dense(units=num_classes, activation=tf.nn.softmax)
        self._input_shape_seen = None

    def build(self, input_shape):
        dims = tf.TensorShape(input_shape).as_list()
        self._input_shape_seen = dims
        self.hidden.build(dims)
        self.classifier.build(dims[:-1] + [self.hidden_units])

    def get_build_config(self):
        return {"input_shape": self._input_shape_seen}

    def build_from_config(self, config):
        if config.get("input_shape") is not None:
            self.build(config["input_shape"])

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_units": self.hidden_units, "num_classes": self.num_classes})
        return config
