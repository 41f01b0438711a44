"""Lessons for the exceptions a learner's code raises (kerasgrade.explain)."""
from kerasgrade.explain import lesson_for_text


def test_tensorflows_keras_without_saving_teaches_both_ways_to_register():
    # What TensorFlow 2.21 raises for `from tensorflow import keras` + `keras.saving...`.
    lesson = lesson_for_text("AttributeError", "module 'keras._tf_keras.keras' has no attribute 'saving'")
    assert "`import keras`" in lesson and "tf.keras.utils.register_keras_serializable" in lesson


def test_other_missing_attributes_get_no_lesson_about_saving():
    assert "saving" not in lesson_for_text("AttributeError", "'Dense' object has no attribute 'kernal'")
