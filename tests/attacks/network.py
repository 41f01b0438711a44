"""Opens network connections (exfiltration, downloading answers)."""
import socket
for host, port in [("pypi.org", 443), ("1.1.1.1", 53), ("127.0.0.1", 22)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        print("connected to", host)
    except OSError as e:
        print("no network:", e)
import tensorflow as tf

class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(inputs))
