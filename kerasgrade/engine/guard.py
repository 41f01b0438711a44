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
import sys
import types

# The builtins the guard itself uses, as they were when kerasgrade was imported (before any
# submission): a submission that replaces them is then reported instead of fooling the guard.
_callable, _isinstance, _len, _sorted, _vars = callable, isinstance, len, sorted, vars


def _modules(extra: list[types.ModuleType]) -> list[types.ModuleType]:
    import keras
    import numpy
    import numpy.testing

    from kerasgrade import checks, explain
    from kerasgrade.grading import in_child as expect

    runner = sys.modules.get(f"{__package__}.runner")  # the runner that calls the guard
    return [builtins, numpy, numpy.testing, keras.ops, keras.activations, checks, expect, explain,
            *([runner] if runner else []), *extra]


def _classes() -> list[type]:
    import keras

    found = [keras.Model, keras.layers.Layer, keras.Sequential, keras.optimizers.Optimizer]
    found += [c for c in _vars(keras.layers).values() if _isinstance(c, type)]
    return found


_GONE = object()


def _namespaces(extra: list[types.ModuleType]) -> list[tuple[str, object, bool]]:
    """(name, object, is a class) of every module and class whose attributes the checks use."""
    return ([(m.__name__, m, False) for m in _modules(extra)]
            + [(f"{c.__module__}.{c.__qualname__}", c, True) for c in _classes()])


def snapshot(extra: list[types.ModuleType]) -> list[tuple]:
    """What the checks rely on, as it is now: per namespace, its live ``__dict__`` and a copy."""
    return [(name, obj, _vars(obj), dict(_vars(obj)), is_class) for name, obj, is_class in _namespaces(extra)]


def _watched(value, is_class: bool) -> bool:
    return is_class or _callable(value) or _isinstance(value, types.ModuleType)


def _differences(name: str, live, then: dict, is_class: bool) -> list[str]:
    found = []
    for key in {**then, **live}:
        old, new = then.get(key, _GONE), live.get(key, _GONE)
        if old is new:
            continue
        if old is not _GONE and _watched(old, is_class):
            found.append(f"{name}.{key}")  # replaced or removed
        # Python creates a class's empty ``__annotations__`` the first time anything reads
        # it (Keras's model.save() does): that is no tampering.
        elif (new is not _GONE and _watched(new, is_class) and not _isinstance(new, types.ModuleType)
              and not key.endswith("__annotations__")):
            found.append(f"{name}.{key}")  # added
    return found


def changed(snap: list[tuple], extra: list[types.ModuleType]) -> list[str]:
    """The names (``module.name``, ``module.Class.name``) no longer bound to the object in ``snap``.

    Each namespace is compared key by key with ``is`` first (fast: it runs after every
    check); only one that differs is looked at closely. A module or class that is no
    longer the one snapped (``keras.Model = Fake``) counts as replaced as a whole.
    """
    found = []
    now = _namespaces(extra)
    if [o for _, o, _ in now] != [o for _, o, _, _, _ in snap]:
        found += _sorted({n for n, _, _ in now} ^ {n for n, _, _, _, _ in snap}) or ["a module or Keras class"]
    for name, _, live, then, is_class in snap:
        if _len(live) == _len(then):
            for key, value in then.items():
                if live.get(key, _GONE) is not value:
                    break
            else:
                continue
        found += _differences(name, live, then, is_class)
    return _sorted(found)
