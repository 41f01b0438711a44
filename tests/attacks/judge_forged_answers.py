"""Hostile, no model: at import, writes forged answers for the next 300 request ids on the
judge's socket (fd 3), claiming a Keras model that answers every request as a correct one would."""
import json
import os
import struct

for rid in range(1, 300):
    body = json.dumps({"id": rid, "ok": {"found": True, "ref": {"$ref": 0}, "is_class": True,
                                         "is_model": True, "is_layer": True, "type": "type",
                                         "bases": ["Model"], "notes": []}}).encode()
    try:
        os.write(3, struct.pack(">I", len(body)) + body)
    except OSError:
        break
