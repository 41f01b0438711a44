"""Shared test set-up: hypothesis profiles, the course, a tiny course builder."""
import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course():
    from kerasgrade.course import load_course

    return load_course(ROOT)


def write_course(tmp: Path, toml: str, graders: dict[str, str] | None = None) -> Path:
    """A course folder in ``tmp``: course.toml plus graders/test_<id>.py files."""
    (tmp / "graders").mkdir(parents=True, exist_ok=True)
    for ex, code in (graders or {}).items():
        (tmp / "graders" / f"test_{ex}.py").write_text(textwrap.dedent(code))
    path = tmp / "course.toml"
    path.write_text(textwrap.dedent(toml))
    return path


class StandInZygote:
    """Stands in for a zygote in the pool's tests: one check per exercise, every job graded as
    passing by ``run`` unless ``dies(job)`` says this job kills it (``ZygoteDied``)."""

    def __init__(self, exercise: str = "ex01_first_model"):
        self.catalogue = {exercise: [{"name": "c", "title": "c", "concept": "x", "points": 1.0, "hidden": False}]}
        self.sandbox = ("namespaces", "")

    def dies(self, job) -> bool:
        return False

    def run(self, job):
        from kerasgrade.engine.zygote_client import ZygoteDied

        if self.dies(job):
            raise ZygoteDied("the grading worker stopped")
        return {"events": [{"check": "c", "passed": True, "message": ""}], "ended": "ok", "detail": "",
                "output": ""}

    def close(self):
        pass

    kill = close
