"""Turn an exception raised by learner code into a message that teaches.

The message says where in the learner's file it happened (line and code), what
the error was, and, for the mistakes this lesson is about, what it means and
how to fix it.
"""
from __future__ import annotations

import re
import traceback

from kerasgrade.errors import CheckFailed

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

SUBMISSION_MODULE = "submission"

_KNOWN = [
    # (exception type name or None, text in the message, the lesson)
    (None, "super().__init__()",
     "Keras needs its own set-up to run before you bind anything on `self`. Make "
     "`super().__init__(**kwargs)` the first statement of `__init__`."),
    ("AttributeError", "_tracker",
     "Keras could not find its own bookkeeping on the object: `super().__init__(**kwargs)` "
     "was not called (first) in `__init__`."),
    ("AttributeError", "_layers",
     "Keras could not find its own bookkeeping on the object: `super().__init__(**kwargs)` "
     "was not called (first) in `__init__`."),
    ("AttributeError", "_dtype_policy",
     "Keras could not find its own set-up on the object: `super().__init__(**kwargs)` was not "
     "called (first) in `__init__`."),
    ("AttributeError", "_trainable",
     "Keras could not find its own set-up on the object: `super().__init__(**kwargs)` was not "
     "called (first) in `__init__`."),
    ("TypeError", "unexpected keyword argument 'name'",
     "Keras passes `name=`, `dtype=` and `trainable=` to your constructor. Accept `**kwargs` "
     "in `__init__` and forward them: `super().__init__(**kwargs)`."),
    ("TypeError", "unexpected keyword argument",
     "Your constructor does not accept an argument of the contract. Check the signature in "
     "the exercise (names and defaults) and keep `**kwargs` last."),
    (None, "add new elements of state",
     "Layers (and weights) must be created once, in `__init__` (or `build()`), and only used "
     "in `call()`. Move the layer creation out of `call()`."),
    ("NotImplementedError", "",
     "This part is still a TODO: replace the `raise NotImplementedError` with your code."),
    # -- added for ex02: TensorFlow's `keras` (`from tensorflow import keras`) has no `saving`
    ("AttributeError", "has no attribute 'saving'",
     "`from tensorflow import keras` gives TensorFlow's copy of Keras, which has no `keras.saving`. "
     "Write `import keras` and keep `@keras.saving.register_keras_serializable()`, or keep your "
     "import and use `@tf.keras.utils.register_keras_serializable()`."),
]


def submission_frames(exc: BaseException, filename: str | None = None):
    """The traceback frames that lie in the learner's file, innermost last."""
    frames = traceback.extract_tb(exc.__traceback__)
    return [f for f in frames if (filename and f.filename == filename) or f.filename.endswith(
        f"<{SUBMISSION_MODULE}>")]


def where(exc: BaseException, filename: str | None = None) -> str:
    frames = submission_frames(exc, filename)
    if not frames:
        return ""
    f = frames[-1]
    code = f" `{f.line.strip()}`" if f.line else ""
    return f"line {f.lineno} of your file, in {f.name}():{code}"


def message_of(exc: BaseException) -> str:
    """The informative line of an exception's text (Keras wraps it in a generic header)."""
    lines = [ln.strip() for ln in _ANSI.sub("", str(exc)).splitlines() if ln.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        lines = lines[1:]
    return lines[0] if lines else ""


def lesson_for(exc: BaseException) -> str:
    return lesson_for_text(type(exc).__name__, str(exc))


def lesson_for_text(kind_name: str, text: str) -> str:
    """The lesson for an exception known by its type's name and its text (as a child reports it)."""
    text = _ANSI.sub("", text)
    for kind, needle, lesson in _KNOWN:
        if (kind is None or kind_name == kind) and needle in text:
            return lesson
    return ""


def explain(exc: BaseException, doing: str = "", filename: str | None = None) -> str:
    """One paragraph: what was being done, what went wrong where, and what it means."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]  # e.g. hypothesis's FlakyFailure: the learner's own error is inside
    head = f"While {doing}, your code raised" if doing else "Your code raised"
    first = message_of(exc)
    if len(first) > 300:
        first = first[:300] + "..."
    msg = f"{head} {type(exc).__name__}" + (f": {first}" if first else "")
    loc = where(exc, filename)
    if loc:
        msg += f"\n  at {loc}"
    lesson = lesson_for(exc)
    if lesson:
        msg += f"\n  {lesson}"
    return msg


def assertion_message(e: AssertionError, group: BaseException | None = None) -> str:
    """A failed check's message, with hypothesis's smallest failing case: the one path for it.

    The case is in the notes of the failure itself, or, when hypothesis wrapped the failure in
    a group (its FlakyFailure), in the group's notes (the first one is taken)."""
    msg = str(e).strip()
    if not isinstance(e, CheckFailed) and not msg:
        msg = "A check of the contract failed."
    notes = [n for n in getattr(e, "__notes__", []) if n.startswith("Falsifying")]
    if group is not None and "Falsifying" not in msg:
        notes += [n for n in getattr(group, "__notes__", []) if n.startswith("Falsifying")][:1]
    for note in notes:  # "Falsifying example" and "Falsifying explicit example"
        msg += f"\n  Smallest failing case: {falsifying_case(note)}"
    return msg


def falsifying_case(note: str) -> str:
    """``batch=1, n_features=2`` from hypothesis's "Falsifying example: f(...)" note."""
    args = []
    for line in note.splitlines()[1:]:
        line = line.split("#", 1)[0].strip().rstrip(",")
        if "=" in line and not line.startswith("submission="):
            args.append(line)
    if not args and "(" in note:  # the one-line form: f(submission=..., a=1)
        inner = note[note.index("(") + 1: note.rindex(")")]
        args = [a.strip() for a in inner.split(", ") if "=" in a and not a.strip().startswith("submission=")]
    return ", ".join(args)


def out_of_time(check_timeout: float) -> str:
    """What a learner reads when a check ran past its time."""
    return (f"This check did not finish within {check_timeout:g} s. "
            "Look for a loop that never ends, or training inside call().")
