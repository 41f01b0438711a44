"""The Gradescope bundle, run as Gradescope runs it, in a temporary folder standing in for /autograder."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from kerasgrade.integrations.gradescope_bundle import build_gradescope_bundle

from .conftest import ROOT

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
EX = "ex01_first_model"


@pytest.fixture(scope="module")
def bundle(course, tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build_gradescope_bundle(course, path)
    return path


def autograder_root(tmp_path: Path, bundle: Path, files: dict[str, Path], **settings) -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip), run_autograder, submission/."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
    for info in zipfile.ZipFile(bundle).infolist():  # extractall drops the permission bits
        os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    for name, src in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, root / "submission" / name)
    (root / "submission").mkdir(exist_ok=True)
    if settings:
        cfg = root / "source" / "autograder.json"
        cfg.write_text(json.dumps({**json.loads(cfg.read_text()), **settings}))
    return root


def run_autograder(root: Path) -> dict:
    env = dict(os.environ, KERASGRADE_AUTOGRADER_ROOT=str(root), KERASGRADE_PYTHON=sys.executable)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    return doc


def ex01_tests(doc):
    return [t for t in doc["tests"] if t["name"].startswith(EX)]


@pytest.mark.slow
def test_a_correct_submission_gets_every_point_of_its_exercise(tmp_path, bundle, course):
    doc = run_autograder(autograder_root(tmp_path, bundle, {f"{EX}.py": ROOT / "solutions" / f"{EX}.py"}))
    tests = ex01_tests(doc)
    assert tests and all(t["status"] == "passed" and t["score"] == t["max_score"] for t in tests)
    assert {t["visibility"] for t in tests} == {"visible", "after_published"}
    others = [t for t in doc["tests"] if t not in tests]  # the course's other exercises: not handed in
    assert all(t["score"] == 0 and "handed in" in t["output"] for t in others)
    assert len(others) == len(course.exercises) - 1
    assert doc["score"] == sum(t["max_score"] for t in tests)


@pytest.mark.slow
def test_a_wrong_submission_loses_points_and_is_told_why(tmp_path, bundle):
    mutant = ROOT / "tests" / "mutants" / EX / "skips_hidden_layer.py"
    doc = run_autograder(autograder_root(tmp_path, bundle, {f"my-repo/{EX}.py": mutant}))  # nested, as from GitHub
    failed = [t for t in ex01_tests(doc) if t["status"] == "failed"]
    assert failed and all(t["score"] == 0 and "Concept at stake" in t["output"] for t in failed)
    assert doc["score"] < sum(t["max_score"] for t in ex01_tests(doc))


@pytest.mark.slow
def test_the_overall_time_limit_still_writes_results(tmp_path, bundle):
    root = autograder_root(tmp_path, bundle, {f"{EX}.py": ROOT / "solutions" / f"{EX}.py"}, time_limit=2)
    doc = run_autograder(root)
    assert doc["score"] == 0
    assert "overall time limit (2 s)" in doc["output"]
