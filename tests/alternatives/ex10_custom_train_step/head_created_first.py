"""Correct, in another style: the layers created in __init__ in another order than call() applies
them (the head first), the step as in the reference."""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    """A small regression network whose training step clips gradients by global norm."""

    def __init__(self, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_norm = clip_norm
        self.head = tf.keras.layers.Dense(1)
        self.hidden = tf.keras.layers.Dense(16, activation="relu")
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")

    def call(self, inputs, training=None):
        return self.head(self.hidden(inputs))

    @property
    def metrics(self):
        # Keras resets the metrics listed here at the start of every epoch.
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
