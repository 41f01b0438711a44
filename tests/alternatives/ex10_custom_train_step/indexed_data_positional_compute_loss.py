"""Correct, in another style: data indexed (data[0], data[1]), compute_loss(x, y, y_pred) positionally,
[0] of clip_by_global_norm, apply_gradients(zip(...))."""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.hidden = tf.keras.layers.Dense(16, activation="relu")
        self.head = tf.keras.layers.Dense(1)
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        return self.head(self.hidden(inputs))

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        x, y = data[0], data[1]
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        grads = tf.clip_by_global_norm(grads, self.clip_norm)[0]
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}
