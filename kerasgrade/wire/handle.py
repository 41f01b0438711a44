"""The judge's side of the wire: a handle on the submission, whose operations are requests.

``Channel`` sends one request at a time to the child (``server.Server``) and waits, within
the check's time, for the answer to *that* request: an answer with another id, one that
does not parse, or silence past the deadline means the child is no longer to be believed,
and every later request fails at once (``ChildLost``). An exception of the learner's code
comes back as ``LearnerError``, which a check turns into its message with ``doing``.

``LocalChannel`` serves the same requests in the current process (the learner's notebook
kernel, where nbgrader runs the checks by design), through the same encoding, so that a
check scores alike on both.

``Remote`` is an object in the child, named by its ``Ref``: graders call it, read its
attributes, describe it, set its weights; every answer is plain data the check verifies.
"""
from __future__ import annotations

import os
import select
import time
from enum import Enum

from kerasgrade.wire import protocol
from kerasgrade.wire.protocol import ProtocolError, Ref, RemoteError

GRACE = 1.0  # seconds the judge waits beyond a request's deadline (the child's own alarm)


class Lost(str, Enum):
    """How the judge lost a child: the one word for it in the judge's events (``"lost"``),
    which the zygote reads to tell the instructor how the grading ended."""
    TIMEOUT = "timeout"      # no answer within the check's time
    ENDED = "ended"          # the child's process ended (or its socket failed)
    VIOLATION = "violation"  # it answered out of turn, or with what the protocol refuses

    @classmethod
    def of(cls, value) -> "Lost | None":
        """The kind named by an event's field; None for anything else."""
        try:
            return cls(value)
        except ValueError:
            return None


class ChildLost(BaseException):
    """The child stopped answering, or answered out of turn: nothing more is asked of it.

    A ``BaseException``: no check, and no hypothesis example, may go on after it.
    """


class OutOfTime(BaseException):
    """The check's time ran out (the child's alarm stopped the learner's code)."""


class LearnerError(Exception):
    """The learner's code raised while the child did a request."""

    def __init__(self, error: RemoteError, op: str):
        super().__init__(f"{error.kind}: {error.text}")
        self.error, self.op = error, op


class Channel:
    """Requests to one child over a socket; one check's time budget at a time."""

    def __init__(self, fd: int, default_budget: float = 10.0):
        self.fd = fd
        self.next_id = 1
        self.lost = ""              # why the child is no longer asked anything
        self.lost_kind: Lost | None = None
        self.default_budget = default_budget
        self.deadline: float | None = None  # the running check's deadline (time.monotonic)
        self.by_op: dict[str, list] = {}  # for the benchmarks: op -> [requests, seconds waited]

    def start_check(self, budget: float) -> None:
        self.deadline = time.monotonic() + budget

    def request(self, op: str, **args):
        if self.lost:
            raise ChildLost(self.lost)
        left = (self.deadline - time.monotonic()) if self.deadline is not None else self.default_budget
        if left <= 0:
            raise OutOfTime()
        rid, self.next_id = self.next_id, self.next_id + 1
        sent = time.monotonic()
        try:
            protocol.send(self.fd, {"id": rid, "op": op, "args": args, "deadline": round(left, 3)})
            answer = protocol.parse_answer(protocol.receive(self.fd, time.monotonic() + left + GRACE))
            tally = self.by_op.setdefault(op, [0, 0.0])
            tally[0], tally[1] = tally[0] + 1, tally[1] + time.monotonic() - sent
        except protocol.ChannelTimeout:
            self.lost, self.lost_kind = f"it did not answer within {left + GRACE:.1f} s", Lost.TIMEOUT
        except protocol.ChannelClosed:
            self.lost, self.lost_kind = "its process ended", Lost.ENDED
        except ProtocolError as e:
            self.lost, self.lost_kind = f"it sent an answer that is not valid ({e})", Lost.VIOLATION
        except OSError as e:  # the socket itself failed (the child is gone)
            self.lost, self.lost_kind = f"the connection to it failed ({e.strerror or e})", Lost.ENDED
        else:
            if answer.id != rid:
                self.lost, self.lost_kind = "it sent an answer to a request that was never asked", Lost.VIOLATION
            elif answer.error is not None:
                if answer.error.timeout:
                    raise OutOfTime()
                raise LearnerError(answer.error, op)
            else:
                return answer.ok
        raise ChildLost(self.lost)

    @property
    def requests(self) -> int:
        """How many requests were answered (for the benchmarks)."""
        return sum(n for n, _ in self.by_op.values())

    @property
    def waited(self) -> float:
        """The wall time spent waiting for their answers (for the benchmarks)."""
        return sum(t for _, t in self.by_op.values())

    @property
    def violated(self) -> bool:
        return self.lost_kind is Lost.VIOLATION

    def check_quiet(self) -> None:
        """After the last request: anything still waiting on the socket was never asked for."""
        if not self.lost and self.fd >= 0 and select.select([self.fd], [], [], 0)[0]:
            try:
                pending = os.read(self.fd, 1)
            except OSError:
                pending = b""
            if pending:
                self.lost, self.lost_kind = "it sent an answer to a request that was never asked", Lost.VIOLATION


