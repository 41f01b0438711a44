"""Canvas's "Download Submissions" zip: loose files, one per uploaded file.

Canvas names each file ``<name>[_LATE]_<user id>_<file id>_<original name>``
(``lib/content_zipper.rb``): ``name`` is the learner's sortable name stripped to
word characters and lower-cased (a group's name for a group assignment), ``LATE``
marks a late submission, ``anon_<id>`` stands in for name and user id when the
assignment is anonymous, and the original name carries Canvas's ``-1``, ``-2``
when the learner uploaded a file of the same name again. A text entry is
``<name>_<user id>_text.html``, a URL ``..._link.html``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kerasgrade.intake.archive import Listing
from kerasgrade.intake.upload import Upload, safe_id, strip_common_root
from kerasgrade.manifest import Ignored

__all__ = ["CanvasName", "parse_name", "looks_like", "read"]

_DIGITS = re.compile(r"^\d+$")
_ANON = re.compile(r"^[A-Za-z0-9]+$")


@dataclass(frozen=True)
class CanvasName:
    name: str           # as Canvas wrote it ("smithbob"), "" when anonymous
    user_id: str        # Canvas's user id, or "anon_<id>"
    file_id: str        # "" for a text entry or URL
    original: str       # the learner's file name ("text.html" / "link.html" for those)
    late: bool


def parse_name(filename: str) -> CanvasName | None:
    """The parts of one Canvas download name, or None if Canvas did not name it."""
    tokens = filename.split("_")
    for i in range(len(tokens) - 1):
        if tokens[i] == "anon" and i + 2 < len(tokens) and _ANON.match(tokens[i + 1]):
            user, rest = f"anon_{tokens[i + 1]}", tokens[i + 2:]
        elif _DIGITS.match(tokens[i]):
            user, rest = tokens[i], tokens[i + 1:]
        else:
            continue
        prefix = tokens[:i]
        late = bool(prefix) and prefix[-1].lower() == "late"
        prefix = prefix[:-1] if late else prefix
        if len(rest) == 1 and rest[0] in ("text.html", "link.html"):
            return CanvasName("_".join(prefix), user, "", rest[0], late)
        if len(rest) >= 2 and _DIGITS.match(rest[0]) and rest[1]:
            return CanvasName("_".join(prefix), user, rest[0], "_".join(rest[1:]), late)
        return None
    return None


def looks_like(listing: Listing) -> bool:
    top = [e for e in strip_common_root(listing).entries if len(e.path) == 1]
    named = sum(parse_name(e.name) is not None for e in top)
    return named > 0 and named * 2 >= len(top)


def read(listing: Listing) -> tuple[list[Upload], list[str]]:
    """One upload per Canvas user id, and problems not tied to a learner."""
    uploads: dict[str, Upload] = {}
    problems = []
    for e in strip_common_root(listing).entries:
        parsed = parse_name(e.name) if len(e.path) == 1 else None
        if parsed is None:
            problems.append(f"{e.where}: not named as Canvas names submissions "
                            "(<name>_<user id>_<file id>_<file>); ignored")
            continue
        up = uploads.get(parsed.user_id)
        if up is None:
            anonymous = parsed.user_id.startswith("anon_")
            fallback = parsed.user_id.replace("_", "-") if anonymous else f"canvas-{parsed.user_id}"
            proposed = (f"{safe_id(parsed.name, 'canvas', lower=True)}-{parsed.user_id}"
                        if parsed.name and not anonymous else fallback)
            ids = {"anonymous_id" if anonymous else "user_id": parsed.user_id.removeprefix("anon_")}
            up = uploads[parsed.user_id] = Upload(proposed, parsed.name, "canvas", ids)
        up.late = up.late or parsed.late
        if not parsed.file_id:
            up.ignored.append(Ignored(e.where, "an online text entry or URL, not a file (ignored)"))
            continue
        up.files.append((e, (parsed.original,), int(parsed.file_id)))
    return list(uploads.values()), problems
