"""Hostile: an array whose data does not match its shape, written on the judge's socket in the middle of a request."""
import os
import stat
import struct

import tensorflow as tf


def _frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


def _judge_socket() -> int:
    """The one socket the child holds: its channel to the judge."""
    for fd in range(3, 1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass
    return 3


class SimpleMLP(tf.keras.Model):
    """A correct model that writes an array whose data does not match its shape on the judge's socket from inside call()."""

    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        if self.calls == 2:
            try:
                os.write(_judge_socket(), _frame(b'{"id": 1, "ok": {"$nd": ["float32", [100000, 100000], "AAAA"]}}'))
            except OSError:
                pass
        return self.classifier(self.hidden(inputs))
