"""A correct model whose call() raises KeyboardInterrupt, SystemExit and a home-made BaseException."""
class Escape(BaseException):
    pass
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    calls = 0

    def call(self, inputs):
        SimpleMLP.calls += 1
        raise [KeyboardInterrupt, SystemExit, Escape][SimpleMLP.calls % 3]("escape")
