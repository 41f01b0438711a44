"""Correct, in another style: tf.keras throughout, the layers in a list, the step split into a
helper method, apply_gradients, the tracker weighted by the batch size, data indexed not unpacked."""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.stack = [
            tf.keras.layers.Dense(16, activation="tanh"),
            tf.keras.layers.Dense(8, activation="relu"),
            tf.keras.layers.Dense(1),
        ]
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs):
        h = inputs
        for layer in self.stack:
            h = layer(h)
        return h

    @property
    def metrics(self):
        return [self.loss_tracker]

    def clipped_gradients(self, x, y):
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        clipped, _ = tf.clip_by_global_norm(grads, clip_norm=self.clip_norm)
        return loss, clipped

    def train_step(self, data):
        x, y = data[0], data[1]
        loss, grads = self.clipped_gradients(x, y)
        self.optimizer.apply_gradients(list(zip(grads, self.trainable_variables)))
        self.loss_tracker.update_state(loss, sample_weight=tf.shape(x)[0])
        return {"loss": self.loss_tracker.result()}
