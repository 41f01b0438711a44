"""The wire between the judge and the child that runs a submission: framed, typed, bounded.

Every message is one *frame*: a 4-byte big-endian length, then that many bytes of UTF-8
JSON. Values are JSON's own (``None``, booleans, numbers, strings, lists, dicts with
string keys) plus two tagged forms:

* an array: ``{"$nd": [dtype, shape, base64 of the C-ordered bytes]}``, dtype one of
  ``ARRAY_DTYPES``;
* a reference to an object that lives in the child: ``{"$ref": n}`` (a model, a class);
* a tuple: ``{"$tuple": [...]}`` (a learner's code may add ``hidden_sizes + (n,)``).

Nothing is ever unpickled. ``decode`` is the one door through which a child's bytes
enter the judge: it enforces the size of the frame, the depth and breadth of the
nesting, the size of each string, array and integer, refuses NaN and infinities outside
arrays and text that is not valid Unicode, and raises ``ProtocolError`` for anything
else. Everything after it works on values that cannot be malformed.

A request is ``{"id": n, "op": name, "args": {...}, "deadline": seconds}``; an answer
is ``{"id": n, "ok": value}`` or ``{"id": n, "error": {...}}`` (``RemoteError``'s
fields), parsed by ``parse_answer`` into an ``Answer``.
"""
from __future__ import annotations

import base64
import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass

import numpy as np

MAX_FRAME = 64 << 20          # bytes of one message (the largest is a training set, ~1 MB)
MAX_DEPTH = 24                # nesting of lists and dicts
MAX_ITEMS = 200_000           # list items and dict keys in one message, all told
MAX_TEXT = 256 << 10          # characters of one string
MAX_INT_DIGITS = 30           # an integer beyond 10**30 is not a size nor a count
MAX_ARRAY_BYTES = 32 << 20
MAX_NDIM = 8
ARRAY_DTYPES = ("float32", "float64", "int32", "int64", "uint8", "bool")
_HEADER = struct.Struct(">I")


class ProtocolError(Exception):
    """The other side sent something that is not a valid message (hostile or broken)."""


class ChannelClosed(ProtocolError):
    """The other side hung up (it ended, crashed or was killed)."""


class ChannelTimeout(ProtocolError):
    """The other side did not answer within the time it had."""


@dataclass(frozen=True)
class Ref:
    """An object that lives in the child (``{"$ref": n}`` on the wire)."""
    id: int


# -- encoding (both sides) -------------------------------------------------------------------

