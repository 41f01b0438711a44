"""Where a grader is blind: mutants generated from each reference, a mutation score per check.

``operators`` makes the mutants (libcst), ``probe`` observes them inside the grading child,
``mutate`` grades and classifies them through the pool, ``report`` prints and writes the
result (terminal, JSON, HTML). The command is ``kerasgrade mutate``; see docs/AUTHORING.md.
"""

DEFAULT_OUT = "out/mutation"  # where `kerasgrade mutate` keeps its results unless told otherwise
