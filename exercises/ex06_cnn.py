"""Exercise 6 — convolution and pooling.

A convolutional network is a subclassed model like any other: its layers are
created once in ``__init__`` and bound to ``self``, and ``call()`` runs the
input through them. What is new is the shape of the data, images of shape
``(batch, height, width, channels)``:

* ``Conv2D(filters, 3, padding="same")`` slides ``filters`` 3x3 detectors over
  the image; ``padding="same"`` keeps height and width unchanged, so even a
  2x2 image can be convolved;
* ``MaxPooling2D(2)`` keeps the largest value of each 2x2 window, halving
  height and width;
* a *global* pooling layer (``GlobalAveragePooling2D`` or
  ``GlobalMaxPooling2D``) reduces each feature map to one number, whatever
  its height and width: this is what lets one model classify images of any
  size. (``Flatten`` would tie the classifier to the one size it first saw.)

Fill in the two TODOs, then check your work:

    kerasgrade check exercises/ex06_cnn.py
"""
import tensorflow as tf


class SmallCNN(tf.keras.Model):
    """A small image classifier for images of any size (height and width >= 2).

    Args:
        num_classes: the number of classes; the output is a softmax over them.
        filters: the number of filters (output channels) of the convolution.
        **kwargs: Keras options such as ``name=``, passed on to ``tf.keras.Model``.

    Attributes (bound in ``__init__``):
        self.conv: ``Conv2D(filters, 3, padding="same", activation="relu")``
        self.pool: ``MaxPooling2D(2)``
        a global pooling layer (name it as you like, e.g. ``self.global_pool``):
            ``GlobalAveragePooling2D()`` or ``GlobalMaxPooling2D()``
        self.classifier: ``Dense(num_classes, activation="softmax")``
    """

    def __init__(self, num_classes=2, filters=8, **kwargs):
        # TODO 1: call the parent constructor first, forwarding **kwargs,
        #         then create the four layers listed above and bind each to self.
        #         Use the constructor arguments (filters, num_classes), not fixed numbers.
        raise NotImplementedError("TODO 1: write SmallCNN.__init__")

    def call(self, inputs):
        """Forward pass: images (batch, height, width, channels) -> (batch, num_classes)."""
        # TODO 2: apply the convolution, then the max pooling, then the global
        #         pooling, then the classifier. Create no layer here.
        raise NotImplementedError("TODO 2: write SmallCNN.call")
