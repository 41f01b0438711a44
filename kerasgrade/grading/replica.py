"""The judge's replica of a learner's network: the built-in Keras layers a model tracks, rebuilt
in trusted code from the settings and weight shapes the child describes.

What the child says about its layers is its word; a replica is believed only once the judge,
having set weights it drew in both, sees the learner's forward pass equal the replica's on
inputs it drew (the graders do that). Shared by the graders that follow a network a learner
may have grown beyond the contract (a normalization layer, a Dropout, an activation layer):
ex02 and ex10.
"""
import itertools

import keras
import numpy as np

from kerasgrade.errors import CheckFailed
from kerasgrade.grading import draw
from kerasgrade.grading.expect import activation, activation_of, close, doing, layer_weights

MAX_LAYERS = 24          # layers of the learner's network the judge rebuilds, at most
MAX_WEIGHTS = 1 << 22    # numbers in one rebuilt layer's weights, at most (16 MB of float32)
CONTAINERS = ("Sequential", "Functional", "Model")


def layers_of(model, path=None, depth=0, found=None, opened=None) -> list[tuple[str, dict]]:
    """The built-in layers the model tracks, in order, containers opened (a ``Sequential``, and
    a learner's own layer that holds no weights but its layers'): (path, description). At most
    ``MAX_LAYERS`` containers are read, however the child nests them."""
    found = [] if found is None else found
    opened = [] if opened is None else opened
    opened.append(path)
    if len(opened) > MAX_LAYERS:
        return found
    with doing("reading the layers of your model"):
        info = model.describe(path)
    listed = info.get("layers", [])[:MAX_LAYERS]  # sliced first: the child's list may be long
    parts = [(f"{path}.layers[{i}]" if path else f"layers[{i}]", sub) for i, sub in enumerate(listed)]
    if path and not parts and _holds_only_its_layers(info):
        parts = [(f"{path}._layers[{i}]", sub) for i, sub in enumerate(info["sublayers"][:MAX_LAYERS])]
    for where, sub in parts:
        if len(found) >= MAX_LAYERS:
            break
        if not isinstance(sub, dict):
            continue
        if depth < 3 and (sub.get("is_model") is True or sub.get("builtin") in (*CONTAINERS, "Layer")):
            before = len(found)
            layers_of(model, where, depth + 1, found, opened)
            if sub.get("builtin") == "Layer" and len(found) == before:
                found.append((where, sub))  # a learner's layer the judge cannot open: rebuilt (or not) as it is
        elif sub.get("id") is None or all(sub.get("id") != seen.get("id") for _, seen in found):
            found.append((where, sub))  # a layer bound on self and also put in a Sequential: once
    return found


def _holds_only_its_layers(info: dict) -> bool:
    """Whether a learner's own layer (described with its ``sublayers``) has layers and no
    weights but theirs: then it is opened like a ``Sequential``, its layers in the order it
    created them (what the judge computes from that order is compared, never believed)."""
    subs, weights = info.get("sublayers"), info.get("weights")
    subs = [s for s in subs if isinstance(s, dict)] if isinstance(subs, list) else []
    theirs = {w.get("id") for s in subs if isinstance(s.get("weights"), list)
              for w in s["weights"] if isinstance(w, dict)}
    own = {w.get("id") for w in weights if isinstance(w, dict)} if isinstance(weights, list) else {None}
    return bool(subs) and info.get("builtin") == "Layer" and own <= theirs


ACTIVATIONS = ("linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish",
               "tanh", "sigmoid", "hard_sigmoid", "softplus", "softsign", "exponential", "softmax")


def _activation(name):
    """A built-in activation by the name the child described (the judge's own function)."""
    return keras.activations.get(name) if name in ACTIVATIONS else None


def _number(value, low, high):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and \
        low <= value <= high else None


REGULARIZERS = {"L1": ("l1",), "L2": ("l2",), "L1L2": ("l1", "l2")}


def _regularizer(spec):
    """``(ok, regularizer)``: the judge's own L1/L2 penalty from a layer's described config."""
    if spec is None:
        return True, None
    if not isinstance(spec, dict) or spec.get("class_name") not in REGULARIZERS or \
            not isinstance(spec.get("config"), dict):
        return False, None
    factors = {k: _number(spec["config"].get(k, 0.0), 0.0, 10.0) for k in REGULARIZERS[spec["class_name"]]}
    if any(v is None for v in factors.values()):
        return False, None
    return True, getattr(keras.regularizers, spec["class_name"])(**factors)


