"""Correct, in another style: a BatchNormalization between the layers (normalising with the
batch's statistics in training), a separate Activation layer, `@tf.function` on train_step,
`self.optimizer.apply_gradients(zip(grads, variables))`, the loss as `self.compute_loss(x, y,
y_pred)` with positional arguments, and the global norm kept for the logs."""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.dense = tf.keras.layers.Dense(32, use_bias=False)
        self.norm = tf.keras.layers.BatchNormalization()
        self.relu = tf.keras.layers.Activation("relu")
        self.out = tf.keras.layers.Dense(1)
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        h = self.relu(self.norm(self.dense(inputs), training=training))
        return self.out(h)

    @property
    def metrics(self):
        return [self.loss_tracker]

    @tf.function
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        grads, global_norm = tf.clip_by_global_norm(grads, self.clip_norm)
        self.optimizer.apply_gradients(zip(grads, variables))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result(), "grad_norm": global_norm}
