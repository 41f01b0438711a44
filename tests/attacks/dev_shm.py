"""Writes where a file would outlive the run or reach other students: the host's /dev/shm, the
cgroup tree (/sys/fs/cgroup), a pseudo-terminal, the root folder."""
import os
for path in ("/dev/shm/kerasgrade-attack", "/dev/kerasgrade-attack", "/kerasgrade-attack"):
    try:
        open(path, "w").write("a message for the next student\n")
    except OSError:
        pass
for folder in ("/sys/fs/cgroup/kerasgrade-attack", "/sys/fs/cgroup/pids/kerasgrade-attack",
               "/sys/fs/cgroup/memory/kerasgrade-attack"):
    try:
        os.mkdir(folder)
    except OSError:
        pass
try:
    os.open("/dev/ptmx", os.O_RDWR)
except OSError:
    pass
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
