"""Run one grader's checks on one submission, inside the (isolated) child.

This is the only module that executes learner code. It reports what it
observed as events (plain dicts) through ``emit``; it does not score:
the trusted parent turns events into results (``collect.py``).
"""
from __future__ import annotations

import linecache
import random
import signal
import sys
import types
import warnings
from pathlib import Path

from kerasgrade.checks import checks_of
from kerasgrade.engine import guard
from kerasgrade.errors import CheckTimeout
from kerasgrade.explain import (
    SUBMISSION_MODULE,
    assertion_message,
    explain,
    out_of_time,
)
from kerasgrade.source import read_source


class LoadError(Exception):
    """The submission could not be imported; the message is for the learner."""


def read_source_or_error(path: str | Path, raw: bytes | None = None):
    """The submission's ``(code, notes)`` (from its bytes ``raw`` if given), or the ``LoadError``
    that explains why not."""
    try:
        return read_source(path, raw)
    except (OSError, ValueError, RecursionError) as e:
        return LoadError(str(e))


def load_submission(path: str | Path, source=None) -> tuple[types.ModuleType, list[str]]:
    """Execute the learner's file (or its already read ``source``) as the module ``submission``."""
    path = Path(path)
    source = source if source is not None else read_source_or_error(path)
    if isinstance(source, LoadError):
        raise source
    code, notes = source
    filename = str(path.absolute())
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    module = types.ModuleType(SUBMISSION_MODULE)
    module.__file__ = filename
    sys.modules[SUBMISSION_MODULE] = module
    try:
        compiled = compile(code, filename, "exec")
    except SyntaxError as e:
        raise LoadError(f"Python cannot read your file: {e.msg} at line {e.lineno}"
                        + (f": `{e.text.strip()}`" if e.text else "")
                        + "\n  Fix the syntax error first; no check can run before the file imports.") from None
    try:
        exec(compiled, module.__dict__)
    except CheckTimeout:
        raise LoadError("Importing your file did not finish in time: is there a loop or "
                        "training at the top level? Put experiments under "
                        "`if __name__ == \"__main__\":`.") from None
    except BaseException as e:  # noqa: BLE001 - any failure of learner code is its result
        raise LoadError(explain(e, "importing your file", filename)
                        + "\n  No check can run before the file imports.") from None
    return module, notes


def seed_everything(seed: int) -> None:
    import keras
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def _on_alarm(signum, frame):
    raise CheckTimeout()


def run_check(fn, submission, *, seed: int, check_timeout: float, filename: str | None = None) -> dict:
    """Run one check in a fresh, seeded Keras session; the event it produces.

    Shared by the grading child and the nbgrader notebooks, so both score alike.
    """
    import keras

    from kerasgrade.grading import in_child as expect

    signal.signal(signal.SIGALRM, _on_alarm)
    warnings.filterwarnings("ignore", module="keras")  # Keras's own advice is noise to a learner
    keras.backend.clear_session(free_memory=False)
    seed_everything(seed)
    expect.recorded.clear()
    signal.setitimer(signal.ITIMER_REAL, check_timeout)
    try:
        fn(submission)
        passed, message = True, ""
    except CheckTimeout:
        passed, message = False, out_of_time(check_timeout)
    except AssertionError as e:  # CheckFailed and hypothesis-wrapped assertion failures
        passed, message = False, assertion_message(e)
    except BaseException as e:  # noqa: BLE001 - learner code may raise anything, SystemExit too
        passed, message = False, explain(e, filename=filename)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    event = {"check": fn.kerasgrade_check.name, "passed": passed, "message": message}
    if expect.recorded:
        event["data"] = dict(expect.recorded)
    return event


def run_checks(grader: types.ModuleType, submission_path: str | Path, *, include_hidden: bool,
               check_timeout: float, seed: int, emit, source=None) -> None:
    """Load the submission, run each check on it and ``emit`` one event per check."""
    signal.signal(signal.SIGALRM, _on_alarm)
    checks = [(s, fn) for s, fn in checks_of(grader) if include_hidden or not s.hidden]
    filename = str(Path(submission_path).absolute())
    seed_everything(seed)
    snap = guard.snapshot([grader])
    signal.setitimer(signal.ITIMER_REAL, check_timeout)
    try:
        submission, notes = load_submission(submission_path, source)
    except LoadError as e:
        emit({"load_error": str(e)})
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    for note in notes:
        emit({"note": note})
    for spec, fn in [(None, None), *checks]:
        if spec is not None:
            emit(run_check(fn, submission, seed=seed, check_timeout=check_timeout, filename=filename))
        replaced = guard.changed(snap, [grader])
        if replaced:
            emit({"tampered": replaced[:20]})
            return
