"""What the sandbox adds per submission: the same job, with and without namespaces.

Grades the ex01 stub (its checks stop at once, so the figure is mostly
fork + confinement + report) N times in each mode, alternating, in one run,
and prints the median wall time per job of each and their difference. Both
modes have the cgroup, the user id, the seccomp filter and the limits; the
difference is the namespaces: the PID namespace (whose reaper forks the worker:
one more fork of a TensorFlow-sized process), the new root and the network.
Then the reaper's extra fork alone: a fork and exit of this process after
importing TensorFlow (as the zygote has), median of N.

    python bench/sandbox_cost.py [N]
"""
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kerasgrade.course import load_course  # noqa: E402
from kerasgrade.discover import Submission  # noqa: E402
from kerasgrade.engine.pool import job_for  # noqa: E402
from kerasgrade.engine.zygote_client import Zygote  # noqa: E402


def main(n: int = 20) -> None:
    course = load_course(ROOT)
    ex = course.exercises[0]
    job = job_for(course, Submission("bench", ex.id, ex.stub), seed=0, include_hidden=True)
    zygotes = {}
    for mode in ("namespaces", "rlimits"):
        os.environ["KERASGRADE_SANDBOX"] = mode
        zygotes[mode] = Zygote(course.file)
    os.environ.pop("KERASGRADE_SANDBOX")
    times = {m: [] for m in zygotes}
    for _ in range(n):
        for mode, z in zygotes.items():
            times[mode].append(z.run(job)["elapsed"])
    for z in zygotes.values():
        z.close()
    level = zygotes["namespaces"].sandbox
    print(f"sandbox level reached: {level[0]} {level[1]}")
    med = {m: statistics.median(t) for m, t in times.items()}
    for mode, t in times.items():
        print(f"{mode:11s} median {med[mode] * 1000:7.1f} ms per job  (min {min(t) * 1000:.1f}, "
              f"max {max(t) * 1000:.1f}, n={n})")
    print(f"sandbox start-up cost per submission: {(med['namespaces'] - med['rlimits']) * 1000:+.1f} ms")
    print(f"of which the PID namespace's extra fork: {fork_cost(n) * 1000:.1f} ms")


def fork_cost(n: int) -> float:
    """Median seconds of a fork + exit + reap of a process that imported TensorFlow (no op run)."""
    import time

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow  # noqa: F401
    import keras  # noqa: F401

    times = []
    for _ in range(n):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
