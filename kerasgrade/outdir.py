"""The output folder of ``kerasgrade grade --out OUT``: every path in it, and the results store.

``OUT/results/<student>/<exercise>.json`` (one file per submission, written atomically, so an
interrupted run resumes), ``OUT/.secret`` (the judge's key), ``OUT/manifest.json`` (carried from
``kerasgrade collect``), ``OUT/reference/`` (``references``), ``OUT/feedback/`` with its pictures,
``grades.csv``, ``grades.json``, ``report.html``; and ``merge``, which joins shard runs.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

from kerasgrade.course import Course
from kerasgrade.discover import Submission
from kerasgrade.errors import KerasgradeError
from kerasgrade.manifest import MANIFEST, lateness_of, read_manifest
from kerasgrade.result import ExerciseResult, Gradebook
from kerasgrade.sanitize import sanitize

# -- the paths of OUT, each named once ---------------------------------------------------------

SECRET = ".secret"  # the judge's key (``secret_file``)


def grades_csv(out: Path) -> Path:
    return Path(out) / "grades.csv"


def grades_json(out: Path) -> Path:
    return Path(out) / "grades.json"


def report_html(out: Path) -> Path:
    return Path(out) / "report.html"


def feedback_folder(out: Path) -> Path:
    """``OUT/feedback/``: a text file per student, with the pictures it names beside it."""
    return Path(out) / "feedback"


def reference_folder(out: Path) -> Path:
    """``OUT/reference/``: the reference's results, one file per exercise (``references``)."""
    return Path(out) / "reference"


def results_folder(out: Path) -> Path:
    """``OUT/results/<student>/<exercise>.json``: one result per submission."""
    return Path(out) / "results"


def manifest_file(out: Path) -> Path:
    return Path(out) / MANIFEST


# -- results on disk, one file per submission, so an interrupted run resumes ----------------

def result_path(out: Path, student: str, exercise: str) -> Path:
    return results_folder(out) / student / f"{exercise}.json"


def save_result(out: Path, result: ExerciseResult) -> None:
    path = result_path(out, result.student, result.exercise)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(result.to_dict(), indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_result(path: Path) -> ExerciseResult | None:
    """One saved result file, or None if it is missing or unreadable."""
    try:
        return sanitize(ExerciseResult.from_dict(json.loads(Path(path).read_text(encoding="utf-8"))))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_result(out: Path, sub: Submission) -> ExerciseResult | None:
    """A saved result for this very file (same fingerprint), or None.

    A result the grading worker could not finish (it died) carries no fingerprint, so it
    is graded again.
    """
    result = read_result(result_path(out, sub.student, sub.exercise))
    return result if result is not None and result.fingerprint == sub.fingerprint else None


def new_gradebook(course: Course, out: Path) -> Gradebook:
    """An empty gradebook of the course, with the late policy and OUT/manifest.json's late flags."""
    return Gradebook([e.id for e in course.exercises], course.weights,
                     lateness=lateness_of(read_manifest(out)), late_policy=course.late)


def load_gradebook(out: Path, course: Course) -> Gradebook:
    """Every result saved in OUT/results/<student>/<exercise>.json, for the course's exercises."""
    book = new_gradebook(course, out)
    for path in sorted(results_folder(out).glob("*/*.json")):
        result = read_result(path)
        if result is not None and result.exercise in book.exercises:
            book.results[(result.student, result.exercise)] = result
    return book


def secret_file(out: Path, given: Path | None = None) -> Path:
    """The judge's secret: ``given`` (``--secret FILE``, e.g. one file for every shard of a
    class), else OUT/.secret, made once (so a resumed run draws the same inputs), readable by its
    owner only, and never by a grading child."""
    if given is not None:
        if not Path(given).is_file() or Path(given).stat().st_size < 16:
            raise KerasgradeError(f"--secret {given}: not a file of at least 16 bytes (make one with "
                                  f"`head -c 32 /dev/urandom > {given}`)")
        return Path(given).resolve()
    path = Path(out) / SECRET
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
    return path


def merge(course: Course, shards: list[Path], out: Path) -> Gradebook:
    """Join the results of shard runs into ``out`` (results and reference cache copied)."""
    out = Path(out)
    seen: dict[tuple[str, str], Path] = {}
    for shard in shards:
        shard = Path(shard)
        if not results_folder(shard).is_dir():
            raise KerasgradeError(f"{shard}: no results/ folder in it; is it the --out of a "
                                  "`kerasgrade grade --shard K/N` run?")
        for path in sorted(results_folder(shard).glob("*/*.json")):
            key = (path.parent.name, path.stem)
            if key in seen and seen[key].read_bytes() != path.read_bytes():
                raise KerasgradeError(f"{path}: {key[0]}/{key[1]} was graded in two shards with different "
                                      f"results (also in {seen[key]}); were the shards cut from the same class?")
            seen[key] = path
            target = result_path(out, *key)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        manifest = manifest_file(shard)  # `kerasgrade collect`'s, carried by grade: the same in every shard
        if manifest.is_file():
            if manifest_file(out).is_file() and manifest_file(out).read_bytes() != manifest.read_bytes():
                raise KerasgradeError(f"{manifest}: differs from another shard's manifest.json; were the shards "
                                      "cut from the same SUBMISSIONS folder?")
            out.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(manifest, manifest_file(out))
        for ref in sorted(reference_folder(shard).glob("*.json")):
            reference_folder(out).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ref, reference_folder(out) / ref.name)
    return load_gradebook(out, course)
