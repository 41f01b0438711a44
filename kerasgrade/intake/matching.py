"""Which of a learner's files is which exercise: by name, forgivingly, every decision said.

A file counts for an exercise when its name is the exercise's id once normalised:
Unicode NFKC and case folded, spaces and hyphens read as ``_``, and the marks
that tools add stripped: Jupyter's ``-Copy1``, Canvas's resubmission suffix
``-1``, ``-2`` …, a browser's `` (1)``. ``ex01`` alone names ``ex01_first_model``
when no other exercise starts so. ``.py`` or ``.ipynb``, in any folder.

When several files name one exercise: identical copies are one file; files that
differ only by Canvas's resubmission number are resubmissions, and the newest
wins (the higher number, then the later upload); anything else is *ambiguous*:
one is still chosen (not a copy, ``.py`` before ``.ipynb``, the shallowest, then
the newest) so that grading goes on, and the instructor is told to look.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass

from kerasgrade.intake.archive import Entry
from kerasgrade.source import SOURCE_SUFFIXES

__all__ = ["NameMatch", "match_name", "skip_reason", "Candidate", "Choice", "choose"]

JUNK_PARTS = ("__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git", ".DS_Store")

_COPY = re.compile(r"[-_ ]copy(\d*)$")
_RESUBMISSION = re.compile(r"-(\d{1,4})$")
_BROWSER_COPY = re.compile(r"\s*\((\d{1,4})\)$")
_SHORT = re.compile(r"^(ex\d+)(?:_|$)")


@dataclass(frozen=True)
class NameMatch:
    exercise: str
    resubmission: int  # Canvas's -N, 0 for the first upload
    copy: bool         # a Jupyter "-Copy1" or a browser "(1)" duplicate


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", text).casefold().strip())


def match_name(filename: str, exercises: list[str]) -> NameMatch | None:
    """The exercise a file name stands for, or None."""
    stem, dot, suffix = filename.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SOURCE_SUFFIXES:
        return None
    ids = {_norm(e): e for e in exercises}
    short = {}
    for e in exercises:
        m = _SHORT.match(_norm(e))
        if m:
            short.setdefault(m.group(1), []).append(e)
    raw = unicodedata.normalize("NFKC", stem).casefold().strip()
    resubmission, copy = 0, False
    while True:
        name = _norm(raw)
        if name in ids:
            return NameMatch(ids[name], resubmission, copy)
        if name in short and len(short[name]) == 1:
            return NameMatch(short[name][0], resubmission, copy)
        if m := _COPY.search(raw):
            copy = True
        elif m := _BROWSER_COPY.search(raw):
            copy = True
        elif (m := _RESUBMISSION.search(raw)) and not resubmission:
            resubmission = int(m.group(1))
        else:
            return None
        raw = raw[: m.start()].rstrip()


def skip_reason(path: tuple[str, ...]) -> str | None:
    """Why a file is not even a candidate (operating-system or editor litter, not code), or None."""
    if any(p in JUNK_PARTS or p.startswith("._") for p in path):
        return "operating-system or editor files (ignored)"
    name = path[-1]
    if name.startswith("."):
        return "a hidden file (ignored)"
    suffix = f".{name.rpartition('.')[2].lower()}" if "." in name else ""
    if suffix == ".zip":
        return None
    if suffix not in SOURCE_SUFFIXES:
        return "not a Python file or notebook (ignored)"
    return None


@dataclass(frozen=True)
class Candidate:
    """A file that names an exercise: the entry, its path inside the learner's upload, how new it is."""

    entry: Entry
    rel: tuple[str, ...]
    match: NameMatch
    order: int = 0          # a platform's upload order (Canvas's file id), higher is newer
    data: bytes = b""

    @property
    def suffix(self) -> str:
        return "." + self.rel[-1].rpartition(".")[2].lower()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Choice:
    exercise: str
    chosen: Candidate
    reason: str                 # why this file, in words
    others: tuple[Candidate, ...] = ()
    ambiguous: bool = False
    problem: str = ""           # e.g. a notebook that is not JSON (still written: grading says why)


def notebook_problem(data: bytes) -> str:
    """Why bytes are not a Jupyter notebook, or ''."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        return f"not valid JSON, so not a notebook ({str(e)[:80]})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "valid JSON but not a Jupyter notebook (no list of cells)"
    return ""


def python_problem(data: bytes) -> str:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return f"not UTF-8 text (byte {e.start}), so not Python source"
    return "" if b"\x00" not in data else "holds NUL bytes, so it is not Python source"


def _problem(c: Candidate) -> str:
    return notebook_problem(c.data) if c.suffix == ".ipynb" else python_problem(c.data)


def _newest(c: Candidate):
    return (c.match.resubmission, c.order)


def _preferred(c: Candidate):
    return (bool(_problem(c)), c.match.copy, SOURCE_SUFFIXES.index(c.suffix), len(c.rel),
            -c.match.resubmission, -c.order, c.rel)


def choose(exercise: str, candidates: list[Candidate]) -> Choice:
    """The one file for ``exercise`` among ``candidates`` (at least one), and why."""
    by_content: dict[str, Candidate] = {}
    for c in sorted(candidates, key=_newest, reverse=True):
        by_content.setdefault(c.sha256, c)
    distinct = list(by_content.values())
    copies = tuple(c for c in candidates if c not in distinct)
    if len(distinct) == 1:
        chosen = distinct[0]
        reason = "the only file for it" if not copies else f"{len(copies) + 1} identical files; one kept"
        return Choice(exercise, chosen, reason, copies, problem=_problem(chosen))

    def family(c: Candidate):
        return (c.rel[:-1], c.suffix, c.match.copy)

    if len({family(c) for c in distinct}) == 1:
        chosen = max(distinct, key=_newest)
        return Choice(exercise, chosen, "the newest resubmission", tuple(c for c in candidates if c is not chosen),
                      problem=_problem(chosen))
    chosen = min(distinct, key=_preferred)
    return Choice(exercise, chosen, "ambiguous: several different files name this exercise; chose the first of "
                  "them (not a copy, .py before .ipynb, the shallowest, the newest)",
                  tuple(c for c in candidates if c is not chosen), ambiguous=True, problem=_problem(chosen))
