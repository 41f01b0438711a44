"""Archives as the platforms hand them over, and hostile ones, built in memory for the intake tests."""
from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from pathlib import Path

WHEN = (2026, 3, 2, 9, 0, 0)


def member(name: str, *, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("placeholder", date_time=WHEN)
    info.filename = info.orig_filename = name  # as given: NUL bytes, backslashes, ".." and all
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def zip_bytes(members) -> bytes:
    """``members``: (name or ZipInfo, bytes) pairs, written as given (duplicates and odd names too)."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as z:
        warnings.simplefilter("ignore")  # "Duplicate name": the tests mean it
        for name, data in members:
            info = name if isinstance(name, zipfile.ZipInfo) else member(name)
            with z.open(info, "w", force_zip64=False) as f:
                f.write(data)
    return buf.getvalue()


def write_zip(path: Path, members) -> Path:
    path.write_bytes(zip_bytes(members))
    return path


def lying_zip(name: str, data: bytes, claimed: int) -> bytes:
    """A zip whose member holds ``data`` but whose headers claim ``claimed`` bytes (a bomb's trick)."""
    raw = bytearray(zip_bytes([(name, data)]))
    real = len(data).to_bytes(4, "little")
    fake = claimed.to_bytes(4, "little")
    local = raw.index(b"PK\x03\x04")
    assert raw[local + 22:local + 26] == real
    raw[local + 22:local + 26] = fake
    central = raw.index(b"PK\x01\x02")
    assert raw[central + 24:central + 28] == real
    raw[central + 24:central + 28] = fake
    return bytes(raw)


def with_encrypted_flag(data: bytes, index: int = 0) -> bytes:
    """The zip ``data`` with member ``index`` flagged encrypted (zipfile cannot write one)."""
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = -1
        for _ in range(index + 1):
            at = raw.index(signature, at + 1)
        raw[at + offset] |= 0x1
    return bytes(raw)


def nested_zip(depth: int, inner: list[tuple[str, bytes]]) -> bytes:
    """A zip in a zip ... ``depth`` times around ``inner``."""
    data = zip_bytes(inner)
    for level in range(depth):
        data = zip_bytes([(f"level{level}.zip", data)])
    return data


def tree(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Every path under ``root`` (but ``skip``) with a digest of what it is, to compare before and after."""
    out = {}
    for p in sorted(root.rglob("*")):
        if skip is not None and (p == skip or skip in p.parents):
            continue
        if p.is_symlink():
            out[str(p)] = "link:" + str(p.readlink())
        elif p.is_file():
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[str(p)] = "dir"
    return out


SOLUTION_TEXT = "class SimpleMLP: pass\n"
OTHER_TEXT = "class SimpleMLP:\n    pass  # another try\n"
NOTEBOOK = (b'{"cells": [{"cell_type": "code", "metadata": {}, "source": ["x = 1\\n"], "outputs": [], '
            b'"execution_count": null}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')


def gradescope_metadata(submissions: dict[str, dict]) -> bytes:
    """submission_metadata.yml as Gradescope writes it: Ruby symbol keys (``:submitters:``)."""
    lines = []
    for folder, s in submissions.items():
        lines.append(f"{folder}:")
        lines.append("  :submitters:")
        for person in s["submitters"]:
            lines.append(f"  - :name: {person['name']}")
            if "sid" in person:
                lines.append(f"    :sid: '{person['sid']}'")
            if "email" in person:
                lines.append(f"    :email: {person['email']}")
        lines.append(f"  :created_at: {s['created_at']}")
        lines.append(f"  :score: {s.get('score', 0.0)}")
        lines.append("  :status: processed")
        lines.append("  :history: []")
    return ("\n".join(lines) + "\n").encode()
