"""Correct, in another style: `from tensorflow import keras`, super(Cls, self), `@tf.function`
on train_step, unpack_x_y_sample_weight, the deprecated-but-working compiled_loss, clip_norm= by
keyword, apply_gradients(zip(...)), the metrics returned from self.metrics."""
import tensorflow as tf
from tensorflow import keras


class ClippedRegressor(keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super(ClippedRegressor, self).__init__(**kwargs)
        self.clip_norm = clip_norm
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.head = keras.layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=False):
        return self.head(self.hidden(inputs, training=training))

    @property
    def metrics(self):
        return [self.loss_tracker]

    @tf.function
    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred)
        grads = tape.gradient(loss, self.trainable_weights)
        clipped, _ = tf.clip_by_global_norm(grads, clip_norm=self.clip_norm)
        self.optimizer.apply_gradients(zip(clipped, self.trainable_weights))
        self.loss_tracker.update_state(loss)
        return {m.name: m.result() for m in self.metrics}
