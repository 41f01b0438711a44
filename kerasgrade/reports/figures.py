"""Figures as PNG bytes, drawn with matplotlib's Agg backend (no display, no global pyplot state).

Each function takes plain numbers and returns the PNG; reporters decide where
the bytes go (a file for the learner, base64 inside ``report.html``). ``render``
draws many at once, in parallel: a class's outputs have one figure per learner
who failed a training check, plus the report's.

Figures have fixed margins (measured from their labels where those vary) rather
than matplotlib's computed layouts, which draw every figure several times over.
"""
from __future__ import annotations

import io
import multiprocessing
import textwrap
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

__all__ = ["loss_curves_png", "score_bands_png", "bars_png", "render"]

Call = tuple[Callable[..., bytes], dict]  # one of the functions below and its keyword arguments

INK, REFERENCE, LEARNER, BAD = "#333333", "#2b7bb9", "#d9534f", "#e8a33d"


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _fit_left(fig, ax, *, right: float, bottom: float, top: float) -> None:
    """Margins in inches, the left one as wide as the longest y tick label."""
    width, height = fig.get_size_inches()
    renderer = fig.canvas.get_renderer()
    label = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()), default=0) / fig.dpi
    fig.subplots_adjust(left=min(0.7, (label + 0.15) / width), right=1 - right / width,
                        bottom=bottom / height, top=1 - top / height)


def _png(fig, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def loss_curves_png(learner: list[float], reference: list[float] | None, *, title: str,
                    dpi: int = 100) -> bytes:
    """The learner's training loss per epoch beside the reference solution's, on one axis."""
    fig = _figure(6.0, 3.6)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.84)
    ax = fig.add_subplot()
    if reference:
        ax.plot(range(1, len(reference) + 1), reference, "o-", color=REFERENCE, label="reference solution")
    if learner:
        ax.plot(range(1, len(learner) + 1), learner, "s-", color=LEARNER, label="your model")
    values = [v for v in (learner or []) + (reference or []) if v == v]  # drop NaN
    if values and min(values) > 0 and max(values) / min(values) > 50:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title("\n".join(textwrap.wrap(title, 64)), fontsize=10, y=1.0)  # a fixed y: no search for overlaps
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig, dpi)


BANDS = [f"{lo}-{lo + 9}" for lo in range(0, 90, 10)] + ["90-100"]


def score_bands_png(rows: list[tuple[str, list[float]]], *, dpi: int = 90) -> bytes:
    """How many scores (values in 0..100) of each row fall in each band of 10 points, as a
    grid: one row per (label, scores), shaded by the row's share, each cell giving its count.
    The last row is set apart (the report's course total)."""
    import numpy as np

    counts = np.array([np.histogram(np.clip(v, 0, 100), bins=range(0, 101, 10))[0] for _, v in rows] or [[0] * 10])
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig = _figure(8.0, 0.9 + 0.3 * len(counts))
    ax = fig.add_subplot()
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    for (i, j), n in np.ndenumerate(counts):
        if n:
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8, color="white" if share[i, j] > 0.55 else INK)
    ax.set_xticks(range(10), BANDS, fontsize=8)
    ax.set_yticks(range(len(rows)), [f"{label} (n={len(v)})" for label, v in rows], fontsize=8)
    ax.tick_params(length=0)
    ax.axhline(len(rows) - 1.5, color="white", linewidth=3)  # the last row (a total) apart from the others
    ax.set_xlabel("score (% of the exercise)")
    for side in ax.spines.values():
        side.set_visible(False)
    _fit_left(fig, ax, right=0.15, bottom=0.5, top=0.1)
    return _png(fig, dpi)


def bars_png(items: list[tuple[str, float]], *, xlabel: str, dpi: int = 90) -> bytes:
    """Horizontal bars, one per (label, value in 0..100), the first item at the top."""
    fig = _figure(8.0, 0.8 + 0.3 * max(1, len(items)))
    ax = fig.add_subplot()
    labels = [label if len(label) <= 70 else label[:67] + "..." for label, _ in items]
    values = [v for _, v in items]
    y = list(range(len(items)))[::-1]
    ax.barh(y, values, color=[BAD if v >= 50 else REFERENCE for v in values])
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    for yi, v in zip(y, values):
        ax.text(min(v + 1, 93), yi, f"{v:.0f}%", va="center", fontsize=7, color=INK)
    _fit_left(fig, ax, right=0.15, bottom=0.5, top=0.1)
    return _png(fig, dpi)


def _draw(call: Call) -> bytes | None:
    """The figure's PNG, or None when it cannot be drawn (e.g. a hostile loss curve): the
    figure is left out, never the others."""
    fn, kwargs = call
    try:
        return fn(**kwargs)
    except Exception:  # noqa: BLE001 - one figure, never the report or the class's feedback
        return None


def render(calls: dict[Hashable, Call], jobs: int = 1) -> dict[Hashable, bytes | None]:
    """Draw every figure: {key: PNG, or None for one that could not be drawn}. In ``jobs`` forked
    processes when there are several figures (in the order given: put the costliest first). The fork is safe: kerasgrade's
    own process never imports TensorFlow (the zygotes do), and the children only draw."""
    keys = list(calls)
    if jobs > 1 and len(keys) >= 4 and "fork" in multiprocessing.get_all_start_methods():
        _figure(1, 1)  # import matplotlib once, before the fork
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                return dict(zip(keys, pool.map(_draw, [calls[k] for k in keys],
                                               chunksize=max(1, len(keys) // (4 * jobs)))))
        except BrokenProcessPool:
            pass  # a worker died (out of memory?): draw them here instead
    return {k: _draw(calls[k]) for k in keys}