class LocalChannel(Channel):
    """The same requests served in this process (a notebook kernel), through the same encoding."""

    def __init__(self, server, default_budget: float = 10.0):
        super().__init__(-1, default_budget)
        self.server = server

    def request(self, op: str, **args):
        left = (self.deadline - time.monotonic()) if self.deadline is not None else self.default_budget
        if left <= 0:
            raise OutOfTime()
        rid, self.next_id = self.next_id, self.next_id + 1
        message = protocol.decode(protocol.encode({"id": rid, "op": op, "args": args, "deadline": left})[4:])
        answer = protocol.parse_answer(protocol.decode(protocol.encode(self.server.handle(message))[4:]))
        if answer.error is not None:
            if answer.error.timeout:
                raise OutOfTime()
            raise LearnerError(answer.error, op)
        return answer.ok


class Remote:
    """An object in the child. ``label`` says what it is, for messages (``SimpleMLP(...)``)."""

    def __init__(self, channel: Channel, ref: Ref, label: str = "", info: dict | None = None):
        self.channel, self.ref, self.label, self.info = channel, ref, label, info or {}

    def __repr__(self):
        return f"<remote {self.label or self.ref.id}>"

    def _wrap(self, value, label: str):
        return Remote(self.channel, value, label) if isinstance(value, Ref) else value

    def __call__(self, inputs, **kwargs):
        return self._wrap(self.channel.request("call", obj=self.ref, inputs=_refs(inputs), kwargs=_refs(kwargs)),
                          f"the output of {self.label}")

    def call_path(self, path: str, inputs, **kwargs):
        """``obj.<path>(inputs)``: one of its layers called on its own."""
        return self.channel.request("call", obj=self.ref, path=path, inputs=_refs(inputs), kwargs=_refs(kwargs))

    def method(self, name: str, *args, path: str | None = None, **kwargs):
        return self._wrap(self.channel.request("call", obj=self.ref, path=path, method=name,
                                               args=_refs(list(args)), kwargs=_refs(kwargs)),
                          f"{self.label}.{name}(...)")

    def get(self, path: str):
        return self._wrap(self.channel.request("get", obj=self.ref, path=path), f"{self.label}.{path}")

    def has(self, path: str) -> bool:
        return self.channel.request("has", obj=self.ref, path=path) is True

    def describe(self, path: str | None = None, layers: bool = True) -> dict:
        info = self.channel.request("describe", obj=self.ref, path=path, layers=layers)
        return info if isinstance(info, dict) else {}

    def set_weights(self, weights: list, path: str | None = None) -> None:
        self.channel.request("set_weights", obj=self.ref, path=path, weights=list(weights))

    def get_weights(self, path: str | None = None, trainable_only: bool = False) -> list:
        value = self.channel.request("get_weights", obj=self.ref, path=path, trainable_only=trainable_only)
        return value if isinstance(value, list) else []

    def isinstance_of(self, cls: "str | Remote") -> bool:
        """Whether the object is an instance of a Keras class (by name) or of a class in the child."""
        of = cls.ref if isinstance(cls, Remote) else cls
        return self.channel.request("isinstance", obj=self.ref, of=of) is True


def _refs(value):
    if isinstance(value, Remote):
        return value.ref
    if isinstance(value, dict):
        return {k: _refs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_refs(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_refs(v) for v in value)
    return value
