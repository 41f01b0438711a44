"""kerasgrade: auto-graded exercises for Keras Model Subclassing.

In layers (README, "How it works"; checked by ``[tool.importlinter]`` in pyproject.toml):
``cli`` → ``commands`` (and ``mutation``) → ``reports``, ``integrations``, ``intake`` →
``engine`` (pool, zygote, sandbox, judge, the child's request server) → ``grading`` (the
graders' helpers) → ``wire`` (the judge ⇄ child messages) → the vocabulary every layer shares
(``outdir``, ``references``, ``scoring``, ``result``, ``course``, ``errors``, ...).
Graders use ``checks.check`` and the helpers of ``grading``.
"""
__version__ = "0.1.0"