def _penalties(model, path: str):
    """The kernel and bias penalties of the learner's Dense layer at ``path``; None if unknown."""
    with doing(f"reading the configuration of your layer `{path}`"):
        config = model.method("get_config", path=path)
    config = config if isinstance(config, dict) else {}
    kernel, bias = _regularizer(config.get("kernel_regularizer")), _regularizer(config.get("bias_regularizer"))
    if not kernel[0] or not bias[0] or config.get("activity_regularizer") is not None:
        return None
    return {"kernel_regularizer": kernel[1], "bias_regularizer": bias[1]}


RECTIFIERS = ("ReLU", "LeakyReLU")  # weightless activation layers, rebuilt from their config


def _config(model, path: str) -> dict:
    with doing(f"reading the configuration of your layer `{path}`"):
        config = model.method("get_config", path=path)
    return config if isinstance(config, dict) else {}


def _rectifier(kind: str, config: dict):
    """The judge's own ``ReLU`` or ``LeakyReLU`` with the learner's settings; None if odd."""
    if kind == "LeakyReLU":
        slope = _number(config.get("negative_slope", 0.3), 0.0, 10.0)
        return None if slope is None else keras.layers.LeakyReLU(negative_slope=slope)
    top = config.get("max_value")
    top = None if top is None else _number(top, 0.0, 1e6)
    slope = _number(config.get("negative_slope", 0.0), 0.0, 10.0)
    threshold = _number(config.get("threshold", 0.0), -1e6, 1e6)
    if slope is None or threshold is None or (config.get("max_value") is not None and top is None):
        return None
    return keras.layers.ReLU(max_value=top, negative_slope=slope, threshold=threshold)


def replica_layer(info: dict, penalties: dict | None = None, config: dict | None = None):
    """The judge's own built-in layer with the described settings, built; None if it cannot."""
    kind, settings = info.get("builtin"), info.get("settings") if isinstance(info.get("settings"), dict) else {}
    weights = [w for w in info.get("weights", []) if isinstance(w, dict)]
    shapes = [tuple(w.get("shape", ())) for w in weights]
    names = [str(w.get("path", "")).rsplit("/", 1)[-1] for w in weights]
    if any(len(s) > (4 if kind == "Conv2D" else 2) or any(not isinstance(d, int) or not 0 < d <= 4096 for d in s)
           for s in shapes) or sum(int(np.prod(s)) for s in shapes) > MAX_WEIGHTS:
        return None  # the child's description: the judge allocates nothing it did not bound
    if kind in IMAGE_LAYERS:
        return _image_layer(kind, settings, shapes)
    if kind == "Embedding":
        if len(shapes) != 1 or len(shapes[0]) != 2 or settings.get("mask_zero") not in (True, False):
            return None
        layer = keras.layers.Embedding(shapes[0][0], shapes[0][1], mask_zero=settings["mask_zero"])
        layer.build((None, None))
        return layer
    if kind in RECURRENT:
        return _recurrent(kind, config or {}, shapes)
    if kind == "Dense":
        act = _activation(settings.get("activation"))
        if act is None or len(shapes) not in (1, 2) or len(shapes[0]) != 2 or \
                (len(shapes) == 2 and shapes[1] != (shapes[0][1],)):
            return None
        if penalties is None:
            return None
        layer = keras.layers.Dense(shapes[0][1], activation=act, use_bias=len(shapes) == 2, **penalties)
        layer.build((None, shapes[0][0]))
        return layer
    if kind == "Softmax":
        axis = config.get("axis", -1) if isinstance(config, dict) else None
        return None if shapes or axis not in (-1, [-1]) else keras.layers.Softmax(axis=-1)
    if kind == "Activation":
        act = _activation(settings.get("activation"))
        return None if act is None or shapes else keras.layers.Activation(act)
    if kind in RECTIFIERS:
        return None if shapes or config is None else _rectifier(kind, config)
    if kind == "Dropout":
        rate = _number(settings.get("rate"), 0.0, 0.95)
        return None if rate is None or shapes else keras.layers.Dropout(rate)
    if kind in ("BatchNormalization", "LayerNormalization"):
        epsilon = _number(settings.get("epsilon"), 0.0, 1.0)
        momentum = _number(settings.get("momentum", 0.99), 0.0, 1.0)
        if epsilon is None or momentum is None or settings.get("axis") not in (-1, [-1], 1, [1]) or \
                not shapes or any(s != shapes[0] or len(s) != 1 for s in shapes):
            return None
        center, scale = "beta" in names, "gamma" in names
        if kind == "BatchNormalization":
            layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, center=center, scale=scale)
        else:
            layer = keras.layers.LayerNormalization(epsilon=epsilon, center=center, scale=scale)
        layer.build((None, shapes[0][0]))
        return layer if [v.shape for v in layer.weights] == [s for s in shapes] else None
    return None


