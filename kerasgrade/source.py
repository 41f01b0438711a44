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
    return "\n".join(hoist_future_imports(lines)) + "\n", notes


def hoist_future_imports(lines: list[str]) -> list[str]:
    """``from __future__ import ...`` at the top of a later cell must come first in the joined
    code: each such line becomes ``pass`` where it was, and the import leads the first line
    (``from __future__ import annotations; ...``), so no line number changes."""
    future = [line.strip() for line in lines
              if line.startswith("from __future__ import ") and ";" not in line and "#" not in line]
    if not future or not lines or lines[0].strip() in future and len(set(future)) == 1:
        return lines
    out = ["pass" if line.strip() in future else line for line in lines]
    out[0] = "; ".join(dict.fromkeys(future)) + ("; " + out[0] if out[0].strip() else "")
    return out


def read_source(path: str | Path, raw: bytes | None = None) -> tuple[str, list[str]]:
    """The code to run and notes for the learner, from the file at ``path`` or from its bytes
    ``raw`` already read (then ``path`` only names it). Raises ``ValueError`` for unreadable files."""
    path = Path(path)
    size = path.stat().st_size if raw is None else len(raw)  # a file: refused before it is read
    if path.suffix == ".ipynb" and size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"{path.name} is {size / 2**20:.0f} MB, more than a notebook of code "
                         f"needs ({MAX_NOTEBOOK_BYTES // 2**20} MB at most): clear its outputs (Kernel > Restart "
                         "Kernel and Clear Outputs) and save it again")
    raw = path.read_bytes() if raw is None else raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path.name} is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    if path.suffix == ".ipynb":
        return notebook_code(text, path.name)
    return text, []


class LoadError(Exception):
    """The submission could not be read; the message is for the learner."""


def read_source_or_error(path: str | Path, raw: bytes | None = None) -> tuple[str, list[str]] | LoadError:
    """The submission's ``(code, notes)`` (from its bytes ``raw`` if given), or the ``LoadError``
    that explains why not."""
    try:
        return read_source(path, raw)
    except (OSError, ValueError, RecursionError) as e:
        return LoadError(str(e))
