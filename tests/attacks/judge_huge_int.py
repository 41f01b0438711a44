"""Hostile: an answer holding a 400-digit integer, written on the judge's socket in the middle of a request."""
import os
import struct

import tensorflow as tf


def _frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


class SimpleMLP(tf.keras.Model):
    """A correct model that writes an answer holding a 400-digit integer on the judge's socket (fd 3) from inside call()."""

    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        if self.calls == 2:
            try:
                os.write(3, _frame(b'{"id": 1, "ok": ' + b"9" * 400 + b"}"))
            except OSError:
                pass
        return self.classifier(self.hidden(inputs))
