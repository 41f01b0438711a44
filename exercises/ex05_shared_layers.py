"""Exercise 5 — one layer, used twice.

A layer is an object that owns its weights. Calling the *same* layer object on
two inputs applies the *same* weights to both: the layer is shared. A siamese
network uses this to compare two inputs: one encoder embeds both, and a small
head decides from the distance between the embeddings whether they are alike.

Because the encoder is shared, the model has the weights of one encoder, not
two, and swapping the inputs cannot change the answer when the distance is
symmetric: ``|embed(a) - embed(b)| == |embed(b) - embed(a)|``.

Fill in the three TODOs, then check your work:

    kerasgrade check exercises/ex05_shared_layers.py
"""
import tensorflow as tf


class SiameseNet(tf.keras.Model):
    """Says how likely two inputs are to be "the same".

    Args:
        embedding_dim: the size of the embedding the encoder produces.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.encoder: one layer, or one ``tf.keras.Sequential`` of layers, whose last
            layer has ``embedding_dim`` units.
        self.head: ``Dense(1, activation="sigmoid")``.
    """

    def __init__(self, embedding_dim=16, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs. Then bind
        #         self.encoder (for example Dense(embedding_dim, activation="relu"), or a
        #         Sequential whose last layer has embedding_dim units) and
        #         self.head = Dense(1, activation="sigmoid").
        #         Create ONE encoder: it will be used for both inputs.
        raise NotImplementedError("TODO 1: write SiameseNet.__init__")

    def embed(self, x):
        """Embed a batch: ``(batch, features)`` -> ``(batch, embedding_dim)``."""
        # TODO 2: return the encoder's output for x.
        raise NotImplementedError("TODO 2: write SiameseNet.embed")

    def call(self, inputs):
        """Forward pass.

        Args:
            inputs: a pair ``(a, b)`` of arrays of shape ``(batch, features)``.

        Returns:
            ``(batch, 1)``: the probability that ``a`` and ``b`` are alike.
        """
        # TODO 3: unpack the pair, embed a and b with self.embed (the same encoder for
        #         both), take the absolute difference tf.abs(emb_a - emb_b), and return
        #         the head's output on it.
        raise NotImplementedError("TODO 3: write SiameseNet.call")
