"""Where a mutant's checks run, note what each check saw (``probe`` compares the notes).

For a judged grader the check runs in the judge, so every answer the child gives it is noted
there (``_observed_by_the_judge``); for a grader of the old kind, every outermost eager Keras
call in the child (``install``). Either way the notes travel as the check's data.
"""
from __future__ import annotations

import hashlib
import json
import weakref

import numpy as np

from kerasgrade.grading.expect import leaves
from kerasgrade.mutation.probe import PROBE_KEY

__all__ = ["probe_grader"]

PER_CALL = 4      # numbers kept per call: size, mean, mean |x|, a random projection
MAX_CALLS = 240   # calls kept in full per check (collect keeps 1000 numbers per key)


def _digest(text: str) -> list[float]:
    """A string as three numbers of 16 bits (48 bits of its sha256): any two that differ are
    told apart by the tolerant comparison of ``same_behaviour``."""
    h = hashlib.sha256(text.encode()).hexdigest()
    return [float(int(h[i:i + 4], 16)) for i in (0, 4, 8)]


def _stats(value) -> list[float]:
    flat = np.concatenate([a.ravel() for a in leaves(value)] or [np.zeros(0)])
    if flat.size == 0:
        return [0.0, 0.0, 0.0, 0.0]
    flat = np.nan_to_num(flat, nan=1e30, posinf=1e31, neginf=-1e31)
    weights = np.random.default_rng(flat.size).normal(size=flat.size)  # its own generator
    return [float(flat.size), float(flat.mean()), float(np.abs(flat).mean()), float(flat @ weights)]


def _model_facts(model) -> list[float]:
    """What a model is beyond its outputs: its config, metrics, registration and weights."""
    import keras

    facts = {}
    for key, read in (("config", lambda: model.get_config()),
                      ("metrics", lambda: [m.name for m in model.metrics]),
                      ("registered", lambda: keras.saving.get_registered_name(type(model))),
                      ("weights", lambda: [tuple(w.shape) for w in model.weights])):
        try:
            facts[key] = json.dumps(read(), sort_keys=True, default=lambda o: type(o).__name__)
        except Exception as e:  # noqa: BLE001 - learner code: its failure is a fact too
            facts[key] = f"raised {type(e).__name__}"
    return [-1.0, *(x for k in sorted(facts) for x in _digest(facts[k]))]


class _Recorder:
    """Numbers for each outermost eager call of a Keras layer or model while a check runs."""

    def __init__(self):
        self.depth = 0
        self.on = False
        self.numbers: list[float] = []
        self.calls = 0
        self.models: weakref.WeakSet = weakref.WeakSet()

    def start(self):
        self.on, self.numbers, self.calls, self.depth = True, [], 0, 0
        self.models = weakref.WeakSet()

    def stop(self) -> list[float]:
        self.on = False
        return [float(self.calls), *self.numbers]

    def note(self, layer, out):
        import tensorflow as tf

        if not (self.on and self.depth == 0 and tf.executing_eagerly()):
            return
        self.on = False  # reading the model's facts calls it again: not an observation
        try:
            self.calls += 1
            if self.calls <= MAX_CALLS:
                seen = layer in self.models
                self.models.add(layer)
                self.numbers += _stats(out) + ([] if seen else _model_facts(layer))
        except Exception:  # noqa: BLE001 - an output that cannot be read is not an observation
            pass
        finally:
            self.on = True


recorder = _Recorder()


def install() -> None:
    """Have every Keras layer and model call report its output to ``recorder`` (once per process)."""
    import keras

    original = keras.layers.Layer.__call__
    if getattr(original, "kerasgrade_probe", False):
        return

    def __call__(self, *args, **kwargs):
        recorder.depth += 1
        try:
            out = original(self, *args, **kwargs)
        finally:
            recorder.depth -= 1
        recorder.note(self, out)
        return out

    __call__.kerasgrade_probe = True
    keras.layers.Layer.__call__ = __call__


def _without_identities(value):
    """A description without the child's object identities (memory addresses differ between
    two processes that do the same)."""
    if isinstance(value, dict):
        return {k: _without_identities(v) for k, v in value.items() if k not in ("id", "trainable")}
    if isinstance(value, (list, tuple)):
        return [_without_identities(v) for v in value]
    return value


def _answer_numbers(value) -> list[float]:
    """What the child answered to one request, as numbers: an output's statistics, or a digest
    of anything else it said (a description, a config), identities left out."""
    arrays = value if isinstance(value, (list, tuple)) else list(value.values()) if isinstance(value, dict) else [value]
    if arrays and all(isinstance(a, np.ndarray) for a in arrays):
        return _stats(value)
    return _digest(json.dumps(_without_identities(value), sort_keys=True, default=repr))


def _observed_by_the_judge(fn):
    """A judged check, observed where it runs: every answer the child gives it is noted."""
    from kerasgrade.grading.expect import record

    def check(submission):
        channel, numbers, calls = submission.channel, [], [0]
        ask = channel.request

        def request(op, **args):
            answer = ask(op, **args)
            if op in ("call", "describe", "get", "fit") and calls[0] < MAX_CALLS:
                calls[0] += 1
                numbers.extend(_answer_numbers(answer))
            return answer

        channel.request = request
        try:
            return fn(submission)
        finally:
            channel.request = ask
            record(PROBE_KEY, [float(calls[0]), *numbers])

    check.__name__, check.__doc__ = fn.__name__, fn.__doc__
    check.kerasgrade_check = fn.kerasgrade_check
    return check


def _observed(fn):
    from kerasgrade.grading.in_child import record

    def check(submission):
        recorder.start()
        try:
            return fn(submission)
        finally:
            record(PROBE_KEY, recorder.stop())

    check.__name__, check.__doc__ = fn.__name__, fn.__doc__
    check.kerasgrade_check = fn.kerasgrade_check
    return check


def probe_grader(namespace: dict, grader: str, exercise: str) -> None:
    """Fill a generated grader module's ``namespace`` with the checks of ``grader``, observed."""
    from kerasgrade.checks import checks_of, import_grader

    real = import_grader(grader, f"kerasgrade_observed_grader_{exercise}")
    namespace["__doc__"] = real.__doc__
    judged = bool(getattr(real, "JUDGED", False))
    namespace["JUDGED"] = judged
    if not judged:
        install()
    for spec, fn in checks_of(real):
        namespace[f"observed_{spec.name}"] = _observed_by_the_judge(fn) if judged else _observed(fn)
