"""Correct, in another style: the network is the learner's own layer (a `keras.layers.Layer`
subclass holding a Dense stack it applies in a loop), the step with `tf.clip_by_global_norm`,
`self.compute_loss` and `self.optimizer.apply`, the loss mean bound in `__init__`."""
import keras
import tensorflow as tf


class Body(keras.layers.Layer):
    """Dense layers applied one after the other, the last of one unit."""

    def __init__(self, widths=(16, 8), **kwargs):
        super().__init__(**kwargs)
        self.stack = [keras.layers.Dense(w, activation="relu") for w in widths] + [keras.layers.Dense(1)]

    def call(self, x):
        for layer in self.stack:
            x = layer(x)
        return x


class ClippedRegressor(keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.body = Body()
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        return self.body(inputs)

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            prediction = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=prediction)
        grads = tape.gradient(loss, self.trainable_variables)
        clipped, _ = tf.clip_by_global_norm(grads, self.clip_norm)
        self.optimizer.apply(clipped, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}
