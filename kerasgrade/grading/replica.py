"""The judge's replica of a learner's network: the built-in Keras layers a model tracks, rebuilt
in trusted code from the settings and weight shapes the child describes.

What the child says about its layers is its word; a replica is believed only once the judge,
having set weights it drew in both, sees the learner's forward pass equal the replica's on
inputs it drew (the graders do that). Shared by the graders that follow a network a learner
may have grown beyond the contract (a normalization layer, a Dropout, an activation layer):
ex02 and ex10.
"""
import keras
import numpy as np

from kerasgrade.errors import CheckFailed
from kerasgrade.grading import draw
from kerasgrade.grading.expect import activation, doing, layer_weights

MAX_LAYERS = 24          # layers of the learner's network the judge rebuilds, at most
CONTAINERS = ("Sequential", "Functional", "Model")


def layers_of(model, path=None, depth=0, found=None) -> list[tuple[str, dict]]:
    """The built-in layers the model tracks, in order, containers opened: (path, description)."""
    found = [] if found is None else found
    with doing("reading the layers of your model"):
        info = model.describe(path)
    for i, sub in enumerate(info.get("layers", [])[:MAX_LAYERS]):
        if len(found) >= MAX_LAYERS:
            break
        if not isinstance(sub, dict):
            continue
        where = f"{path}.layers[{i}]" if path else f"layers[{i}]"
        if depth < 3 and (sub.get("is_model") is True or sub.get("builtin") in CONTAINERS):
            layers_of(model, where, depth + 1, found)
        elif sub.get("id") is None or all(sub.get("id") != seen.get("id") for _, seen in found):
            found.append((where, sub))  # a layer bound on self and also put in a Sequential: once
    return found


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
    if any(len(s) > 2 or any(not isinstance(d, int) or not 0 < d <= 4096 for d in s) for s in shapes):
        return None
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
    return replica_layer(info, _penalties(model, path) if kind == "Dense" else None,
                         _config(model, path) if kind in RECTIFIERS else None)



# What a learner may apply to the last layer's output in call() (`tf.nn.softmax(...)`, twice).
LAST_STEPS = ("linear", "softmax", "sigmoid", "relu", "tanh")


def _close(got, want) -> bool:
    return isinstance(got, np.ndarray) and isinstance(want, np.ndarray) and got.shape == want.shape and \
        bool(np.allclose(got.astype("float64"), want.astype("float64"), atol=1e-4, rtol=1e-4))


def chain_output(model, x, got) -> np.ndarray | None:
    """The built-in layers the model tracks (``layers_of``; unbuilt ones compute nothing),
    rebuilt by the judge with the weights they hold now and applied one after the other in the
    order Keras lists them, then one of ``LAST_STEPS``: the judge's computation, if it is the
    model's output ``got``; None if none is (or a layer cannot be rebuilt).

    How the judge follows a model that is not the contract's but is made of layers it can
    rebuild: a learner's mistake (a softmax on the logits, an activation left out) is then
    computed by the judge, as the contract's model would be, never believed."""
    if not isinstance(got, np.ndarray):
        return None
    layers = []
    for path, info in layers_of(model):
        if info.get("builtin") == "InputLayer" or info.get("built") is False:
            continue
        layer = rebuild(model, path, info)
        if layer is None:
            return None
        if layer.weights:
            held = layer_weights(model, path, [tuple(v.shape) for v in layer.weights])
            layer.set_weights([np.asarray(w, dtype="float32") for w in held])
        layers.append(layer)
    if not layers:
        return None
    try:
        h = np.asarray(forward(layers, np.asarray(x, dtype="float32")), dtype="float64")
    except Exception:  # noqa: BLE001 - shapes the child described that do not chain: not this model
        return None
    with np.errstate(all="ignore"):
        for step in LAST_STEPS:
            want = activation(step, h)
            if _close(got, want):
                return want
    return None


def followed(model, x, got, contract) -> np.ndarray:
    """What the judge computes for the model's output ``got`` on ``x``: ``contract()`` (the
    exercise's forward pass, from the weights the model holds now) when ``got`` is that, else
    the model's own layers applied in order (``chain_output``) when ``got`` is that, else the
    contract's (so that the comparison fails and says what was expected). For a grader's
    ``Forward``: an output the judge computed earns the points a model's output earns."""
    try:
        want = contract()
    except CheckFailed as e:
        want, why = None, e
    if want is not None and _close(got, np.asarray(want)):
        return want
    chained = chain_output(model, x, got)
    if chained is not None:
        return chained
    if want is None:
        raise why
    return want
