"""Every exception kerasgrade raises on purpose, each saying its likely cause and fix."""


class KerasgradeError(Exception):
    """Base of kerasgrade's own errors: the CLI prints these without a traceback."""


class ConfigError(KerasgradeError):
    """``course.toml`` is missing, unreadable, or a key has a wrong value.

    The message names the file and the key at fault, and what was expected.
    """


class CheckFailed(AssertionError):
    """Raised by a grader check when the submission does not meet the contract.

    Its message is shown to the learner: say which concept is at stake, what was
    expected, what was received and how to fix it.
    """


class CheckTimeout(BaseException):
    """A check ran past its time budget (raised from the alarm signal handler).

    A ``BaseException`` so that a learner's ``except Exception`` cannot swallow it.
    """
