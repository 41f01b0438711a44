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
