"""The child's request server: the operations added for ex10 refuse what the judge never sends."""
import numpy as np
import pytest

from kerasgrade.wire.protocol import Ref
from kerasgrade.engine.server import Server

pytestmark = pytest.mark.slow

CODE = """
import keras

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(3)
        self.drop = keras.layers.Dropout(0.5)
        self.head = keras.layers.Dense(1)

    def call(self, x, training=None):
        return self.head(self.drop(self.dense(x), training=training))
"""


@pytest.fixture
def server():
    s = Server(CODE, "net.py")
    s.handle({"id": 1, "op": "load", "args": {}})
    cls = s.handle({"id": 2, "op": "lookup", "args": {"name": "Net"}})["ok"]["ref"]
    model = s.handle({"id": 3, "op": "new", "args": {"cls": cls, "args": [], "kwargs": {}}})["ok"]
    s.handle({"id": 4, "op": "call", "args": {"obj": model, "inputs": np.ones((2, 4), "float32")}})
    return s, model


def _set(server, model, path, state):
    return server.handle({"id": 9, "op": "set_seed_state", "args": {"obj": model, "path": path, "state": state}})


def test_a_dropout_given_a_seed_state_draws_the_same_mask_twice(server):
    s, model = server
    x = np.ones((4, 3), "float32")
    masks = []
    for _ in range(2):
        assert "ok" in _set(s, model, "drop", [12345, 0])
        masks.append(s.handle({"id": 5, "op": "call", "args": {"obj": model, "path": "drop", "inputs": x,
                                                                "kwargs": {"training": True}}})["ok"])
    assert np.array_equal(masks[0], masks[1])


@pytest.mark.parametrize("state", [[1], [1, 2, 3], [-1, 0], [1 << 40, 0], [True, 0], [1.5, 0], "12"])
def test_a_seed_state_of_another_shape_or_range_is_refused(server, state):
    s, model = server
    answer = _set(s, model, "drop", state)
    assert answer["error"]["kind"] == "ProtocolError"


def test_a_seed_state_for_a_layer_without_a_seed_generator_is_refused(server):
    s, model = server
    assert _set(s, model, "dense", [1, 0])["error"]["kind"] == "ProtocolError"


def test_a_train_step_on_something_other_than_arrays_is_refused(server):
    s, model = server
    answer = s.handle({"id": 6, "op": "train_step", "args": {"obj": model, "x": [[1.0]], "y": Ref(0)}})
    assert answer["error"]["kind"] == "ProtocolError"


TRACED = """
import tensorflow as tf

class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(2)

    @tf.function
    def call(self, x):
        if tf.reduce_sum(x) < 0:
            return -self.dense(x)
        return self.dense(x)
"""


def _loaded(code: str):
    """A server with ``code`` loaded, and a new ``Net`` of it."""
    s = Server(code, "ex01_first_model.py")
    s.handle({"id": 1, "op": "load", "args": {}})
    cls = s.handle({"id": 2, "op": "lookup", "args": {"name": "Net"}})["ok"]["ref"]
    return s, s.handle({"id": 3, "op": "new", "args": {"cls": cls, "args": [], "kwargs": {}}})["ok"]


def _traced_model():
    return _loaded(TRACED)


def _follows_weights_set_after_its_first_call(s, model) -> bool:
    call = {"id": 4, "op": "call", "args": {"obj": model, "inputs": np.ones((1, 3), "float32")}}
    before = s.handle(call)["ok"]
    weights = s.handle({"id": 5, "op": "get_weights", "args": {"obj": model, "trainable_only": True}})["ok"]
    s.handle({"id": 6, "op": "set_trainable", "args": {"obj": model, "weights": [w + 1 for w in weights]}})
    return not np.allclose(s.handle(call)["ok"], before)


def test_a_model_with_tf_function_on_call_follows_weights_set_after_its_first_call():
    assert _follows_weights_set_after_its_first_call(*_traced_model())


def test_autograph_reads_the_source_of_a_file_that_is_not_on_disk():
    s, model = _traced_model()
    answers = [s.handle({"id": 4, "op": "call", "args": {"obj": model, "inputs": np.ones((1, 3), "float32")}})
               for _ in range(2)]  # the second call is traced: an `if` on a tensor needs AutoGraph
    assert all("ok" in a for a in answers), answers


def test_lookup_tells_where_each_method_of_a_class_starts():
    s = Server(TRACED, "ex01_first_model.py")
    s.handle({"id": 1, "op": "load", "args": {}})
    info = s.handle({"id": 2, "op": "lookup", "args": {"name": "Net"}})["ok"]
    assert info["methods"] == {"__init__": 5, "call": 9}  # a decorated method starts at its decorator


def _symbolic_runs(monkeypatch) -> list:
    """Counts Keras's symbolic runs of a ``call()`` (how Keras builds a layer by default)."""
    import keras.src.backend as backend

    runs, spec = [], backend.compute_output_spec
    monkeypatch.setattr(backend, "compute_output_spec", lambda *a, **k: runs.append(1) or spec(*a, **k))
    return runs


def test_a_model_without_a_build_of_its_own_is_built_by_its_first_call_without_a_symbolic_run(monkeypatch):
    s, model = _loaded(CODE)
    runs = _symbolic_runs(monkeypatch)
    answer = s.handle({"id": 4, "op": "call", "args": {"obj": model, "inputs": np.ones((2, 4), "float32")}})
    assert answer["ok"].shape == (2, 1) and runs == []


def test_a_model_whose_code_names_a_tf_function_is_built_the_keras_way(monkeypatch):
    s, model = _traced_model()
    runs = _symbolic_runs(monkeypatch)
    s.handle({"id": 4, "op": "call", "args": {"obj": model, "inputs": np.ones((1, 3), "float32")}})
    assert runs  # a traced first call computes with fused kernels: the same floats as before


HIDDEN_TRACE = TRACED.replace("@tf.function", '@getattr(tf, "fun" + "ction")')


def test_a_tf_function_hidden_from_the_source_still_follows_weights_set_after_the_first_call():
    assert _follows_weights_set_after_its_first_call(*_loaded(HIDDEN_TRACE))


SEQUENTIAL_BODY = """
import keras

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.body = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization(),
                                      keras.layers.Dropout(0.5)])
        self.head = keras.layers.Dense(2)

    def call(self, x, training=None):
        return self.head(self.body(x, training=training))
"""


def test_a_sequential_body_first_called_in_training_is_in_inference_when_called_without_the_flag():
    s, model = _loaded(SEQUENTIAL_BODY)
    x = np.linspace(-1, 1, 32, dtype="float32").reshape(8, 4)
    s.handle({"id": 4, "op": "call", "args": {"obj": model, "inputs": x, "kwargs": {"training": True}}})
    outs = [s.handle({"id": 5, "op": "call", "args": {"obj": model, "inputs": x}})["ok"] for _ in range(2)]
    assert np.array_equal(outs[0], outs[1])  # built under training=True, its graph must not keep the flag
