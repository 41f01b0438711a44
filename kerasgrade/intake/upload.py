"""What a platform reader hands over: one learner's upload, before matching (``Upload``)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kerasgrade.intake.archive import Entry, Listing
from kerasgrade.manifest import Ignored

__all__ = ["Upload", "safe_id", "strip_common_root", "parse_time"]


@dataclass
class Upload:
    proposed_id: str                      # made safe and unique by take_in
    name: str
    platform: str
    platform_ids: dict[str, str]
    files: list[tuple[Entry, tuple[str, ...], int]] = field(default_factory=list)  # (entry, path in upload, order)
    submitted_at: datetime | None = None
    late: bool = False                    # the platform's own flag (Canvas's LATE)
    group_key: str = ""                   # uploads of one group share it
    ignored: list[Ignored] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def safe_id(text: str, fallback: str, *, lower: bool = False) -> str:
    """``text`` as a student id kerasgrade accepts (letters, digits, ._@+-; ASCII), or ``fallback``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = _UNSAFE.sub("-", ascii_text).strip("-._@+")[:64].rstrip("-._@+")
    out = out.lower() if lower else out
    return out or fallback


def strip_common_root(listing: Listing, keep: int = 1) -> Listing:
    """The listing without the one folder everything sits in (a zip of ``class/``), if there is one."""
    entries = listing.entries
    while entries and all(len(e.path) > keep for e in entries) and len({e.path[0] for e in entries}) == 1:
        entries = [Entry(e.path[1:], e.size, e.where, e.reader, e.depth) for e in entries]
    return Listing(entries, listing.refused)


def parse_time(value) -> datetime | None:
    """A platform's time (a datetime, or text such as ``2026-03-01 12:00:00.5 UTC``) as an aware UTC datetime."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and len(value) <= 64:
        text = value.strip()
        for tail in (" UTC", " utc", "Z"):
            if text.endswith(tail):
                text = text[: -len(tail)] + "+00:00"
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)           # more than microseconds
        text = re.sub(r"\s+([+-]\d\d):?(\d\d)$", r"\1:\2", text)  # "12:00 -0700"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
