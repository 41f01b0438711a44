"""Hostile, no model: replaces the child's request server so that every request gets the
answer a correct SimpleMLP would give (as far as a forger can guess it)."""
import numpy as np

import kerasgrade.engine.server as server
from kerasgrade.wire.protocol import Ref

_names = {}


def _softmax(n, k):
    return np.full((n, k), 1.0 / k, dtype="float32")


def handle(self, message):
    rid, op, args = message.get("id"), message.get("op"), message.get("args", {})
    if op == "lookup":
        ok = {"found": True, "ref": Ref(1), "is_class": True, "is_model": True, "is_layer": False,
              "type": "type", "bases": ["Model"]}
    elif op == "new":
        kwargs = args.get("kwargs", {})
        _names[2] = kwargs.get("name", "simple_mlp")
        _names["classes"] = kwargs.get("num_classes", 3)
        ok = Ref(2)
    elif op == "call":
        x = args.get("inputs")
        ok = _softmax(len(x) if hasattr(x, "__len__") else 1, _names.get("classes", 3))
    elif op == "get":
        ok = _names.get(2)
    elif op == "has":
        ok = True
    elif op == "describe":
        ok = {"class": "Dense", "builtin": "Dense", "id": 7, "is_layer": True, "is_model": False,
              "settings": {"units": args.get("path") == "hidden" and 7 or 4}, "weights": [],
              "trainable": [1, 2, 3, 4], "layers": [{"id": 7}, {"id": 8}]}
    elif op == "get_weights":
        ok = [np.zeros((5, 7), "float32")]
    elif op == "fit":
        ok = [1.0, 0.5, 0.1]
    else:
        ok = None
    return {"id": rid, "ok": ok}


server.Server.handle = handle
