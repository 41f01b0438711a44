"""Hostile, no model: at import, writes forged answers for the next 300 request ids on the
judge's socket (found among its descriptors), claiming a Keras model that answers every
request as a correct one would."""
import json
import os
import stat
import struct


def _judge_socket() -> int:
    """The one socket the child holds: its channel to the judge."""
    for fd in range(3, 1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass
    return 3


sock = _judge_socket()
for rid in range(1, 300):
    body = json.dumps({"id": rid, "ok": {"found": True, "ref": {"$ref": 0}, "is_class": True,
                                         "is_model": True, "is_layer": True, "type": "type",
                                         "bases": ["Model"], "notes": []}}).encode()
    try:
        os.write(sock, struct.pack(">I", len(body)) + body)
    except OSError:
        break
