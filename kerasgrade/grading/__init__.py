"""What a grader written for the judge imports: ``check``, the helpers, the judge's draws.

A grader module sets ``JUDGED = True`` and its checks take a ``Submission``
(``kerasgrade.grading.expect``); see docs/AUTHORING.md.
"""
