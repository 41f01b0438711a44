"""Figures as PNG bytes, drawn with matplotlib's Agg backend (no display, no global pyplot state).

Each function takes plain numbers and returns the PNG; reporters decide where
the bytes go (a file for the learner, base64 inside ``report.html``).
"""
from __future__ import annotations

import io
import textwrap

__all__ = ["loss_curves_png", "histograms_png", "bars_png"]

INK, REFERENCE, LEARNER, BAD = "#333333", "#2b7bb9", "#d9534f", "#e8a33d"


def _figure(width: float, height: float, layout: str | None = "constrained"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _png(fig, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def loss_curves_png(learner: list[float], reference: list[float] | None, *, title: str,
                    dpi: int = 100) -> bytes:
    """The learner's training loss per epoch beside the reference solution's, on one axis.

    Fixed margins (room for a two-line title and the labels) instead of a computed
    layout: a class has one such figure per learner, and the layout would double its cost.
    """
    fig = _figure(6.0, 3.6, layout=None)
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
    ax.set_title("\n".join(textwrap.wrap(title, 64)), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig, dpi)


def histograms_png(panels: list[tuple[str, list[float]]], *, xlabel: str, dpi: int = 90) -> bytes:
    """One small histogram per panel (title, values in 0..100), side by side in a grid."""
    n = max(1, len(panels))
    cols = min(n, 4)
    rows = -(-n // cols)
    fig = _figure(3.0 * cols, 2.3 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    bins = [i * 10 for i in range(11)]
    for i, ax in enumerate(axes.flat):
        if i >= len(panels):
            ax.set_axis_off()
            continue
        title, values = panels[i]
        ax.hist(values, bins=bins, color=REFERENCE, edgecolor="white")
        ax.set_title(f"{title} (n={len(values)})", fontsize=9)
        ax.set_xlim(0, 100)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.yaxis.get_major_locator().set_params(integer=True)
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
    return _png(fig, dpi)
