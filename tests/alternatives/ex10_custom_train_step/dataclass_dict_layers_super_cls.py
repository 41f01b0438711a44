"""Correct, in another style: a `@dataclass` for the network's settings, `super(Cls, self)`, a
module-level alias `Model = tf.keras.models.Model`, the layers in a dict (in the order they are
applied), `self.compute_loss(x, y, y_pred)` positionally, and the step returning the tracker's
result with the global norm."""
from dataclasses import dataclass, field

import tensorflow as tf

Model = tf.keras.models.Model


@dataclass
class NetSpec:
    hidden: tuple = field(default=(32, 16))
    activation: str = "tanh"


class ClippedRegressor(Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super(ClippedRegressor, self).__init__(**kwargs)
        self.clip_norm = float(clip_norm)
        self.spec = NetSpec()
        self.net = {f"hidden_{i}": tf.keras.layers.Dense(w, activation=self.spec.activation)
                    for i, w in enumerate(self.spec.hidden)}
        self.net["output"] = tf.keras.layers.Dense(1)
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        h = inputs
        for layer in self.net.values():
            h = layer(h, training=training)
        return h

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        grads, global_norm = tf.clip_by_global_norm(grads, self.clip_norm)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result(), "global_norm": global_norm}
