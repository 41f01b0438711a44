"""Notice learner code that replaces what the checks rely on.

Before the submission is imported, the child notes the identity of every
function the checks use: Python's builtins (``isinstance``, ``getattr``...),
numpy (``allclose``, ``testing``), ``keras.ops``, the methods of Keras's
``Model`` and built-in layers, and kerasgrade's own check helpers and the
grader. After the import and after every check it looks again; anything
replaced ends the grading of that submission with zero points.

This is defence in depth inside the child, not a proof: code that reads this
file can undo its patches before it is looked at (see docs/SECURITY.md). What
no submission can do, whatever it patches, is touch other students, the
files, or the scores the parent writes.
"""
from __future__ import annotations

import builtins
import inspect
import types


def _modules(extra: list[types.ModuleType]) -> list[types.ModuleType]:
    import keras
    import numpy
    import numpy.testing

    from . import checks, expect, explain, runner

    return [builtins, numpy, numpy.testing, keras.ops, keras.activations, checks, expect, explain,
            runner, *extra]


def _classes() -> list[type]:
    import keras

    found = [keras.Model, keras.layers.Layer, keras.Sequential, keras.optimizers.Optimizer]
    found += [c for c in vars(keras.layers).values() if inspect.isclass(c)]
    return found


def snapshot(extra: list[types.ModuleType]) -> dict[str, object]:
    """``{"module.name": object}`` for every callable the checks may use."""
    snap = {}
    for mod in _modules(extra):
        for name, value in list(vars(mod).items()):
            if callable(value) or isinstance(value, types.ModuleType):
                snap[f"{mod.__name__}.{name}"] = value
    for cls in _classes():
        for name, value in list(vars(cls).items()):
            snap[f"{cls.__module__}.{cls.__qualname__}.{name}"] = value
    return snap


def changed(snap: dict[str, object], extra: list[types.ModuleType]) -> list[str]:
    """The names whose object is no longer the one in ``snap``."""
    now = snapshot(extra)
    replaced = [k for k, v in snap.items() if now.get(k) is not v]
    # Python creates a class's empty ``__annotations__`` the first time anything reads it
    # (Keras's model.save() does): that is no tampering.
    added = [k for k, v in now.items() if k not in snap and not isinstance(v, types.ModuleType)
             and not k.endswith(".__annotations__")]
    return sorted(replaced + added)