def _plain(value, depth=0):
    if depth > MAX_DEPTH:
        raise ProtocolError("the value is nested too deeply to send")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):  # JSON has no NaN: send it as a 0-d array
            return _array(np.asarray(value, dtype="float64"))
        return value
    if isinstance(value, Ref):
        return {"$ref": value.id}
    if isinstance(value, np.ndarray) or (hasattr(value, "__array__") and not isinstance(value, (list, tuple, dict))):
        return _array(np.asarray(value))
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, tuple):
        return {"$tuple": [_plain(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    raise ProtocolError(f"cannot send a {type(value).__name__}")


def _array(a: np.ndarray) -> dict:
    if a.dtype.name not in ARRAY_DTYPES:
        a = a.astype("float64" if a.dtype.kind == "f" else "int64" if a.dtype.kind in "iu" else "float32")
    shape = list(a.shape)
    a = np.ascontiguousarray(a)  # (at least 1-d: the shape is sent as it was)
    return {"$nd": [a.dtype.name, shape, base64.b64encode(a.tobytes()).decode("ascii")]}


def encode(message) -> bytes:
    body = json.dumps(_plain(message), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8", "strict")
    if len(body) > MAX_FRAME:
        raise ProtocolError(f"a message of {len(body)} bytes is larger than the limit ({MAX_FRAME})")
    return _HEADER.pack(len(body)) + body


# -- decoding: the one door for a child's bytes ------------------------------------------------

def _reject_constant(name):
    raise ProtocolError(f"{name} is not a number this protocol accepts")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ProtocolError(f"an integer of {len(text)} digits")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ProtocolError(f"the number {text[:40]} is out of range")
    return value


class _Budget:
    def __init__(self):
        self.items = 0

    def take(self, n: int):
        self.items += n
        if self.items > MAX_ITEMS:
            raise ProtocolError(f"more than {MAX_ITEMS} items in one message")


def _check_text(s: str) -> str:
    if len(s) > MAX_TEXT:
        raise ProtocolError(f"a string of {len(s)} characters (the limit is {MAX_TEXT})")
    try:
        s.encode("utf-8", "strict")
    except UnicodeEncodeError:
        raise ProtocolError("a string that is not valid Unicode (a lone surrogate)") from None
    return s


def _decode_array(spec) -> np.ndarray:
    if not (isinstance(spec, list) and len(spec) == 3 and all(isinstance(s, t) for s, t in
                                                             zip(spec, (str, list, str)))):
        raise ProtocolError("a malformed array")
    dtype, shape, data = spec
    if dtype not in ARRAY_DTYPES:
        raise ProtocolError(f"an array of dtype {dtype[:20]!r}")
    if len(shape) > MAX_NDIM or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d
                                        for d in shape):
        raise ProtocolError("an array with an invalid shape")
    size = np.dtype(dtype).itemsize
    for d in shape:
        if d > MAX_ARRAY_BYTES:
            raise ProtocolError("an array with a dimension larger than the limit")
        size *= d
        if size > MAX_ARRAY_BYTES:
            raise ProtocolError("an array larger than the limit")
    if len(data) != 4 * math.ceil(size / 3):
        raise ProtocolError("an array whose data does not match its shape")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raise ProtocolError("an array whose data is not base64") from None
    if len(raw) != size:
        raise ProtocolError("an array whose data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _parse(value, depth: int, budget: _Budget):
    if depth > MAX_DEPTH:
        raise ProtocolError("a value nested too deeply")
    if isinstance(value, str):
        return _check_text(value)
    if isinstance(value, list):
        budget.take(len(value))
        return [_parse(v, depth + 1, budget) for v in value]
    if isinstance(value, dict):
        budget.take(len(value))
        if len(value) == 1 and "$nd" in value:
            return _decode_array(value["$nd"])
        if len(value) == 1 and "$ref" in value:
            n = value["$ref"]
            if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < 1 << 31:
                raise ProtocolError("a malformed object reference")
            return Ref(n)
        if len(value) == 1 and "$tuple" in value and isinstance(value["$tuple"], list):
            budget.take(len(value["$tuple"]))
            return tuple(_parse(v, depth + 1, budget) for v in value["$tuple"])
        return {_check_text(k): _parse(v, depth + 1, budget) for k, v in value.items()}
    return value  # None, bool, a bounded int, a finite float


def decode(body: bytes):
    """Parse one frame's body into plain values, arrays and ``Ref``s, or raise ``ProtocolError``."""
    if len(body) > MAX_FRAME:
        raise ProtocolError("a message larger than the limit")
    # Items are counted before json builds them (base64 holds none of these bytes), so that a
    # frame of a million empty lists costs no memory.
    if body.count(b",") + body.count(b"[") + body.count(b"{") > 2 * MAX_ITEMS:
        raise ProtocolError(f"more than {MAX_ITEMS} items in one message")
    try:
        text = body.decode("utf-8", "strict")
        raw = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float,
                         parse_constant=_reject_constant)
    except ProtocolError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ProtocolError(f"not a valid message ({type(e).__name__})") from None
    try:
        return _parse(raw, 0, _Budget())
    except ProtocolError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever numpy or Python refuses is a malformed message
        raise ProtocolError(f"not a valid message ({type(e).__name__})") from None


# -- reading and writing frames on a file descriptor ------------------------------------------

def send(fd: int, message) -> None:
    data = memoryview(encode(message))
    while data:
        n = os.write(fd, data)
        data = data[n:]


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ChannelTimeout("no answer in time")
        try:
            chunk = os.read(fd, min(n - got, 1 << 20))
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            raise ChannelClosed("the other side hung up")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive(fd: int, deadline: float | None = None):
    """One decoded message; ``deadline`` is a ``time.monotonic()`` instant (None: wait)."""
    (length,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if length > MAX_FRAME:
        raise ProtocolError(f"a message of {length} bytes announced (the limit is {MAX_FRAME})")
    return decode(_read_exactly(fd, length, deadline))


# -- requests and answers ---------------------------------------------------------------------

@dataclass(frozen=True)
class RemoteError:
    """What the child says went wrong in the learner's code while doing a request.

    ``kind`` is the exception's type name, ``text`` its informative line, ``where`` the
    learner's line, ``lesson`` what it means for this course, ``timeout`` whether the
    child's own alarm stopped it. All of it is the child's word: shown to the learner,
    never trusted for a verdict.
    """
    kind: str
    text: str = ""
    where: str = ""
    lesson: str = ""
    timeout: bool = False

    FIELDS = ("kind", "text", "where", "lesson", "timeout")


@dataclass(frozen=True)
class Answer:
    id: int
    ok: object = None
    error: RemoteError | None = None


def _short(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def parse_answer(message) -> Answer:
    """An answer as the child sent it, checked for its form (not for its truth)."""
    if not isinstance(message, dict) or not isinstance(message.get("id"), int) or isinstance(
            message.get("id"), bool):
        raise ProtocolError("an answer without an id")
    keys = set(message) - {"id"}
    if keys == {"ok"}:
        return Answer(message["id"], ok=message["ok"])
    if keys == {"error"} and isinstance(message["error"], dict):
        e = message["error"]
        return Answer(message["id"], error=RemoteError(
            kind=_short(e.get("kind"), 80) or "Error", text=_short(e.get("text"), 600),
            where=_short(e.get("where"), 400), lesson=_short(e.get("lesson"), 600),
            timeout=e.get("timeout") is True))
    raise ProtocolError("an answer that is neither ok nor error")
