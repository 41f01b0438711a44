"""Exercise 10 — your own training step.

``model.fit()`` calls ``model.train_step(data)`` once per batch. Keras's default step does the
forward pass, the loss, the gradients and the update. Overriding ``train_step`` in a subclassed
model lets you change what one step does while keeping everything ``fit()`` gives you
(batching, epochs, callbacks, the history). Here the step clips the gradients by their
**global norm** before applying them, so that one step can never move the weights too far.

A training step, in Keras 3 with TensorFlow:

* ``x, y = data`` — ``fit(x, y)`` hands the step one batch as a tuple;
* under ``tf.GradientTape()``, the forward pass ``self(x, training=True)`` (layers such as
  Dropout behave differently in training) and the loss that ``compile()`` was given,
  ``self.compute_loss(x=x, y=y, y_pred=y_pred)``;
* the gradients of that loss with respect to ``self.trainable_variables``;
* the update, with the optimizer that ``compile()`` was given: ``self.optimizer``;
* the metrics: ``fit()`` shows (and keeps in its history) what the step returns.

Fill in the TODOs, then check your work:

    kerasgrade check exercises/ex10_custom_train_step.py
"""
import tensorflow as tf


class ClippedRegressor(tf.keras.Model):
    """A small regression network trained with gradients clipped by their global norm.

    Args:
        clip_norm: the largest global norm the gradients of one step may have. If the
            gradients of all the variables, taken together as one long vector, are longer
            than this, they are all scaled down by the same factor to this length.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.loss_tracker: ``keras.metrics.Mean(name="loss")``, the mean loss of the epoch.
        The layers of the network are yours to choose (for example ``Dense(16, "relu")``
        then ``Dense(1)``); the output has one unit and no activation.
    """

    def __init__(self, clip_norm=1.0, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs. Then keep clip_norm on
        #         self, create the layers of a small regression network, and create
        #         self.loss_tracker = tf.keras.metrics.Mean(name="loss").
        raise NotImplementedError("TODO 1: write ClippedRegressor.__init__")

    def call(self, inputs, training=None):
        """Forward pass: ``inputs`` of shape (batch, features) -> (batch, 1)."""
        # TODO 2: pass the inputs through your layers; the last one is Dense(1), linear.
        raise NotImplementedError("TODO 2: write ClippedRegressor.call")

    @property
    def metrics(self):
        """The metrics Keras resets at the start of each epoch (and of ``evaluate()``)."""
        # TODO 3: return a list holding self.loss_tracker.
        raise NotImplementedError("TODO 3: write the ClippedRegressor.metrics property")

    def train_step(self, data):
        """One step of training on one batch ``data = (x, y)``; returns ``{"loss": ...}``."""
        # TODO 4: x, y = data
        #         with tf.GradientTape() as tape:
        #             forward pass with training=True, then the compiled loss
        #             (self.compute_loss(x=x, y=y, y_pred=y_pred))
        #         the gradients of the loss with respect to self.trainable_variables,
        #         clipped *together* with tf.clip_by_global_norm(grads, self.clip_norm)
        #         (not one by one with tf.clip_by_norm), applied with
        #         self.optimizer.apply(grads, self.trainable_variables);
        #         then self.loss_tracker.update_state(loss) and
        #         return {"loss": self.loss_tracker.result()}.
        raise NotImplementedError("TODO 4: write ClippedRegressor.train_step")
