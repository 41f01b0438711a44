"""The grading engine: processes, isolation and the verdict (see docs/SECURITY.md).

Parent side: ``pool`` (workers), ``zygote_client`` (the parent's handle on a zygote), ``sandbox``
(namespaces, seccomp, cgroups, rlimits). Zygote side: ``zygote`` (imports TensorFlow, forks
judges and children), ``judge`` (runs the checks and decides), ``server`` (the child: executes
requests on the learner's code), ``training``; ``test_cells`` runs a check in a notebook's
kernel, the judge's requests served there.
"""
