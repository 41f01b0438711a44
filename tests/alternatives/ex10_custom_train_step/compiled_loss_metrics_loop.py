"""Correct, in another style: the TF2-era spelling of the step, `self.compiled_loss(y, y_pred,
regularization_losses=self.losses)` (in Keras 3 a deprecated alias of `compute_loss`),
`tf.clip_by_global_norm`, `self.optimizer.apply_gradients(zip(...))`, and every metric of
`self.metrics` updated in a loop and all returned by name."""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.hidden = tf.keras.layers.Dense(32, activation="relu")
        self.out = tf.keras.layers.Dense(1)
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        gradients = tape.gradient(loss, self.trainable_variables)
        clipped, _ = tf.clip_by_global_norm(gradients, self.clip_norm)
        self.optimizer.apply_gradients(zip(clipped, self.trainable_variables))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {metric.name: metric.result() for metric in self.metrics}
