"""The judge's random draws: inputs, weights and targets no submission can predict.

Before each check the judge seeds ``rng()`` from a key that mixes a secret (read by the
judge alone, never by the zygote the children are forked from), the course seed, the
student, the exercise, the submission's own bytes and the check's name. The same secret
and the same file give the same draws (grades are reproducible); another file, another
student or another run's secret give others, so answers cannot be prepared or replayed.
Without a secret (``kerasgrade check``, ``validate``, ``mutate``: nobody has a grade to forge)
the key is the course seed, the exercise and the check alone, so that every file of an
exercise is asked the same questions and mutants can be compared with the reference.
"""
from __future__ import annotations

import hashlib
import hmac

import numpy as np

_state = {"rng": np.random.default_rng(0)}


def key(secret: bytes, *parts: str | int) -> int:
    """A 64-bit seed from the secret and the parts."""
    msg = "\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hmac.new(secret, msg, hashlib.sha256).digest()[:8], "big")


def seed(value: int) -> None:
    _state["rng"] = np.random.default_rng(value)


def rng() -> np.random.Generator:
    """The running check's generator."""
    return _state["rng"]


def features(batch: int, size: int, scale: float = 1.0) -> np.ndarray:
    """``(batch, size)`` float32 inputs, normal with standard deviation ``scale``."""
    return (rng().normal(size=(batch, size)) * scale).astype("float32")


def weights_like(shapes: list[tuple], scale: float = 0.5) -> list[np.ndarray]:
    """Random float32 weights of the given shapes (what the judge sets before it compares)."""
    return [(rng().normal(size=tuple(s)) * scale).astype("float32") for s in shapes]


def variable_weights(shapes: list[tuple], paths: list[str]) -> list[np.ndarray]:
    """Weights the judge draws for variables of these shapes and Keras paths: as
    ``weights_like``, except that a variance (BatchNormalization's ``moving_variance``) is
    positive, as Keras keeps it (a negative one makes the layer's output NaN)."""
    drawn = weights_like(shapes)
    return [np.abs(w) + np.float32(0.5) if "variance" in str(path) else w for w, path in zip(drawn, paths)]


def blobs(n: int, features: int, classes: int, spread: float = 0.6):
    """Separable Gaussian blobs: ``x`` (n, features) float32, ``y`` (n,) int32 labels."""
    g = rng()
    centers = g.normal(scale=3.0, size=(classes, features))
    y = np.arange(n) % classes
    x = centers[y] + g.normal(scale=spread, size=(n, features))
    perm = g.permutation(n)
    return x[perm].astype("float32"), y[perm].astype("int32")


def split(n: int, held_out: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a training part and a held-out part that the child never sees."""
    perm = rng().permutation(n)
    cut = int(round(n * (1 - held_out)))
    return perm[:cut], perm[cut:]


def integer(low: int, high: int) -> int:
    return int(rng().integers(low, high))


# -- added for ex08 and ex09

def xor(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two classes no linear model separates: the sign of x0 * x1 (plus 2 noise features).
    ``x`` (n, 4) float32, ``y`` (n,) int32."""
    g = rng()
    signs = g.choice([-1.0, 1.0], size=(n, 2))
    x = np.concatenate([signs * 2 + g.normal(scale=0.5, size=(n, 2)), g.normal(size=(n, 2))], 1)
    return x.astype("float32"), (signs[:, 0] * signs[:, 1] > 0).astype("int32")
