"""Gradescope's "Export Submissions" zip: a folder per submission and ``submission_metadata.yml``.

The metadata maps each folder (``submission_<id>``) to its ``:submitters:`` (each
with ``:name:``, ``:sid:``, ``:email:``; several for a group), ``:created_at:``
(when it was submitted), ``:score:``, ``:status:`` and ``:history:`` (the earlier
submissions). Ruby wrote it, so its keys are Ruby symbols: ``yaml.safe_load``
reads ``:submitters:`` as the string ``":submitters"``; plain keys are accepted
too. A group's submission is taken in once for each of its members.
"""
from __future__ import annotations

import yaml

from kerasgrade.discover import STUDENT_ID
from kerasgrade.intake.archive import Listing, Unreadable
from kerasgrade.intake.upload import Upload, parse_time, safe_id

__all__ = ["METADATA", "looks_like", "read"]

METADATA = "submission_metadata.yml"
MAX_FIELD = 320  # characters of a name, SID or email (longer: not Gradescope's, ignored)


def _get(d: dict, key: str, default=None):
    if not isinstance(d, dict):
        return default
    return d.get(f":{key}", d.get(key, default))


def _text(value) -> str:
    """A scalar of the metadata as text; anything else (a list, a mapping, an alias bomb) as ''."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    text = str(value)
    return text if len(text) <= MAX_FIELD else ""


def _metadata_entry(listing: Listing):
    found = [e for e in listing.entries if e.name == METADATA and len(e.path) <= 3]
    return min(found, key=lambda e: len(e.path)) if found else None


def looks_like(listing: Listing) -> bool:
    return _metadata_entry(listing) is not None


def read(listing: Listing) -> tuple[list[Upload], list[str]]:
    meta_entry = _metadata_entry(listing)
    if meta_entry is None:
        return [], [f"no {METADATA} in it: not a Gradescope export"]
    root = meta_entry.path[:-1]
    try:
        meta = yaml.safe_load(meta_entry.read().decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError, Unreadable) as e:
        raise Unreadable(f"{meta_entry.where}: cannot be read as YAML ({str(e)[:200]})") from None
    if not isinstance(meta, dict):
        raise Unreadable(f"{meta_entry.where}: expected a mapping of submission folders to their submitters")
    files: dict[str, list] = {}
    for e in listing.entries:
        if e.path[: len(root)] == root and len(e.path) > len(root) + 1:
            files.setdefault(e.path[len(root)], []).append(e)
    uploads, problems = [], []
    for folder, info in meta.items():
        folder = _text(folder)
        if not folder:
            problems.append(f"{meta_entry.where}: a key that is not a submission folder; ignored")
            continue
        submitters = _get(info, "submitters")
        if not isinstance(submitters, list) or not submitters:
            problems.append(f"{meta_entry.where}: {folder} has no :submitters: list; ignored")
            continue
        if folder not in files:
            problems.append(f"{meta_entry.where}: {folder} is listed but has no files in the export")
        when = parse_time(_get(info, "created_at"))
        for n, person in enumerate(submitters, 1):
            sid, email, name = (_text(_get(person, key)) for key in ("sid", "email", "name"))
            proposed = next((x for x in (sid, email) if x and STUDENT_ID.match(x)),
                            safe_id(sid or email or name, f"gradescope-{safe_id(folder, 'submission')}-{n}"))
            ids = {"submission_id": folder.removeprefix("submission_"), "sid": sid, "email": email}
            if _text(_get(info, "score")):
                ids["gradescope_score"] = _text(_get(info, "score"))
            up = Upload(proposed, name, "gradescope", ids, submitted_at=when,
                        group_key=folder if len(submitters) > 1 else "")
            for e in files.get(folder, []):
                up.files.append((e, e.path[len(root) + 1:], 0))
            uploads.append(up)
    listed = {_text(k) for k in meta}
    for folder in sorted(set(files) - listed):
        problems.append(f"{meta_entry.where}: the folder {folder} is not in the metadata; ignored")
    return uploads, problems
