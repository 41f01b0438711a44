"""Canvas's "Download Submissions" zip: loose files, one per uploaded file.

Canvas names each file ``<name>[_LATE]_<user id>_<file id>_<original name>``
(``lib/content_zipper.rb``): ``name`` is the learner's sortable name stripped to
word characters and lower-cased (a group's name for a group assignment), ``LATE``
marks a late submission, ``anon_<id>`` stands in for name and user id when the
assignment is anonymous, and the original name carries Canvas's ``-1``, ``-2``
when the learner uploaded a file of the same name again. A text entry is
``<name>_<user id>_text.html``, a URL ``..._link.html``.

For a group assignment the download holds the files of whichever member submitted, named
with the group's name. Canvas's export of the group set (People > Groups > Export: a CSV with
``canvas_user_id``, ``name`` and ``group_name`` columns, ``read_groups``) says who else is in
the group: each member is then taken in with the group's files, the latest of them all.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from kerasgrade.intake.archive import Listing
from kerasgrade.errors import KerasgradeError
from kerasgrade.intake.upload import Upload, safe_id, strip_common_root
from kerasgrade.manifest import Ignored

__all__ = ["CanvasName", "CanvasGroups", "parse_name", "looks_like", "read", "read_groups"]

MAX_GROUPS_BYTES = 16 * 2**20  # a group set's export of a large course is well under this

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


@dataclass
class CanvasGroups:
    """A group set, from Canvas's export: each member's group, and each group's members."""
    group_of: dict[str, str] = field(default_factory=dict)                     # user id -> group
    members: dict[str, list[tuple[str, str]]] = field(default_factory=dict)    # group -> (user id, name)


def read_groups(path: str | Path) -> CanvasGroups:
    """The group set exported from Canvas; a file that is not one names the column at fault."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_GROUPS_BYTES:
            raise KerasgradeError(f"--groups {path}: {path.stat().st_size // 2**20} MB is more than a group "
                                  f"set's export ({MAX_GROUPS_BYTES // 2**20} MB at most)")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise KerasgradeError(f"--groups {path}: cannot be read ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise KerasgradeError(f"--groups {path}: not UTF-8 text (byte {e.start}); export it from Canvas "
                              "again") from None
    rows = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("canvas_user_id", "group_name") if c not in (rows.fieldnames or [])]
    if missing:
        raise KerasgradeError(f"--groups {path}: no `{missing[0]}` column. Expected Canvas's export of "
                              "the group set (People > Groups > Export), whose header holds canvas_user_id, "
                              "name and group_name")
    groups = CanvasGroups()
    for line, row in enumerate(rows, 2):
        user, group = (row.get("canvas_user_id") or "").strip(), (row.get("group_name") or "").strip()
        if not group:
            continue  # a student in no group of this set
        if not _DIGITS.match(user):
            raise KerasgradeError(f"--groups {path}, line {line}: canvas_user_id {user[:40]!r} is not a "
                                  "Canvas user id (digits)")
        if groups.group_of.get(user, group) != group:
            raise KerasgradeError(f"--groups {path}, line {line}: user {user} is in two groups of the set "
                                  f"({groups.group_of[user]!r} and {group!r})")
        if user not in groups.group_of:
            groups.group_of[user] = group
            groups.members.setdefault(group, []).append((user, (row.get("name") or "").strip()))
    return groups


def _as_groups(uploads: dict[str, Upload], groups: CanvasGroups) -> list[Upload]:
    """Each group's uploads pooled (the latest file wins, as for one learner) and handed to every
    member; learners in no group keep their own."""
    pooled: dict[str, list[Upload]] = {}
    out = []
    for user, up in uploads.items():
        group = groups.group_of.get(user)
        if group is None:
            out.append(up)
        else:
            pooled.setdefault(group, []).append(up)
    for group, ups in pooled.items():
        files = [f for up in ups for f in up.files]
        ignored = [i for up in ups for i in up.ignored]
        late = any(up.late for up in ups)
        for user, name in groups.members[group]:
            own = uploads.get(user)
            proposed = own.proposed_id if own else f"{safe_id(name, 'canvas', lower=True)}-{user}" \
                if name else f"canvas-{user}"
            out.append(Upload(proposed, own.name if own else name, "canvas", {"user_id": user},
                              files=list(files), late=late, group_key=f"canvas group {group}",
                              ignored=list(ignored)))
    return out


def looks_like(listing: Listing) -> bool:
    top = [e for e in strip_common_root(listing).entries if len(e.path) == 1]
    named = sum(parse_name(e.name) is not None for e in top)
    return named > 0 and named * 2 >= len(top)


def read(listing: Listing, groups: CanvasGroups | None = None) -> tuple[list[Upload], list[str]]:
    """One upload per Canvas user id (per member of a group that submitted, with ``groups``),
    and problems not tied to a learner."""
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
    return (_as_groups(uploads, groups) if groups else list(uploads.values())), problems
