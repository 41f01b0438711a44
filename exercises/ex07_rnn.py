"""Exercise 7 — embeddings and recurrence.

Text reaches a model as integer ids, one per token: a batch of sentences is an
integer tensor of shape ``(batch, time)``. A subclassed text classifier is
built like any other model (layers created once in ``__init__``, bound to
``self``, used in ``call()``), from two new kinds of layers:

* ``Embedding(vocab_size, embedding_dim)`` is a trainable table with one row
  of ``embedding_dim`` numbers per id; it turns ``(batch, time)`` ids into
  ``(batch, time, embedding_dim)`` vectors. Every id must be below
  ``vocab_size``.
* a recurrent layer, ``LSTM(units)`` or ``GRU(units)``, reads those vectors
  one time step after the other, carrying a state; with
  ``return_sequences=False`` (the default) it returns only its last output,
  ``(batch, units)``, a summary of the whole sequence *in order*: "not good"
  and "good, not" are different sentences. Wrapping it in
  ``Bidirectional(...)`` reads the sequence both ways.

Averaging the embeddings (``GlobalAveragePooling1D``) would forget the order
of the words: that is what the recurrence is for.

Fill in the two TODOs, then check your work:

    kerasgrade check exercises/ex07_rnn.py
"""
import tensorflow as tf


class TextClassifier(tf.keras.Model):
    """A sequence classifier: ids (batch, time) -> class probabilities (batch, num_classes).

    Args:
        vocab_size: how many different ids there are (ids go from 0 to vocab_size - 1).
        embedding_dim: the size of the vector each id is embedded into.
        rnn_units: the number of units of the recurrent layer.
        num_classes: the number of classes; the output is a softmax over them.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.embedding: ``Embedding(vocab_size, embedding_dim)``
        self.rnn: ``LSTM(rnn_units)`` or ``GRU(rnn_units)`` (``return_sequences=False``),
            optionally wrapped in ``Bidirectional(...)``
        self.classifier: ``Dense(num_classes, activation="softmax")``
    """

    def __init__(self, vocab_size=100, embedding_dim=16, rnn_units=16, num_classes=2, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs,
        #         then create the three layers listed above and bind each to self.
        #         Use the constructor arguments, not fixed numbers.
        raise NotImplementedError("TODO 1: write TextClassifier.__init__")

    def call(self, inputs):
        """Forward pass: integer ids (batch, time) -> (batch, num_classes)."""
        # TODO 2: embed the ids, run the recurrent layer over the sequence, then classify
        #         its last output. Create no layer here.
        raise NotImplementedError("TODO 2: write TextClassifier.call")
