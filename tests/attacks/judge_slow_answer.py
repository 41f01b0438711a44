"""Hostile: a correct model whose second call ignores the alarm and never returns, so the
judge must stop waiting on its own."""
import signal
import time

import tensorflow as tf


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        if self.calls == 2:
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            while True:
                time.sleep(0.05)
        return self.classifier(self.hidden(inputs))
