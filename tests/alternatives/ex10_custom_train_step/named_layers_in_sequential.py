"""Correct, in another style: the named layers bound on `self` one by one and also composed into a
`keras.Sequential` body in `__init__` (the same layer objects, so the weights are those of two
Dense layers), call() running the body with `training` passed on; the step as in the lesson."""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.hidden = tf.keras.layers.Dense(16, activation="relu")
        self.head = tf.keras.layers.Dense(1)
        self.body = tf.keras.Sequential([self.hidden, self.head])
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        return self.body(inputs, training=training)

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
