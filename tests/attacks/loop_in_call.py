"""A correct model whose call() loops forever, ignoring the alarm signal."""
import signal
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
