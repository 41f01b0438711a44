"""The grading engine: the judge decides, the child only answers (see docs/SECURITY.md).

``protocol`` (framed, bounded messages), ``server`` (the child's side: executes requests on
the learner's code), ``handle`` (the judge's side: a channel and remote objects),
``judge`` (runs the checks and decides), ``training`` (how the child trains when asked).
"""
