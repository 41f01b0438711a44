"""Correct, in another style: tf.keras throughout, BatchNormalization in the network, the
layers in a list, the tracker weighted by the batch size, the step split into helper methods."""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.stack = [
            tf.keras.layers.Dense(12),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Activation("relu"),
            tf.keras.layers.Dense(1),
        ]
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        h = inputs
        for layer in self.stack:
            h = layer(h, training=training)
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
