"""Where a mutant's checks run, note what each check saw (``probe`` compares the notes).

The check runs in the judge, so every answer the child gives it is noted there
(``_observed_by_the_judge``); the notes travel as the check's data.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np

from kerasgrade.grading.expect import leaves
from kerasgrade.mutation.probe import PROBE_KEY

__all__ = ["probe_grader"]

MAX_CALLS = 240   # answers kept per check (collect keeps 1000 numbers per key)


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


def probe_grader(namespace: dict, grader: str, exercise: str) -> None:
    """Fill a generated grader module's ``namespace`` with the checks of ``grader``, observed."""
    from kerasgrade.checks import checks_of
    from kerasgrade.engine.judge import import_judged_grader

    real = import_judged_grader(grader, f"kerasgrade_observed_grader_{exercise}")
    namespace["__doc__"] = real.__doc__
    namespace["JUDGED"] = True
    for spec, fn in checks_of(real):
        namespace[f"observed_{spec.name}"] = _observed_by_the_judge(fn)