IMAGE_LAYERS = ("Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
                "Flatten", "GlobalAveragePooling1D", "GlobalMaxPooling1D")


def _pair(value, low, high):
    """A described (height, width) setting as a tuple of two ints in [low, high]; None if odd."""
    value = [value, value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(value, (list, tuple)) or len(value) != 2 or \
            not all(isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in value):
        return None
    return tuple(value)


def _image_layer(kind: str, settings: dict, shapes: list[tuple]):
    """The judge's own convolution, pooling or flattening layer with the described settings
    (channels last, as the course's images are); None if they are odd."""
    if settings.get("data_format", "channels_last") != "channels_last":
        return None
    padding = settings.get("padding", "valid")
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "GlobalAveragePooling1D",
                "GlobalMaxPooling1D"):
        return None if shapes else getattr(keras.layers, kind)()
    if padding not in ("valid", "same"):
        return None
    strides = _pair(settings.get("strides"), 1, 64)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        size = _pair(settings.get("pool_size"), 1, 64)
        if shapes or size is None or strides is None:
            return None
        return getattr(keras.layers, kind)(pool_size=size, strides=strides, padding=padding)
    act = _activation(settings.get("activation"))
    if act is None or strides is None or not shapes or len(shapes[0]) != 4 or len(shapes) > 2 or \
            (len(shapes) == 2 and shapes[1] != (shapes[0][3],)):
        return None
    kh, kw, channels, filters = shapes[0]
    layer = keras.layers.Conv2D(filters, (kh, kw), strides=strides, padding=padding, activation=act,
                                use_bias=len(shapes) == 2)
    layer.build((None, None, None, channels))
    return layer


RECURRENT = ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN")
MERGE_MODES = ("concat", "sum", "mul", "ave")


def _recurrent_core(spec: dict):
    """The judge's own LSTM or GRU (or ``RNN`` of an ``LSTMCell`` or ``GRUCell``) from the plain
    fields of its described config; None if odd."""
    kind, config = spec.get("class_name"), spec.get("config")
    if kind == "RNN" and isinstance(config, dict) and isinstance(config.get("cell"), dict):
        cell = config["cell"]
        core = {"LSTMCell": "LSTM", "GRUCell": "GRU", "SimpleRNNCell": "SimpleRNN"}.get(cell.get("class_name"))
        if core is None or not isinstance(cell.get("config"), dict):
            return None
        flags = {k: config.get(k, False) for k in ("return_sequences", "go_backwards", "return_state")}
        return _recurrent_core({"class_name": core, "config": {**cell["config"], **flags}})
    if kind not in ("LSTM", "GRU", "SimpleRNN") or not isinstance(config, dict):
        return None
    units = config.get("units")
    act, gate = _activation(config.get("activation", "tanh")), _activation(config.get("recurrent_activation", "sigmoid"))
    flags = {k: config.get(k, False) for k in ("return_sequences", "go_backwards", "return_state")}
    if not isinstance(units, int) or not 0 < units <= 1024 or act is None or gate is None or \
            not all(v in (True, False) for v in flags.values()) or flags["return_state"] or \
            config.get("use_bias", True) not in (True, False):
        return None
    options = dict(activation=act, use_bias=config.get("use_bias", True),
                   return_sequences=flags["return_sequences"], go_backwards=flags["go_backwards"])
    if kind == "SimpleRNN":
        return keras.layers.SimpleRNN(units, **options)
    options["recurrent_activation"] = gate
    if kind == "GRU":
        if config.get("reset_after", True) not in (True, False):
            return None
        return keras.layers.GRU(units, reset_after=config.get("reset_after", True), **options)
    return keras.layers.LSTM(units, **options)


def _recurrent(kind: str, config: dict, shapes: list[tuple]):
    """The judge's own LSTM, GRU or Bidirectional of one of them, from the described config
    (plain fields only: the child's config is never deserialized); None if odd."""
    if kind != "Bidirectional":
        layer = _recurrent_core({"class_name": kind, "config": config})
    elif config.get("merge_mode", "concat") not in MERGE_MODES:
        return None
    else:
        core, back = (_recurrent_core(config.get(k) if isinstance(config.get(k), dict) else {})
                      for k in ("layer", "backward_layer"))
        if core is None or back is None or back.go_backwards == core.go_backwards or \
                back.return_sequences != core.return_sequences:
            return None
        layer = keras.layers.Bidirectional(core, backward_layer=back, merge_mode=config.get("merge_mode", "concat"))
    if layer is None or not shapes or len(shapes[0]) != 2:
        return None
    layer.build((None, None, shapes[0][0]))
    return layer if [tuple(v.shape) for v in layer.weights] == shapes else None


