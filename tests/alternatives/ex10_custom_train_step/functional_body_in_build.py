"""Correct, in another style: the named layers bound on `self` in `__init__`, and a functional
`keras.Model(inputs, outputs)` body drawn from them in `build()` on a `keras.Input` probe of the
input's width (unknown in `__init__`), called from call(); the step as in the lesson."""
import keras
import tensorflow as tf


class ClippedRegressor(keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.head = keras.layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def build(self, input_shape):
        probe = keras.Input(shape=tuple(input_shape[1:]))
        self.body = keras.Model(probe, self.head(self.hidden(probe)), name="body")
        super().build(input_shape)

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
