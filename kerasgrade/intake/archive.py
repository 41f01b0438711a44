"""Read an uploaded archive or folder as a list of files, trusting none of it.

Nothing is extracted: a zip (or a folder) is *listed* into ``Entry`` values whose
names have been checked, and an entry's bytes are read into memory only when
they are needed (a metadata file, a candidate submission, a nested zip), within
the bounds below. Only the files finally chosen are written, by ``take_in``,
under ``--out``. What is refused is kept with the reason, for the instructor.

Refused: names with NUL or control or format characters, absolute names
(``/x``, ``C:x``), names that climb out (``..``), over-long names, a second copy
of a name (after Unicode normalisation and case folding), symbolic links and
other special files (zip ``external_attr``), encrypted members, members over the
size limit (by their header, and by the bytes they really hold), archives with
too many members, zips nested deeper than ``MAX_DEPTH``. Windows separators
(``\\``) are read as separators, and the parts checked like any other.
"""
from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ["MAX_ENTRIES", "MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "MAX_DEPTH", "Entry", "Listing", "Budget",
           "Unreadable", "clean_name", "shown", "list_zip", "list_dir"]

MAX_ENTRIES = 20_000               # members of one archive, or files under one folder
MAX_FILE_BYTES = 16 * 2**20        # one file (a notebook with its outputs stays far below)
MAX_TOTAL_BYTES = 512 * 2**20      # everything read in one run of `kerasgrade collect`
MAX_DEPTH = 2                      # the download (0) > a student's zip (1) > a zip in it (2)
MAX_PART_BYTES = 255               # one component of a name (what file systems allow)
MAX_PATH_CHARS = 1024
MAX_PARTS = 32


class Unreadable(Exception):
    """An archive, or a member of one, that cannot be read safely; the message says which and why."""


def shown(name: str, limit: int = 120) -> str:
    """A hostile name made printable: control and format characters escaped, cut to ``limit``."""
    out = "".join(c if unicodedata.category(c)[0] != "C" else ascii(c)[1:-1] for c in name)
    return out if len(out) <= limit else out[: limit - 3] + "..."


_DRIVE = re.compile(r"^[A-Za-z]:")


