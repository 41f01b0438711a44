"""Hostile: the untouched stub's class, plus a request server replaced by a forger that
answers every request as a correct SimpleMLP would (as far as a forger can guess it)."""
import numpy as np
import tensorflow as tf

import kerasgrade.engine.server as server
from kerasgrade.wire.protocol import Ref


class SimpleMLP(tf.keras.Model):
    def __init__(self, hidden_units=32, num_classes=3, **kwargs):
        raise NotImplementedError("TODO 1: write SimpleMLP.__init__")

    def call(self, inputs):
        raise NotImplementedError("TODO 2: write SimpleMLP.call")


_state = {"name": "simple_mlp", "classes": 3}
_real = server.Server.handle


def handle(self, message):
    rid, op, args = message.get("id"), message.get("op"), message.get("args", {})
    if op in ("load", "reset", "lookup"):
        return _real(self, message)
    if op == "new":
        _state["name"] = args.get("kwargs", {}).get("name", "simple_mlp")
        _state["classes"] = args.get("kwargs", {}).get("num_classes", 3)
        ok = Ref(5)
    elif op == "call":
        x = np.asarray(args.get("inputs"))
        k = _state["classes"]
        ok = np.full((len(x), k), 1.0 / k, dtype="float32")
    elif op == "get":
        ok = _state["name"]
    elif op == "has":
        ok = True
    elif op == "get_weights":
        ok = [np.ones((5, 3), "float32")]
    else:
        ok = None
    return {"id": rid, "ok": ok}


server.Server.handle = handle
