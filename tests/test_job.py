"""A job goes to the zygote as one JSON line and comes back the same; anything else is refused."""
import dataclasses

import pytest

from kerasgrade.course import Limits
from kerasgrade.job import Job, JudgeTask


def test_a_job_survives_its_json_and_takes_its_defaults_from_the_limits():
    job = Job("ann", "ex01", "/class/ann/ex01.ipynb", b"\x00\xff{binary}", seed=3)
    assert Job.from_json(job.to_json()) == job
    for f in dataclasses.fields(Limits):
        assert getattr(job, f.name) == getattr(Limits(), f.name)


@pytest.mark.parametrize("text", ["[]", "{}", '{"student": 1}', "not json",
                                  Job("a", "b", "c", b"x").to_json().replace('"eA=="', '"***"'),
                                  Job("a", "b", "c", b"x").to_json().replace('"seed": 0', '"seed": "0"')])
def test_anything_but_a_job_is_refused(text):
    with pytest.raises(ValueError):
        Job.from_json(text)


def test_a_judge_task_carries_the_jobs_settings_and_survives_its_message():
    job = Job("ann", "ex01", "ex01.py", b"x = 1\n", seed=4, include_hidden=False, check_timeout=7.5)
    task = JudgeTask.of(job, "x = 1\n", ["a note"])
    assert (task.student, task.seed, task.include_hidden, task.check_timeout, task.load_error) == \
        ("ann", 4, False, 7.5, "")
    assert JudgeTask.from_message(task.to_message()) == task
    assert JudgeTask.of(job, None, [], load_error="bad").code == ""


@pytest.mark.parametrize("change", [{"seed": "4"}, {"notes": "a"}, {"extra": 1}, {"code": None}])
def test_anything_but_a_judge_task_is_refused(change):
    message = {**JudgeTask("a", "b", "c", "", []).to_message(), **change}
    with pytest.raises(ValueError):
        JudgeTask.from_message(message)
