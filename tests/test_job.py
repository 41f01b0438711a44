"""A job goes to the zygote as one JSON line and comes back the same; anything else is refused."""
import dataclasses

import pytest

from kerasgrade.course import Limits
from kerasgrade.job import Job


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
