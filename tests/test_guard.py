"""The guard names what a submission replaced among the functions the checks rely on, and nothing else."""
import builtins

import keras
import numpy
import pytest

from kerasgrade.engine import guard


@pytest.fixture
def snap():
    return guard.snapshot([])


def test_nothing_changed_is_nothing_reported(snap):
    keras.layers.Dense.__annotations__  # noqa: B018 - Python creates it on first read: not tampering
    assert guard.changed(snap, []) == []


def test_a_replaced_keras_method_is_named(snap, monkeypatch):
    monkeypatch.setattr(keras.Model, "fit", lambda *a, **k: None)
    assert guard.changed(snap, []) == ["keras.src.models.model.Model.fit"]


def test_a_function_replaced_by_a_value_or_removed_is_named(snap, monkeypatch):
    monkeypatch.setattr(keras.ops, "matmul", None)
    monkeypatch.delattr(numpy, "allclose")
    assert guard.changed(snap, []) == ["keras.ops.matmul", "numpy.allclose"]


def test_an_added_function_is_named_but_not_a_constant(snap, monkeypatch):
    monkeypatch.setattr(numpy, "kerasgrade_constant", 3, raising=False)
    assert guard.changed(snap, []) == []
    monkeypatch.setattr(numpy, "kerasgrade_helper", lambda: 0, raising=False)
    assert guard.changed(snap, []) == ["numpy.kerasgrade_helper"]


def test_a_class_swapped_for_another_is_named(snap, monkeypatch):
    class Fake(keras.Model):
        pass

    monkeypatch.setattr(keras, "Model", Fake)
    assert "keras.src.models.model.Model" in guard.changed(snap, [])


def test_the_guard_is_not_fooled_by_the_builtins_it_uses(snap):
    originals = builtins.isinstance, builtins.len
    builtins.isinstance, builtins.len = (lambda obj, cls: True), (lambda obj: 0)
    try:  # put back before pytest, which needs them too, runs again
        found = guard.changed(snap, [])
    finally:
        builtins.isinstance, builtins.len = originals
    assert found == ["builtins.isinstance", "builtins.len"]
