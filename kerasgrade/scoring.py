"""Turn what a child reported into a scored ``ExerciseResult`` (in the trusted parent).

The child only says which checks passed; the points come from the grader's
catalogue, read before any learner code ran. Anything malformed, unknown,
duplicated or missing counts as a failed check, never as a grader crash.
"""
from __future__ import annotations

import math

from kerasgrade.result import ERROR, GRADED, TIMEOUT, CheckResult, ExerciseResult

MAX_MESSAGE = 4000


def _text(value) -> str:
    """A message as it may be shown and written anywhere: a string, bounded, valid UTF-8."""
    if not isinstance(value, str):
        return ""
    return value[:MAX_MESSAGE].encode("utf-8", "replace").decode("utf-8")


def _number(x) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    try:
        value = float(x)
    except OverflowError:  # an integer beyond any float (10**400)
        return None
    return max(-1e12, min(1e12, value)) if math.isfinite(value) else None


def _data(value) -> dict:
    """Only small dicts of finite, bounded number lists pass: {"loss": [0.9, 0.5, ...]}."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for k, v in list(value.items())[:8]:
        if isinstance(k, str) and isinstance(v, list):
            numbers = [_number(x) for x in v[:1000]]
            if all(n is not None for n in numbers):
                out[_text(k)[:40]] = numbers
    return out


def score(student: str, exercise: str, catalogue: list[dict], events: list, *,
          ended: str, detail: str = "", include_hidden: bool = True, output: str = "",
          file: str = "", fingerprint: str = "", seconds: float = 0.0) -> ExerciseResult:
    """``ended`` is how the child ended: ``ok``, ``timeout`` or ``crash`` (``detail`` says how)."""
    specs = [c for c in catalogue if include_hidden or not c["hidden"]]
    known = {c["name"] for c in specs}
    seen: dict[str, tuple[bool, str, dict]] = {}
    duplicated: set[str] = set()
    notes, load_error, violation = [], "", ""
    for ev in events:
        if not isinstance(ev, dict):
            continue
        if "violation" in ev:
            violation = _text(ev["violation"])[:300] or "?"
        elif "load_error" in ev:
            load_error = _text(ev["load_error"])
        elif "note" in ev:
            notes.append(_text(ev["note"]))
        elif isinstance(ev.get("check"), str) and ev["check"] in known:
            name = ev["check"]
            if name in seen:
                duplicated.add(name)
            seen[name] = (ev.get("passed") is True, _text(ev.get("message", "")), _data(ev.get("data")))

    if violation:
        ended, load_error = "ok", (
            f"Grading stopped: the grader's questions to your code were answered out of turn "
            f"({violation}). Only kerasgrade's request server may write on that channel; code that "
            "writes to inherited file descriptors or replaces kerasgrade's functions causes this. "
            "This exercise scores 0.")
        seen = {}
    if ended == "timeout":
        unfinished = f"Not run: the submission went past its time limit ({detail})."
    elif ended == "crash":
        unfinished = f"Not run: the submission's process ended abruptly ({detail})."
    else:
        unfinished = load_error or "Not run: the grader received no result for this check."

    checks = []
    for c in specs:
        passed, message, data = seen.get(c["name"], (False, unfinished, {}))
        if c["name"] in duplicated:
            passed, message = False, "This check reported more than one result; none is trusted."
        checks.append(CheckResult(c["name"], c["title"], c["concept"],
                                  c["points"] if passed else 0.0, c["points"], passed,
                                  c["hidden"], message, data))

    if ended == "timeout":
        status, message = TIMEOUT, f"Stopped after {detail}: the code did not finish in time."
    elif ended == "crash":
        status, message = ERROR, f"The grading process ended abruptly: {detail}."
    elif load_error:
        status, message = ERROR, load_error
    else:
        status, message = GRADED, ""
    if notes:
        message = "\n".join(filter(None, [message, *notes]))
    return ExerciseResult(student, exercise, status, tuple(checks), message, output, file, fingerprint,
                          seconds=seconds)
