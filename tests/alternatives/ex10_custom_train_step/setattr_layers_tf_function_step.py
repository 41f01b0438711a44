"""Correct, in another style: hidden layers created by `setattr` in a loop (`self.dense_0`, ...)
and kept in order in a list, `@tf.function(reduce_retracing=True)` on train_step,
`keras.utils.unpack_x_y_sample_weight`, and `self.optimizer.apply` on the globally clipped
gradients."""
import keras
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    HIDDEN = (16, 8)

    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.stack = []
        for i, width in enumerate(self.HIDDEN):
            setattr(self, f"dense_{i}", tf.keras.layers.Dense(width, activation="relu"))
            self.stack.append(getattr(self, f"dense_{i}"))
        self.head = tf.keras.layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        h = inputs
        for layer in self.stack:
            h = layer(h)
        return self.head(h)

    @property
    def metrics(self):
        return [self.loss_tracker]

    @tf.function(reduce_retracing=True)
    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        grads = tape.gradient(loss, self.trainable_variables)
        grads, _ = tf.clip_by_global_norm(grads, clip_norm=self.clip_norm)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}
