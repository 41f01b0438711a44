"""The judge's replica follows a learner's built-in layers, and a hostile description of them
costs the judge nothing it did not bound."""
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from kerasgrade.grading import replica  # noqa: E402


def described(layer) -> dict:
    """What the child says about one of its layers (``server.describe``), for a real layer."""
    from kerasgrade.engine.server import describe

    return describe(layer, layers=False)


@pytest.mark.parametrize("make", [
    lambda: keras.layers.LSTM(5), lambda: keras.layers.GRU(5, reset_after=False),
    lambda: keras.layers.SimpleRNN(3, go_backwards=True),
    lambda: keras.layers.Bidirectional(keras.layers.LSTM(4), merge_mode="sum"),
    lambda: keras.layers.RNN(keras.layers.LSTMCell(4))])
def test_a_recurrent_layer_is_rebuilt_from_its_plain_config_and_computes_the_same(make):
    layer = make()
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    want = np.asarray(layer(x))
    info = described(layer)
    copy = replica.replica_layer(info, config=layer.get_config())
    copy.set_weights(layer.get_weights())
    assert np.allclose(np.asarray(copy(x)), want, atol=1e-5)


def test_a_described_layer_too_large_to_allocate_is_not_rebuilt():
    info = {"builtin": "Conv2D", "settings": {"activation": "relu", "strides": [1, 1], "padding": "same"},
            "weights": [{"shape": [4096, 4096, 64, 64]}, {"shape": [64]}]}  # 2**42 numbers
    assert replica.replica_layer(info) is None


def test_a_chain_of_many_batch_normalizations_is_given_up_within_its_budget(monkeypatch):
    """Each BatchNormalization may be followed three ways and each layer with a relu or not: eight
    of them would be 3**8 * 2**7 paths; the judge stops at MAX_PATHS layer calls."""
    layers = []
    for _ in range(8):
        bn = keras.layers.BatchNormalization()
        bn.build((None, 4))
        layers.append(("layers[0]", bn))
    monkeypatch.setattr(replica, "layers_of", lambda model: [(p, {"builtin": "BatchNormalization"}) for p, _ in layers])
    it = iter(b for _, b in layers)
    monkeypatch.setattr(replica, "rebuild", lambda model, path, info: next(it))
    monkeypatch.setattr(replica, "layer_weights", lambda model, path, shapes: [np.ones(s, "float32") for s in shapes])
    calls = []
    variants = replica._variants
    monkeypatch.setattr(replica, "_variants", lambda layer, h: (calls.append(1), variants(layer, h))[1])
    got = np.full((2, 4), 7.0)  # nothing computes this
    assert replica.chain_output(object(), np.ones((2, 4), "float32"), got) is None
    assert len(calls) <= replica.MAX_PATHS


def test_a_multitask_model_of_many_same_width_layers_is_given_up_within_its_budget(monkeypatch):
    """ex04 names no layer, so the judge tries the ways a multi-task network wires the layers it
    tracks; seven 1-to-1 Dense layers allow every one of them. What nothing computes is given up
    within MAX_PATHS layer calls per output; separate towers of four such layers are found."""
    from kerasgrade.checks import import_grader
    from .conftest import ROOT

    grader = import_grader(ROOT / "graders" / "test_ex04_multi_io.py", "kerasgrade_grader_replica_ex04")
    layers = []
    for _ in range(7):
        dense = keras.layers.Dense(1)
        dense.build((None, 1))
        layers.append(dense)
    calls = []
    variants = replica._variants
    monkeypatch.setattr(replica, "_variants", lambda layer, h: (calls.append(1), variants(layer, h))[1])
    f, m = np.ones((3, 1), "float32"), np.full((3, 1), 2.0, "float32")
    assert grader.head_output(layers, np.full((3, 1), 7.0), {1}, f, m) is None
    assert len(calls) <= replica.MAX_PATHS
    score = np.asarray(layers[3](layers[1](m)), dtype="float64")  # a tower of its own on the metadata
    assert grader.head_output(layers[:4], score, {1}, f, m) is not None


def test_containers_nested_to_no_end_cost_the_judge_a_bounded_number_of_reads():
    """A child may describe every layer as a container of 24 containers, all one object (so
    that the innermost, listed once, never fill the judge's list): the judge reads at most MAX_LAYERS of them, not 24**3 (what it lists, it rebuilds
    or gives up on, as any layer)."""
    reads = []

    class Nested:
        def describe(self, path=None, layers=True):
            reads.append(path)
            return {"layers": [{"is_model": True, "builtin": "Sequential", "id": 1} for _ in range(24)]}

    assert len(replica.layers_of(Nested())) <= replica.MAX_LAYERS
    assert len(reads) <= replica.MAX_LAYERS
