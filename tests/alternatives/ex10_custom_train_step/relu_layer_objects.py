"""Correct, in another style: the non-linearity as separate built-in layer objects
(`keras.layers.ReLU()` after a linear Dense, as in a Conv/BN block), `import keras` for the layers
and metric, and the step written as in the lesson (compute_loss, clip_by_global_norm, apply)."""
import keras
import tensorflow as tf


class ClippedRegressor(keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.hidden = keras.layers.Dense(16)
        self.relu = keras.layers.ReLU()
        self.head = keras.layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        return self.head(self.relu(self.hidden(inputs)))

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        grads, _ = tf.clip_by_global_norm(grads, self.clip_norm)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}
