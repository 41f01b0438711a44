"""Correct, in another style: super(SimpleMLP, self).__init__(**kwargs) and @tf.function on call()
(the layers first built inside the trace)."""
import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super(SimpleMLP, self).__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    @tf.function
    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
