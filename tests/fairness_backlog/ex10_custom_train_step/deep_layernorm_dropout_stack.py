"""A deeper body (three Dense -> LayerNormalization -> Dropout blocks, then a Dense(1) head)
built in a helper method and kept in a list, `from tensorflow import keras`,
`keras.utils.unpack_x_y_sample_weight`, `tf.clip_by_global_norm`, `apply_gradients(zip(...))`."""
import tensorflow as tf
from tensorflow import keras


class ClippedRegressor(keras.Model):
    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.body = self._make_body((32, 16, 16), rate=0.1)
        self.head = keras.layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @staticmethod
    def _make_body(widths, rate):
        layers = []
        for width in widths:
            layers += [keras.layers.Dense(width, activation="relu"),
                       keras.layers.LayerNormalization(),
                       keras.layers.Dropout(rate)]
        return layers

    def call(self, inputs, training=None):
        h = inputs
        for layer in self.body:
            h = layer(h, training=training)
        return self.head(h)

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        grads = tape.gradient(loss, self.trainable_variables)
        grads, _ = tf.clip_by_global_norm(grads, self.clip_norm)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}
