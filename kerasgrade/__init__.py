"""kerasgrade: auto-graded exercises for Keras Model Subclassing.

The pipeline, one module per step: ``config`` (course.toml) → ``discover``
(the class's files) → ``isolate`` (a child process per submission, forked from
a warm zygote) → ``runner`` (the checks, inside the child) → ``collect``
(scores, in the trusted parent) → ``report`` (terminal, CSV, JSON, feedback).
Graders use ``checks.check`` and the helpers of ``expect``.
"""
__version__ = "0.1.0"
