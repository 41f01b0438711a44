"""Tell whether a mutant did what the reference did, from what its checks saw.

The mutation run grades through a copy of the course whose graders are the real ones
wrapped by ``observe.probe_grader`` (see ``mutate.probe_course``): each check runs unchanged and
passes or fails exactly as it does for a learner, and it also records a few numbers per
top-level model or layer call it made (the call's output, and once per model its config,
metrics and weight shapes) as the check's data. The parent compares a survivor's numbers
with the reference's (``same_behaviour``): equal on every check means the mutant did the
same as the reference on every input the grader tried (likely equivalent); a difference
names the checks that saw another output and still passed.

The observations are made where the checks run (``observe``: in the judge for a judged
grader, in the sandboxed child otherwise), never in the parent, which reads them through
``scoring`` (numbers only, bounded) and compares them here.
"""
from __future__ import annotations

import numpy as np

__all__ = ["PROBE_KEY", "same_behaviour"]

PROBE_KEY = "mutation_probe"  # the check data under which ``observe`` notes what a check saw
RTOL, ATOL = 1e-5, 1e-6


def same_behaviour(reference: dict[str, list[float]], mutant: dict[str, list[float]]) -> tuple[bool, list[str]]:
    """(whether the mutant was seen doing what the reference did on every check, the checks
    where it was seen doing otherwise). Checks with no observations on either side are
    left out; with none at all there is no evidence, so it is not the same."""
    differ, compared = [], 0
    for name, ref in reference.items():
        got = mutant.get(name)
        if not ref or got is None:
            continue
        compared += 1
        if len(got) != len(ref) or not np.allclose(got, ref, rtol=RTOL, atol=ATOL):
            differ.append(name)
    return compared > 0 and not differ, differ
