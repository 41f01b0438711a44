"""The wire between the judge and a grading child.

``protocol``: framed, bounded JSON messages (arrays tagged, never pickle); ``handle``: the
judge's side of it, a ``Channel`` and ``Remote`` objects standing for objects in the child.
"""
