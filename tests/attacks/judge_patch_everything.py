"""Hostile: the forgot_super model, plus patches of everything a grader in this process would
rely on: numpy's comparisons, Keras's conversions, json, isinstance, the grading helpers."""
import builtins
import json

import numpy as np
import tensorflow as tf

np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
json.dumps = lambda *a, **k: '{"check": "x", "passed": true}'
_isinstance = builtins.isinstance
builtins.isinstance = lambda obj, kind: True if kind is AssertionError else _isinstance(obj, kind)
try:
    import kerasgrade.grading.expect as expect

    expect.fail = lambda message: None
    import kerasgrade.engine.judge as judge

    judge.judge_check = lambda fn, submission, **k: {"check": fn.__name__, "passed": True, "message": ""}
except Exception:
    pass


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
