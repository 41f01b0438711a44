"""Read a submission's Python source, from a ``.py`` file or a Jupyter notebook.

A notebook is read with ``nbformat`` (any format Jupyter writes, converted to
version 4; not validated strictly, so a notebook without cell ids still reads).
Its code cells are joined in order; IPython magics (``%...``) and shell lines
(``!...``) cannot run outside Jupyter, so they are replaced by ``pass`` (keeping
line numbers) and listed in the returned notes. A file that is not a notebook
raises ``ValueError`` with a message for the learner.
"""
from __future__ import annotations

import warnings
from pathlib import Path

SOURCE_SUFFIXES = (".py", ".ipynb")
MAX_NOTEBOOK_BYTES = 64 * 2**20  # a notebook bigger than this holds outputs, not code

SAVE_AGAIN = "open it in Jupyter and save it again, or hand in your code as a .py file"


def _read_notebook(text: str, name: str):
    import nbformat  # ~0.9 s: paid once in the zygote (``warm_up``), never by the parent

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. cells without ids: nbformat fixes them
            nb = nbformat.reads(text, as_version=4)
    except nbformat.reader.NotJSONError:
        raise ValueError(f"{name} is not a Jupyter notebook: its text is not JSON; {SAVE_AGAIN}") from None
    except nbformat.NBFormatError as e:
        raise ValueError(f"{name} is not a notebook kerasgrade can read ({e}; Jupyter writes format 4); "
                         f"{SAVE_AGAIN}") from None
    except (nbformat.ValidationError, ValueError, AttributeError, TypeError, KeyError, RecursionError) as e:
        detail = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise ValueError(f"{name} is not a readable Jupyter notebook ({detail}); {SAVE_AGAIN}") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError(f"{name} is not a readable Jupyter notebook (it has no list of cells); {SAVE_AGAIN}")
    return cells


def warm_up() -> None:
    """Import nbformat and load its schema once (in the zygote, before it forks the children)."""
    notebook_code('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')


def notebook_code(text: str, name: str = "the notebook") -> tuple[str, list[str]]:
    """The code of a notebook's code cells, in order, and notes on the lines dropped."""
    lines, notes = [], []
    for n, cell in enumerate(_read_notebook(text, name), 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(map(str, src)) if isinstance(src, list) else str(src)
        for line in src.splitlines():
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):
                notes.append(f"cell {n}: dropped `{stripped[:60]}` (Jupyter-only syntax)")
                line = line[: len(line) - len(stripped)] + "pass"
            lines.append(line)
        lines.append("")
    return "\n".join(lines) + "\n", notes


def read_source(path: str | Path) -> tuple[str, list[str]]:
    """The code to run and notes for the learner. Raises ``ValueError`` for unreadable files."""
    path = Path(path)
    if path.suffix == ".ipynb" and path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB, more than a notebook of code "
                         f"needs ({MAX_NOTEBOOK_BYTES // 2**20} MB at most): clear its outputs (Kernel > Restart "
                         "Kernel and Clear Outputs) and save it again")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path.name} is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    if path.suffix == ".ipynb":
        return notebook_code(text, path.name)
    return text, []
