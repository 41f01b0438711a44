"""The way back to the platforms: Gradescope (results, scores, the autograder bundle), Canvas, nbgrader.

The way in (their downloads) is ``kerasgrade.intake``.
"""
