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


def metadata(created_at="2026-03-02T10:00:00-08:00", due="2026-03-01T23:00:00-08:00", extensions=()):
    """Gradescope's submission_metadata.json, as its documentation shows it (a member's own due
    date when the instructor gave an extension)."""
    users = [{"email": "a@uni.edu", "id": 1, "name": "A"}]
    users += [{"email": f"{n}@uni.edu", "id": n, "name": "B", "assignment": {"due_date": d}}
              for n, d in enumerate(extensions, 2)]
    return {"id": 1, "created_at": created_at, "users": users,
            "assignment": {"due_date": due, "late_due_date": None, "title": "Model Subclassing"}}


def test_lateness_is_measured_by_gradescopes_own_dates_and_an_extension_moves_it():
    from kerasgrade.course import LatePolicy
    from kerasgrade.integrations.gradescope import gradescope_lateness

    policy = LatePolicy(grace_minutes=30, penalty_per_day=10)
    assert gradescope_lateness(metadata(), policy)[0] == 1
    assert gradescope_lateness(metadata(created_at="2026-03-01T23:20:00-08:00"), policy)[0] == 0  # grace
    assert gradescope_lateness(metadata(created_at="2026-03-04T00:00:00-08:00"), policy)[0] == 3
    days, due = gradescope_lateness(metadata(extensions=["2026-03-05T23:00:00-08:00"]), policy)
    assert (days, due.day) == (0, 5)  # the group's latest own due date
    assert gradescope_lateness({"created_at": "2026-03-02T10:00:00Z"}, LatePolicy(due=None))[0] == 0
    from datetime import datetime, timezone
    course_due = LatePolicy(due=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert gradescope_lateness({"created_at": "2026-03-02T10:00:00Z"}, course_due)[0] == 2
    for unusable in (None, [], {"created_at": 5}, {"created_at": "yesterday", "assignment": "x"},
                     {"created_at": "2026-03-02T10:00:00", "assignment": {"due_date": "2026-03-01T00:00:00"}}):
        assert gradescope_lateness(unusable, policy) == (0, None)  # no time zone: no guess either
    assert gradescope_lateness(metadata(extensions=[{"not": "a date"}]), policy)[0] == 1  # the assignment's


def test_a_late_submission_loses_what_the_course_policy_says_and_is_told_why():
    from kerasgrade.course import LatePolicy
    from kerasgrade.integrations.gradescope import with_lateness

    doc = {"score": 8.0, "output": "ex01: 8/10", "tests": [{"score": 8.0, "max_score": 10.0}], "extra_data": {}}
    policy = LatePolicy(penalty_per_day=10, floor=0)
    late = with_lateness(doc, 2, None, policy)
    assert late["score"] == 6.0 and late["extra_data"]["days_late"] == 2
    assert late["output"].startswith("Late: handed in 2 days after the due date") and "count 60%" in late["output"]
    assert with_lateness(doc, 0, None, policy) == doc
    unpriced = with_lateness(doc, 1, None, None)
    assert unpriced["score"] == 8.0 and "no [late] policy" in unpriced["output"]
    jsonschema.validate({**late, "tests": [{**t, "name": "t"} for t in late["tests"]]}, SCHEMA)