def clean_name(raw: str) -> tuple[str, ...]:
    """The parts of a member's name, NFC-normalised; ``ValueError`` saying why the name is refused."""
    if "\x00" in raw:
        raise ValueError("its name has a NUL byte")
    bad = [c for c in raw if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co")]
    if bad:
        raise ValueError(f"its name has control or invisible characters ({ascii(''.join(bad[:3]))})")
    name = raw.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValueError("its name is an absolute path")
    parts = [unicodedata.normalize("NFC", p) for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError("its name climbs out of the archive (..)")
    if not parts:
        raise ValueError("it has an empty name")
    if (len(name) > MAX_PATH_CHARS or len(parts) > MAX_PARTS
            or any(len(p.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES for p in parts)):
        raise ValueError("its name is too long")
    return tuple(parts)


@dataclass
class Budget:
    """What one run may read in all: members listed and bytes read (the actual bytes, not headers)."""

    entries: int = 0
    bytes: int = 0
    max_entries: int = 4 * MAX_ENTRIES
    max_bytes: int = MAX_TOTAL_BYTES

    def take_entry(self, where: str) -> None:
        self.entries += 1
        if self.entries > self.max_entries:
            raise Unreadable(f"{where}: more than {self.max_entries} files in all; refused (an archive bomb?)")

    def take_bytes(self, n: int, where: str) -> None:
        self.bytes += n
        if self.bytes > self.max_bytes:
            raise Unreadable(f"{where}: reading it would pass {self.max_bytes // 2**20} MiB read in all; "
                             "refused (an archive bomb?)")


@dataclass(frozen=True)
class Entry:
    """One file of a source: its checked name, its declared size, where it is (for messages), its bytes."""

    path: tuple[str, ...]
    size: int
    where: str
    reader: Callable[[], bytes] = field(repr=False, compare=False)
    depth: int = 0  # how many zips deep it is

    @property
    def name(self) -> str:
        return self.path[-1]

    def read(self) -> bytes:
        """The bytes, bounded; ``Unreadable`` if they cannot be had safely."""
        return self.reader()


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (where, why), for the instructor


def _too_big(where: str, size: int) -> str:
    return f"{where}: {size / 2**20:.1f} MiB, over the limit of {MAX_FILE_BYTES // 2**20} MiB per file"


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: Budget) -> bytes:
    try:
        with z.open(info) as f:
            data = f.read(MAX_FILE_BYTES + 1)
            if len(data) == info.file_size:
                f.read(1)  # reach the end, so that zipfile checks the CRC
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as e:
        raise Unreadable(f"{where}: cannot be read from the zip ({e})") from None
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(_too_big(where, len(data)) + " (its header claimed less)")
    if len(data) != info.file_size:
        raise Unreadable(f"{where}: holds {len(data)} bytes but its header says {info.file_size}; refused")
    budget.take_bytes(len(data), where)
    return data


def list_zip(source: Path | bytes, where: str, budget: Budget, depth: int = 0) -> Listing:
    """The files of a zip (a path, or bytes read from another archive), names checked, nothing read."""
    if depth > MAX_DEPTH:
        raise Unreadable(f"{where}: a zip nested more than {MAX_DEPTH} deep; refused")
    try:
        z = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        infos = z.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as e:
        raise Unreadable(f"{where}: not a readable zip ({e})") from None
    if len(infos) > MAX_ENTRIES:
        raise Unreadable(f"{where}: {len(infos)} members, over the limit of {MAX_ENTRIES}; refused")
    listing, seen = Listing(), set()
    for info in infos:
        budget.take_entry(where)
        raw = info.orig_filename  # zipfile cuts .filename at a NUL byte: check what the archive says
        label = f"{where}:{shown(raw)}"
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if raw.endswith(("/", "\\")) or kind == stat.S_IFDIR:
            continue
        try:
            parts = clean_name(raw)
        except ValueError as e:
            listing.refused.append((label, f"refused: {e}"))
            continue
        label = f"{where}:{'/'.join(parts)}"
        if kind == stat.S_IFLNK:
            listing.refused.append((label, "refused: a symbolic link"))
        elif kind not in (0, stat.S_IFREG):
            listing.refused.append((label, "refused: not a regular file"))
        elif info.flag_bits & 0x1:
            listing.refused.append((label, "refused: encrypted"))
        elif (key := tuple(p.casefold() for p in parts)) in seen:
            listing.refused.append((label, "refused: a second file of the same name (the first is used)"))
        elif info.file_size > MAX_FILE_BYTES:
            seen.add(key)
            listing.refused.append((label, f"refused: {_too_big(label, info.file_size).split(': ', 1)[1]}"))
        else:
            seen.add(key)
            listing.entries.append(Entry(parts, info.file_size, label,
                                         lambda i=info, w=label: _read_member(z, i, w, budget), depth))
    return listing


def _read_file(path: Path, where: str, budget: Budget) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise Unreadable(f"{where}: cannot be opened ({e.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable(f"{where}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(_too_big(where, len(data)))
    budget.take_bytes(len(data), where)
    return data


def list_dir(root: Path, where: str, budget: Budget) -> Listing:
    """The files under a folder, as ``list_zip`` lists a zip: links are not followed, names are checked."""
    listing, seen = Listing(), set()

    def walk(folder: Path, parts: tuple[str, ...]) -> None:
        try:
            items = sorted(os.scandir(folder), key=lambda d: d.name)
        except OSError as e:
            listing.refused.append((f"{where}/{'/'.join(parts)}", f"refused: cannot be listed ({e.strerror})"))
            return
        for item in items:
            budget.take_entry(where)
            label = f"{where}/{'/'.join(parts + (shown(item.name),))}"
            try:
                mine = parts + clean_name(item.name)
            except ValueError as e:
                listing.refused.append((label, f"refused: {e}"))
                continue
            label = f"{where}/{'/'.join(mine)}"
            if len(mine) > MAX_PARTS:
                listing.refused.append((label, "refused: nested too deep"))
            elif item.is_symlink():
                listing.refused.append((label, "refused: a symbolic link (not followed)"))
            elif item.is_dir(follow_symlinks=False):
                walk(Path(item.path), mine)
            elif not item.is_file(follow_symlinks=False):
                listing.refused.append((label, "refused: not a regular file"))
            elif (key := tuple(p.casefold() for p in mine)) in seen:
                listing.refused.append((label, "refused: a second file of the same name (the first is used)"))
            else:
                seen.add(key)
                size = item.stat(follow_symlinks=False).st_size
                if size > MAX_FILE_BYTES:
                    listing.refused.append((label, f"refused: {_too_big(label, size).split(': ', 1)[1]}"))
                    continue
                listing.entries.append(Entry(mine, size, label,
                                             lambda p=Path(item.path), w=label: _read_file(p, w, budget)))

    walk(Path(root), ())
    return listing
