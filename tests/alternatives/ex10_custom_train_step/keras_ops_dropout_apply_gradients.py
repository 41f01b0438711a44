"""Correct, in another style: `import keras`, super(Cls, self), a Sequential body with Dropout,
unpack_x_y_sample_weight, the global norm computed by hand with keras.ops, apply_gradients."""
import keras
import tensorflow as tf
from keras import layers, ops


class ClippedRegressor(keras.Model):
    """Regression with a hand-written training step."""

    def __init__(self, clip_norm=1.0, **kwargs):
        super(ClippedRegressor, self).__init__(**kwargs)
        self.clip_norm = float(clip_norm)
        self.body = keras.Sequential([
            layers.Dense(24, activation="tanh"),
            layers.Dropout(0.2),
            layers.Dense(1),
        ])
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=False):
        return self.body(inputs, training=training)

    @property
    def metrics(self):
        return [self.loss_tracker]

    def _clip(self, grads):
        norm = ops.sqrt(sum(ops.sum(ops.square(g)) for g in grads))
        scale = self.clip_norm / ops.maximum(norm, self.clip_norm)
        return [g * scale for g in grads]

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            prediction = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=prediction, sample_weight=sample_weight)
        variables = self.trainable_variables
        grads = self._clip(tape.gradient(loss, variables))
        self.optimizer.apply_gradients(zip(grads, variables))
        self.loss_tracker.update_state(loss)
        return {m.name: m.result() for m in self.metrics}