def draw_layer_weights(layer) -> list[np.ndarray]:
    """Weights the judge draws for one layer (a positive variance for BatchNormalization)."""
    return draw.variable_weights([tuple(v.shape) for v in layer.weights], [v.path for v in layer.weights])


def forward(layers: list, x) -> np.ndarray | None:
    """The chain's output at inference, computed by the judge."""
    h = x
    for layer in layers:
        h = layer(h, training=False)
    return np.asarray(h)


def rebuild(model, path: str, info: dict):
    """The judge's own copy of the learner's built-in layer at ``path`` (described by ``info``),
    with its settings, L1/L2 penalties and rectifier configuration; None if it cannot."""
    kind = info.get("builtin")
    settings = info.get("settings") if isinstance(info.get("settings"), dict) else {}
    if kind in ("Dense", "Conv2D") and settings.get("activation") not in ACTIVATIONS:
        # spelled another way (`tf.nn.softmax`, a lambda, a Softmax layer): known by what it computes
        found = activation_of(model, path)
        info = {**info, "settings": {**settings, "activation": found}} if found else info
    return replica_layer(info, _penalties(model, path) if kind == "Dense" else None,
                         _config(model, path) if kind in (*RECTIFIERS, *RECURRENT, "Softmax") else None)



# What a learner may apply to the last layer's output in call() (`tf.nn.softmax(...)`, twice).
LAST_STEPS = ("linear", "softmax", "sigmoid", "relu", "tanh")
MAX_CHAINED = 8  # layers the judge chains, at most
MAX_PERMUTED = 4  # up to this many layers, every order of them is tried
MAX_PATHS = 300  # layers reached while following one model, at most, whatever the child describes


def rebuilt(model, found: list[tuple[str, dict]], skip: tuple[str, ...] = ()) -> list[tuple] | None:
    """``(id, layer)`` for each described layer of ``found`` (``layers_of``), in order: the judge's
    own copy holding the weights the learner's holds now. Unbuilt layers (they compute nothing)
    and the kinds in ``skip`` (merges a caller computes itself) are left out. None if a layer
    cannot be rebuilt, or there are none or more than ``MAX_CHAINED``."""
    layers = []
    for path, info in found:
        if info.get("builtin") in ("InputLayer", *skip) or info.get("built") is False:
            continue
        layer = rebuild(model, path, info)
        if layer is None:
            return None
        if layer.weights:
            held = layer_weights(model, path, [tuple(v.shape) for v in layer.weights])
            layer.set_weights([np.asarray(w, dtype="float32") for w in held])
        layers.append((info.get("id"), layer))
        if len(layers) > MAX_CHAINED:
            return None
    return layers or None


class Budget:
    """The layer calls the judge makes while following one model, at most, whatever the child
    describes."""

    def __init__(self, calls: int = MAX_PATHS):
        self.left = calls

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def through(layers: list, h, budget: Budget, relu_last: bool = False, skippable: bool = False):
    """Every output the chain ``layers`` gives from ``h``: a relu or not after each layer (after
    the last too with ``relu_last``), a BatchNormalization's ``_variants``, and with
    ``skippable`` a weightless layer also left out (a ``Softmax`` layer applied to one head
    only). A layer's output stays Keras's tensor, so that an Embedding's mask reaches the next
    one; each output is given as float64."""
    if not layers:
        yield np.asarray(h, dtype="float64")
        return
    if not budget.spend():
        return
    layer, rest = layers[0], layers[1:]
    for out in _variants(layer, h):
        yield from through(rest, out, budget, relu_last, skippable)
        if rest or relu_last:
            yield from through(rest, keras.ops.relu(out), budget, relu_last, skippable)
    if skippable and not layer.weights:
        yield from through(rest, h, budget, relu_last, skippable)


