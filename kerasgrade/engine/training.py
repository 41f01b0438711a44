"""How the child trains a learner's model when the judge asks it to (``Server.op_fit``).

The judge never believes the losses reported here for a verdict (it measures the trained
model on data the child never saw); they are drawn as the learner's loss curve.
"""
from __future__ import annotations

import numpy as np


def train(model, x, y, *, loss, optimizer, epochs: int, batch_size: int, shuffle_seed: int) -> list[float]:
    """Compile and fit; the loss per epoch.

    What ``fit(x, y, epochs, batch_size)`` does, at about half its fixed cost: the model is
    called once and the optimizer built before ``fit`` (so its step is traced once, not
    twice), and the data is one shuffled, repeated ``tf.data`` pipeline with
    ``steps_per_epoch`` (one iterator, not one per epoch).
    """
    import keras
    import tensorflow as tf

    n = len(keras.tree.flatten(y)[0])
    data = (tf.data.Dataset.from_tensor_slices((x, y))
            .shuffle(n, seed=shuffle_seed, reshuffle_each_iteration=True).batch(batch_size).repeat())
    model.compile(optimizer=optimizer, loss=loss)
    head = keras.tree.map_structure(lambda a: a[:batch_size], (x, y))
    model.compute_loss(*head, y_pred=model(head[0]))  # creates the variables of the loss
    model.optimizer.build(model.trainable_variables)  # and of the optimizer, before fit
    history = model.fit(data, epochs=epochs, steps_per_epoch=-(-n // batch_size), shuffle=False, verbose=0)
    return [float(v) for v in history.history.get("loss", [])][:1000]


def train_eagerly(model, x, y, *, loss, optimizer, epochs: int, batch_size: int) -> list[float]:
    """A plain eager ``GradientTape`` loop; the mean loss per epoch.

    No graph is traced, so a dozen steps of a small CNN or RNN cost about half of what
    ``fit()`` costs.
    """
    import keras
    import tensorflow as tf

    loss_fn, losses = keras.losses.get(loss), []
    for _ in range(epochs):
        values = []
        for i in range(0, len(x), batch_size):
            with tf.GradientTape() as tape:
                value = keras.ops.mean(loss_fn(y[i:i + batch_size], model(x[i:i + batch_size], training=True)))
            weights = model.trainable_weights
            optimizer.apply(tape.gradient(value, weights), weights)
            values.append(float(value))
        losses.append(float(np.mean(values)))
    return losses[:1000]
