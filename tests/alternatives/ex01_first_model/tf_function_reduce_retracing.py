"""Correct, in another style: `@tf.function(reduce_retracing=True)` on call() (the course allows
decorators on methods), the layers built in a build() of the model's own from the input shape."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def build(self, input_shape):
        shape = tf.TensorShape(input_shape)
        self.hidden.build(shape)
        self.classifier.build(shape[:-1].concatenate([self.hidden_units]))

    @tf.function(reduce_retracing=True)
    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
