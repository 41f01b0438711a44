"""A "wide and deep" regression network: a linear Dense on the raw inputs added to the deep
path's Dense head (a skip connection), `import keras`, `self.optimizer.apply(grads, vars)`, and
the logs returned as `{m.name: m.result() for m in self.metrics}`."""
import keras
import tensorflow as tf


class ClippedRegressor(keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.head = keras.layers.Dense(1)
        self.wide = keras.layers.Dense(1, use_bias=False)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        return self.head(self.hidden(inputs)) + self.wide(inputs)

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        grads, _ = tf.clip_by_global_norm(grads, self.clip_norm)
        self.optimizer.apply(grads, variables)
        self.loss_tracker.update_state(loss)
        return {m.name: m.result() for m in self.metrics}
