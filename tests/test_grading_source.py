"""Facts the judge reads from a submission's source (kerasgrade.grading.source)."""
from kerasgrade.grading.source import Source, traced_methods

CODE = '''
import tensorflow as tf
from tensorflow import function as compiled


class Net(tf.keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    @tf.function
    def call(self, inputs):
        return inputs

    @compiled(reduce_retracing=True)
    def embed(self, x):
        return x

    @staticmethod
    def helper(x):
        return x
'''


def test_tf_function_is_found_in_each_spelling_and_other_decorators_are_not():
    assert traced_methods(Source(CODE), "Net") == ["call", "embed"]


def test_tf_function_on_call_leaves_the_super_call_found_first():
    call = Source(CODE).super_call("Net")
    assert call.found and call.first and call.forwards_kwargs


def test_an_unknown_class_or_unreadable_source_has_no_traced_methods():
    assert traced_methods(Source(CODE), "Other") == [] and traced_methods(Source("def ("), "Net") == []
