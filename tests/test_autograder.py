"""The Gradescope autograder script's own decisions, without TensorFlow (the real runs: test_gradescope_autograder.py)."""
import json
from dataclasses import replace
import shutil
import zipfile
from pathlib import Path

import jsonschema

from kerasgrade.integrations.gradescope_autograder import STARTUP_SECONDS, find_submission, fit_limits, main
from kerasgrade.integrations.gradescope_bundle import build_gradescope_bundle

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
EX = "ex01_first_model"


def test_the_submission_is_found_at_any_depth_the_shallowest_py_first(tmp_path):
    for name in (f"deep/er/{EX}.py", f"repo/{EX}.ipynb", f"repo/{EX}.py", f"__MACOSX/{EX}.py", f".git/{EX}.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert find_submission(tmp_path, EX) == tmp_path / "repo" / f"{EX}.py"
    assert find_submission(tmp_path, "ex02_config_and_super") is None


def test_each_exercise_budget_shrinks_to_fit_the_overall_limit(course):
    course = replace(course, limits=replace(course.limits, timeout=60, check_timeout=20))
    assert fit_limits(course, 1, 600) is course  # one exercise: the course's own limit fits
    fitted = fit_limits(course, 20, 540)
    assert fitted.limits.timeout == (540 - STARTUP_SECONDS) / 20 and fitted.limits.check_timeout == 20
    assert fit_limits(course, 200, 540).limits.timeout == 10  # never below 10 s: the overall limit then stops it


def test_a_broken_autograder_still_writes_results_that_say_so(course, tmp_path, capsys):
    bundle = tmp_path / "a.zip"
    build_gradescope_bundle(course, bundle)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
    (root / "source" / "autograder.json").write_text(json.dumps({"exercises": ["ex99_unknown"]}))
    assert main(root) == 1
    doc = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["score"] == 0 and "The autograder itself failed, not your code" in doc["output"]
    assert "no exercise 'ex99_unknown'" in capsys.readouterr().out  # the instructor's log says why
    shutil.rmtree(root)
