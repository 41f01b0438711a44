"""How a grader declares its checks.

A grader is a pytest module in ``graders/`` (``test_<exercise>.py``). Each
check is a test function that takes the learner's module as ``submission`` and
carries its points, concept and visibility where it is written::

    @check(points=2, concept="super().__init__")
    def test_forwards_kwargs(submission):
        "SimpleMLP(name=...) reaches Keras through super().__init__(**kwargs)"
        ...

The first line of the docstring is the check's title; a failure raises
``CheckFailed`` (or any ``AssertionError``) with a message that teaches.
Checks run in the order they are written. A check (or a module-level helper
it calls) that is a hypothesis test runs with ``GRADING``, the grading settings;
``@grading_settings(max_examples=3)`` changes one of them for one check.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import InvalidArgument

from kerasgrade.errors import KerasgradeError

__all__ = ["check", "CheckSpec", "checks_of", "catalogue", "GRADING", "grading_settings", "import_grader"]

# The hypothesis settings of every check, applied to each check by ``check`` (never loaded as the
# global profile, so other tests in the same process keep theirs): deterministic (derandomize),
# no example database on disk, no deadline (TensorFlow's first call is slow), and few examples:
# each one builds and calls a model. Built on hypothesis's own defaults, not on whatever profile
# is loaded when this module is imported.
GRADING = settings(
    settings.get_profile("default"),
    max_examples=6, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck), print_blob=False, report_multiple_bugs=False,
    # No "explain" phase: it re-runs a failing check many times to annotate the example.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
# What a grader may not change: without these, a grade would depend on the run, or on files.
KEPT = ("derandomize", "database", "deadline", "suppress_health_check", "print_blob", "report_multiple_bugs")


def grading_settings(**changes) -> settings:
    """``GRADING`` with some settings changed, for a check that needs it, e.g.
    ``@grading_settings(max_examples=3)`` between ``@check`` and ``@given``."""
    return settings(GRADING, **changes)


def _graded_with_grading_settings(fn):
    """A hypothesis check runs with ``GRADING`` (or the ``grading_settings`` it chose).

    Through a decorator of the grader's own (``functools.wraps``) the settings reach the
    hypothesis test it wraps."""
    if not getattr(fn, "is_hypothesis_test", False):
        return fn
    test = fn
    while getattr(getattr(test, "__wrapped__", None), "is_hypothesis_test", False):
        test = test.__wrapped__
    try:
        GRADING(test)  # sets the test's settings in place
        return fn
    except InvalidArgument:  # the grader applied settings of its own
        fn = test
    chosen = getattr(fn, "_hypothesis_internal_use_settings", None)  # where @settings puts them
    changed = [k for k in KEPT if chosen is None or getattr(chosen, k) != getattr(GRADING, k)]
    if changed:
        raise ValueError(f"{fn.__name__}: its @settings(...) changes {', '.join(changed)} from the "
                         "grading settings; use kerasgrade.checks.grading_settings(...) (it keeps them) "
                         "instead of hypothesis's settings(...)")
    return fn


@dataclass(frozen=True)
class CheckSpec:
    name: str
    title: str
    concept: str
    points: float
    hidden: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def check(*, points: float, concept: str, hidden: bool = False):
    """Declare a grader check: its points, the concept it tests, whether learners see it.

    A check that is a hypothesis test (``@given``) runs with the ``GRADING`` settings.
    """
    if points <= 0:
        raise ValueError(f"a check's points must be positive, got {points!r}")

    def decorate(fn):
        doc = (fn.__doc__ or "").strip().splitlines()
        name = fn.__name__.removeprefix("test_")
        fn = _graded_with_grading_settings(fn)
        fn.kerasgrade_check = CheckSpec(name, doc[0] if doc else name.replace("_", " "),
                                        concept, float(points), hidden)
        return fn

    return decorate


def checks_of(module: ModuleType) -> list[tuple[CheckSpec, object]]:
    """The checks a grader module declares, in the order they are written.

    A hypothesis test of the module that is not a check (a ``@given`` helper that checks call)
    gets the ``GRADING`` settings here, as checks do in ``check``.
    """
    for fn in list(vars(module).values()):
        if getattr(fn, "is_hypothesis_test", False) and not hasattr(fn, "kerasgrade_check"):
            _graded_with_grading_settings(fn)
    found = [(fn.kerasgrade_check, fn) for fn in vars(module).values()
             if callable(fn) and hasattr(fn, "kerasgrade_check")]
    names = [spec.name for spec, _ in found]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"{module.__file__}: two checks share the name(s) {sorted(dupes)}")
    return found


def import_grader(path, name: str) -> ModuleType:
    """Import a grader (trusted code) from its path as the module ``name``."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def warm_up() -> None:
    """Run hypothesis once, passing and failing, so that its lazy imports and set-up are
    paid once in the zygote instead of in every child (1 to 2 s each). No TensorFlow."""
    from hypothesis import given
    from hypothesis import strategies as st

    @GRADING
    @given(st.integers(0, 3))
    def passes(n):
        pass

    @GRADING
    @given(st.integers(0, 3))
    def fails(n):
        raise AssertionError("warm-up")

    passes()
    try:
        fails()
    except AssertionError:
        pass
    # Hypothesis now and then draws a "local constant" from the source of the loaded modules;
    # the first draw scans every module (~0.1 s). Scan them here, not in every child.
    # A private function: a release without it, or with another signature, only costs the children time.
    try:
        from hypothesis.internal.conjecture.providers import _get_local_constants

        _get_local_constants()
    except Exception:  # noqa: BLE001 - a warm-up must never stop the zygote from starting
        pass
    # Reading a notebook imports nbformat and its schema (~0.9 s): once here, not per notebook.
    from kerasgrade.source import warm_up as read_one_notebook

    read_one_notebook()
    # inspect.getmodule maps every loaded module's file once (thousands of lstat calls,
    # slow through the sandbox's bind mounts); map them here, before the fork.
    import inspect

    inspect.getmodule(warm_up.__code__, "<kerasgrade warm-up>")


def catalogue(module: ModuleType) -> list[dict]:
    return [spec.to_dict() for spec, _ in checks_of(module)]


# -- the checks a grader declares, for the notebooks ---------------------------------------------

def grader_checks(path: Path) -> list[CheckSpec]:
    """The checks ``graders/test_<ex>.py`` declares, in the order ``kerasgrade`` runs them.

    The grader is imported (under a name of its own), so checks made by a factory
    (``grading.opening``) are found too; an import error names the grader.
    """
    try:
        module = import_grader(path, f"kerasgrade_notebook_grader_{Path(path).stem}")
        found = [spec for spec, _ in checks_of(module)]
    except Exception as e:  # noqa: BLE001 - a broken grader is the author's error, named
        raise KerasgradeError(f"{path}: the grader could not be read ({type(e).__name__}: {e})") from None
    if not found:
        raise KerasgradeError(f"{path}: declares no @check")
    return found
