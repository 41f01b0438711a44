"""Read a submission's Python source, from a ``.py`` file or a Jupyter notebook.

A notebook's code cells are joined in order; IPython magics (``%...``) and
shell lines (``!...``) cannot run outside Jupyter, so they are replaced by
``pass`` (keeping line numbers) and listed in the returned notes.
"""
from __future__ import annotations

import json
from pathlib import Path

SOURCE_SUFFIXES = (".py", ".ipynb")


def notebook_code(text: str) -> tuple[str, list[str]]:
    nb = json.loads(text)
    lines, notes = [], []
    for n, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
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
    raw = path.read_bytes() if raw is None else raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path.name} is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    if path.suffix == ".ipynb":
        try:
            return notebook_code(text)
        except (json.JSONDecodeError, AttributeError, TypeError) as e:
            raise ValueError(f"{path.name} is not a readable Jupyter notebook ({e})") from None
    return text, []
