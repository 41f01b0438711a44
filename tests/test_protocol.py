"""The wire between judge and child: every malformed byte a child can send is refused, never obeyed."""
import json
import math
import os
import struct

import numpy as np
import pytest

from kerasgrade.wire import protocol
from kerasgrade.wire.protocol import ProtocolError, Ref, decode, encode


def body(text: str | bytes) -> bytes:
    return text.encode() if isinstance(text, str) else text


def test_values_arrays_tuples_and_references_survive_the_round_trip():
    value = {"a": [1, 2.5, None, True, "é"], "x": np.arange(6, dtype="float32").reshape(2, 3),
             "t": (1, (2, 3)), "r": Ref(7), "nan": float("nan")}
    back = decode(encode(value)[4:])
    assert back["a"] == [1, 2.5, None, True, "é"]
    assert back["x"].dtype == np.float32 and back["x"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["t"] == (1, (2, 3)) and back["r"] == Ref(7)
    assert math.isnan(float(back["nan"]))  # a non-finite float travels as an array, never as JSON NaN


@pytest.mark.parametrize("text, why", [
    ('{"id": 1, "ok": NaN}', "NaN"),
    ('{"id": 1, "ok": Infinity}', "Infinity"),
    ('{"id": 1, "ok": 1e400}', "out of range"),
    ('{"id": 1, "ok": ' + "9" * 400 + "}", "digits"),
    ('{"id": 1, "ok": "\\ud800"}', "surrogate"),
    ('[' * 100 + ']' * 100, "deeply"),
    ('[' * 100000 + ']' * 100000, "not a valid message"),
    ('{"ok": [' + ",".join(["0"] * 250000) + "]}", "items"),
    ('{"$nd": ["object", [1], "AAAA"]}', "dtype"),
    ('{"$nd": ["float32", [100000, 100000], "AAAA"]}', "larger than the limit"),
    ('{"$nd": ["float32", [2], "AAAA"]}', "does not match"),
    ('{"$nd": ["float32", [-1], ""]}', "invalid shape"),
    ('{"$nd": ["float32", [1], "!!!!!!!!"]}', "base64"),
    ('{"$ref": -3}', "reference"),
    ('{"$ref": true}', "reference"),
    ("{not json", "not a valid message"),
])
def test_a_malformed_message_is_refused_with_a_reason(text, why):
    with pytest.raises(ProtocolError, match=why):
        decode(body(text))


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(ProtocolError):
        decode(b'{"a": "\xff\xfe"}')


def test_a_long_string_is_refused():
    with pytest.raises(ProtocolError, match="characters"):
        decode(body(json.dumps({"a": "x" * (protocol.MAX_TEXT + 1)})))


def test_a_frame_announcing_more_than_the_limit_is_refused_before_it_is_read():
    r, w = os.pipe()
    os.write(w, struct.pack(">I", protocol.MAX_FRAME + 1))
    with pytest.raises(ProtocolError, match="announced"):
        protocol.receive(r, deadline=None)
    os.close(r), os.close(w)


def test_silence_past_the_deadline_is_a_timeout_and_a_hang_up_is_closed():
    import time

    r, w = os.pipe()
    with pytest.raises(protocol.ChannelTimeout):
        protocol.receive(r, deadline=time.monotonic() + 0.05)
    os.write(w, b"\x00\x00")
    os.close(w)
    with pytest.raises(protocol.ChannelClosed):
        protocol.receive(r, deadline=time.monotonic() + 1)
    os.close(r)


@pytest.mark.parametrize("message, problem", [
    ({"ok": 1}, "without an id"),
    ({"id": True, "ok": 1}, "without an id"),
    ({"id": 1}, "neither"),
    ({"id": 1, "ok": 1, "error": {}}, "neither"),
    ({"id": 1, "error": "text"}, "neither"),
])
def test_an_answer_of_the_wrong_form_is_refused(message, problem):
    with pytest.raises(ProtocolError, match=problem):
        protocol.parse_answer(message)


def test_an_error_answer_keeps_only_bounded_text_fields():
    answer = protocol.parse_answer({"id": 3, "error": {"kind": "K" * 500, "text": ["not", "text"],
                                                        "where": "line 1", "timeout": "yes"}})
    assert answer.error.kind == "K" * 80 and answer.error.text == "" and answer.error.where == "line 1"
    assert answer.error.timeout is False  # only the literal true counts


def test_an_array_dimension_beyond_any_limit_is_refused_not_raised():
    with pytest.raises(ProtocolError, match="dimension"):
        decode(body('{"$nd": ["float32", [0, 100000000000000000000], ""]}'))


def test_a_frame_of_a_million_empty_lists_is_refused_before_it_is_built():
    import time

    start = time.monotonic()
    with pytest.raises(ProtocolError, match="items"):
        decode(b"[" + b"[]," * 1_000_000 + b"[]]")
    assert time.monotonic() - start < 1.0
