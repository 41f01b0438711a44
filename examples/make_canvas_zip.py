"""Build examples/canvas-submissions.zip: the sample class (examples/class/) as Canvas hands it over.

Canvas's "Download Submissions" names every uploaded file
``<sortable name>[_LATE]_<user id>_<file id>_<file name>`` (lower case, word
characters only), renames a second upload of the same name ``name-1.py``, and
keeps a learner's own zip as one file. This script lays the sample class out so,
deterministically (fixed times, fixed order: the same bytes on every run):

    python examples/make_canvas_zip.py      # writes examples/canvas-submissions.zip
    kerasgrade collect examples/canvas-submissions.zip --out /tmp/class
    kerasgrade grade /tmp/class --out /tmp/grades

What each learner shows: alice plain uploads; bob late, with ex01 uploaded twice
(the stub first, then his answer: Canvas's ``-1``, the newest wins); carol a zip
of her own with a folder in it; dave a README and a text entry (nothing to grade);
erin late; frank a notebook saved by Jupyter as ``-Copy1`` and names in capitals;
grace her files among a screenshot.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLASS = HERE / "class"
ZIP = HERE / "canvas-submissions.zip"
WHEN = (2026, 3, 2, 9, 0, 0)

# folder in examples/class -> (Canvas sortable name as Canvas writes it, user id, late)
LEARNERS = {
    "alice": ("smithalice", 1001, False),
    "bob": ("jonesbob", 1002, True),
    "carol": ("nguyencarol", 1003, False),
    "dave": ("millerdave", 1004, False),
    "erin": ("okaforerin", 1005, True),
    "frank": ("mullerfrank", 1006, False),
    "grace": ("hoppergrace", 1007, False),
}


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=WHEN)
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(_info(name), data)
    return buf.getvalue()


def uploads() -> list[tuple[str, bytes]]:
    """(Canvas's name in the zip, bytes), in the order Canvas lists them."""
    out, file_id = [], 50000
    for folder, (name, user, late) in LEARNERS.items():
        prefix = f"{name}{'_LATE' if late else ''}_{user}"
        files = sorted((CLASS / folder).iterdir())
        mine: list[tuple[str, bytes]] = []
        if folder == "bob":
            stub = (HERE.parent / "exercises" / "ex01_first_model.py").read_bytes()
            mine.append(("ex01_first_model.py", stub))  # his first upload: the stub, unchanged
            mine += [(p.name.replace("ex01_first_model.py", "ex01_first_model-1.py"), p.read_bytes())
                     for p in files]
        elif folder == "carol":
            mine.append(("carol_week3.zip", _zip({f"Carol's work/{p.name}": p.read_bytes() for p in files})))
        elif folder == "dave":
            mine += [(p.name, p.read_bytes()) for p in files]
        elif folder == "frank":
            for p in files:
                stem, suffix = p.stem, p.suffix
                label = f"{stem}-Copy1{suffix}" if suffix == ".ipynb" else p.name.replace("ex", "Ex", 1)
                mine.append((label, p.read_bytes()))
        elif folder == "grace":
            mine += [(p.name, p.read_bytes()) for p in files]
            mine.append(("screenshot.png", b"\x89PNG\r\n\x1a\n" + bytes(64)))
        else:
            mine += [(p.name, p.read_bytes()) for p in files]
        for original, data in mine:
            file_id += 1
            out.append((f"{prefix}_{file_id}_{original}", data))
        if folder == "dave":
            out.append((f"{prefix}_text.html", b"<p>I could not get it to work, sorry.</p>\n"))
    return out


def main() -> None:
    ZIP.write_bytes(_zip(dict(uploads())))
    print(f"wrote {ZIP.relative_to(HERE.parent)} ({ZIP.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