def orders(keras_order: list, contract: list | None = None) -> list[list]:
    """The orders a chain of layers is tried in, each once: the contract's, Keras's (the order
    they were created in) and, for a few layers, every other (layers created in another order
    than call() applies them: most do not chain and stop at their first layer)."""
    tried = [contract or keras_order, keras_order] + \
        ([list(p) for p in itertools.permutations(keras_order)] if len(keras_order) <= MAX_PERMUTED else [])
    return [o for i, o in enumerate(tried) if o not in tried[:i]]


def as_input(x) -> np.ndarray:
    """An input array as the judge feeds its replica: integers kept (token ids), floats as float32."""
    x = np.asarray(x)
    return x if x.dtype.kind in "iu" else x.astype("float32")


def chain_output(model, x, got, first: tuple[str, ...] = (), last: tuple[str, ...] = ()) -> np.ndarray | None:
    """The built-in layers the model tracks (``layers_of``; unbuilt ones compute nothing),
    rebuilt by the judge with the weights they hold now and applied one after the other (each
    maybe followed by a ``relu`` call() applies: `tf.nn.relu(self.batch_norm(...))`), then one
    of ``LAST_STEPS``: the judge's computation, if it is the model's output ``got``; None if
    none is (or a layer cannot be rebuilt). The orders tried (``orders``): the contract's
    (``first`` and ``last`` name layers bound on ``self`` that it applies first and last, the
    others in Keras's order between them), Keras's, and for a few layers every other.

    How the judge follows a model that is not the contract's but is made of layers it can
    rebuild: a learner's mistake (a softmax on the logits, an activation left out) is then
    computed by the judge, as the contract's model would be, never believed."""
    if not isinstance(got, np.ndarray):
        return None
    layers = rebuilt(model, layers_of(model))
    if layers is None:
        return None
    budget, x = Budget(), as_input(x)
    contract = [layer for _, layer in _ordered(model, layers, first, last)]
    for order in orders([layer for _, layer in layers], contract):
        try:
            with np.errstate(all="ignore"):
                for h in through(order, x, budget):
                    want = finished(got, h)
                    if want is not None:
                        return want
        except Exception:  # noqa: BLE001 - shapes the child described that do not chain: not this order
            continue
    return None


def _variants(layer, h):
    """What ``layer`` may give at inference in a learner's call(): its inference output, and for
    a BatchNormalization also the batch's own statistics (called with a fixed ``training=True``,
    its moving statistics put back) or nothing (applied in training only)."""
    yield layer(h, training=False)
    if isinstance(layer, keras.layers.BatchNormalization):
        kept = layer.get_weights()
        out = layer(h, training=True)
        layer.set_weights(kept)
        yield out
        yield h


def finished(got, h) -> np.ndarray | None:
    """``h`` with one of ``LAST_STEPS`` applied (a softmax call() applies to the classifier's
    output) if that is the model's output ``got``; None if none is."""
    with np.errstate(all="ignore"):
        for step in LAST_STEPS:
            want = activation(step, np.asarray(h, dtype="float64"))
            if close(got, want):
                return want
    return None


def _ordered(model, layers: list[tuple], first: tuple[str, ...], last: tuple[str, ...]) -> list[tuple]:
    """``layers`` ((id, layer) in Keras's order) with those bound as ``first`` first and ``last``
    last, in those orders."""
    if not first and not last:
        return layers
    with doing("reading the layers of your model"):
        ids = {attr: model.describe(attr, layers=False).get("id") for attr in (*first, *last) if model.has(attr)}

    def place(item):
        i, (layer_id, _) = item
        for group, attrs in ((0, first), (2, last)):
            for k, attr in enumerate(attrs):
                if attr in ids and layer_id == ids[attr]:
                    return (group, k)
        return (1, i)

    return [pair for _, pair in sorted(enumerate(layers), key=place)]


def followed(model, x, got, contract=None, first: tuple[str, ...] = (), last: tuple[str, ...] = ()) -> np.ndarray | None:
    """What the judge computes for the model's output ``got`` on ``x``: ``contract()`` (the
    exercise's forward pass, from the weights the model holds now) when ``got`` is that, else
    the model's own layers applied in order (``chain_output``, the contract's order given by
    ``first`` and ``last`` tried first) when ``got`` is that, else the contract's (so that the
    comparison fails and says what was expected), or None without a contract. For a grader's
    ``Forward``: an output the judge computed earns the points a model's output earns, and no
    other output does."""
    want, why = None, None
    if contract is not None:
        try:
            want = contract()
        except CheckFailed as e:
            why = e
    if want is not None and close(got, np.asarray(want)):
        return want
    chained = chain_output(model, x, got, first, last)
    if chained is not None:
        return chained
    if why is not None:
        raise why
    return want
