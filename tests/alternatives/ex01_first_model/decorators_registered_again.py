"""Correct, in another style: decorators everywhere (registration, property, cached_property,
staticmethod, classmethod, functools.wraps over tf.function(reduce_retracing=True)), the class
registered again after its statement and given a class attribute."""
import functools
import tensorflow as tf
import keras


def logged(f):
    @functools.wraps(f)
    def inner(*a, **k):
        return f(*a, **k)
    return inner


@keras.saving.register_keras_serializable(package="course")
class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
        self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

    @property
    def depth(self):
        return 2

    @functools.cached_property
    def size(self):
        return 2

    @staticmethod
    def helper(x):
        return x

    @classmethod
    def make(cls):
        return cls()

    @tf.autograph.experimental.do_not_convert
    def extra(self, x):
        return x

    @logged
    @tf.function(reduce_retracing=True)
    def call(self, inputs):
        return self.classifier(self.hidden(inputs))


SimpleMLP = keras.saving.register_keras_serializable(package="again")(SimpleMLP)
SimpleMLP.VERSION = 2
