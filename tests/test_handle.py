"""The judge's channel: a child that answers out of turn, too late or not at all is no longer asked."""
import os
import socket
import threading
import time

import pytest

from kerasgrade.wire import protocol
from kerasgrade.wire.handle import Channel, ChildLost, LearnerError, OutOfTime


def child(script):
    """A fake child on a socket pair: ``script(fd, request)`` answers each request."""
    judge_end, child_end = socket.socketpair()

    def serve():
        fd = child_end.fileno()
        while True:
            try:
                request = protocol.receive(fd, time.monotonic() + 5)
            except protocol.ProtocolError:
                return
            if script(fd, request) is False:
                child_end.close()
                return

    threading.Thread(target=serve, daemon=True).start()
    return Channel(judge_end.fileno(), default_budget=1.0), (judge_end, child_end)


def test_an_honest_answer_is_returned():
    channel, _ = child(lambda fd, r: protocol.send(fd, {"id": r["id"], "ok": r["args"]["x"] * 2}))
    assert channel.request("double", x=21) == 42
    assert channel.request("double", x=1) == 2


def test_an_answer_to_a_request_never_asked_ends_the_conversation():
    channel, _ = child(lambda fd, r: protocol.send(fd, {"id": r["id"] + 1, "ok": "forged"}))
    with pytest.raises(ChildLost, match="never asked"):
        channel.request("anything")
    assert channel.violated
    with pytest.raises(ChildLost):  # and nothing more is asked of it
        channel.request("anything")


def test_answers_written_ahead_of_the_requests_are_caught():
    judge_end, child_end = socket.socketpair()
    for rid in (1, 2, 3):  # forged in advance, before any request
        protocol.send(child_end.fileno(), {"id": rid, "ok": "forged"})
    channel = Channel(judge_end.fileno(), default_budget=1.0)
    assert channel.request("first") == "forged"   # indistinguishable from an answer...
    assert channel.request("second") == "forged"  # ...but the real answers come after them:
    protocol.send(child_end.fileno(), {"id": 1, "ok": "real"})
    channel.request("third")
    with pytest.raises(ChildLost, match="never asked"):
        channel.request("fourth")


def test_garbage_on_the_socket_is_a_violation():
    channel, _ = child(lambda fd, r: os.write(fd, b"\x00\x00\x00\x05{{{{{"))
    with pytest.raises(ChildLost, match="not valid"):
        channel.request("anything")
    assert channel.violated


def test_a_child_that_never_answers_is_given_up_after_the_deadline():
    channel, _ = child(lambda fd, r: time.sleep(30))
    channel.start_check(0.2)
    start = time.monotonic()
    with pytest.raises(ChildLost, match="did not answer"):
        channel.request("slow")
    assert time.monotonic() - start < 3
    assert not channel.violated


def test_a_child_that_hangs_up_is_lost_without_a_violation():
    channel, ends = child(lambda fd, r: False)
    with pytest.raises(ChildLost, match="ended"):
        channel.request("anything")
    assert not channel.violated


def test_the_learners_exception_and_the_childs_own_alarm_come_back_typed():
    def script(fd, r):
        if r["op"] == "raise":
            protocol.send(fd, {"id": r["id"], "error": {"kind": "ValueError", "text": "bad shape"}})
        else:
            protocol.send(fd, {"id": r["id"], "error": {"kind": "Timeout", "timeout": True}})

    channel, _ = child(script)
    with pytest.raises(LearnerError, match="bad shape"):
        channel.request("raise")
    with pytest.raises(OutOfTime):
        channel.request("loop")
    assert not channel.lost  # the child still answers: the next check may ask it


def test_a_check_whose_time_is_spent_asks_nothing():
    channel, _ = child(lambda fd, r: protocol.send(fd, {"id": r["id"], "ok": 1}))
    channel.start_check(0.0)
    with pytest.raises(OutOfTime):
        channel.request("anything")


def test_the_zygote_reads_how_the_judge_lost_a_child_from_its_typed_event():
    from kerasgrade.engine.zygote import DONE, _events, _judge_lost
    from kerasgrade.wire.handle import Lost

    report = b'{"name": "a", "passed": true}\n{"name": "b", "lost": "timeout"}\n' + DONE + b'\n{"lost": "ended"}'
    assert _judge_lost(_events(report)) is Lost.TIMEOUT
    unread = _events(b'{"load_error": "x", "lost": ""}\n{"lost": "nonsense"}\nnot json\n[1]\n' + DONE)
    assert unread[2:] == [None, [1]] and _judge_lost(unread) is None
    assert Lost.of("ended") is Lost.ENDED and Lost.of(["ended"]) is None
