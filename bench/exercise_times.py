"""Wall time to grade each exercise's reference solution, all checks, after TensorFlow is imported.

One warm interpreter (TensorFlow, the graders and hypothesis already loaded, as in
a zygote); each reference is graded REPEAT times in a row and the median is kept,
with each check's share. Target (issue 3): at most 3 s per exercise.

    python bench/exercise_times.py [REPEAT]
"""
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tensorflow as tf  # noqa: E402

from kerasgrade.checks import warm_up  # noqa: E402
from kerasgrade.course import load_course  # noqa: E402
from kerasgrade.checks import import_grader  # noqa: E402
from kerasgrade.engine.judge import judge_here  # noqa: E402


def grade_once(grader, path) -> tuple[float, dict[str, float], bool]:
    times, last, ok = {}, [time.perf_counter()], [True]

    def emit(event):
        now = time.perf_counter()
        if "check" in event:
            times[event["check"]] = now - last[0]
            ok[0] &= event["passed"]
        last[0] = now

    start = time.perf_counter()
    judge_here(grader, path, include_hidden=True, check_timeout=60, seed=0, emit=emit)
    return time.perf_counter() - start, times, ok[0]


def main(repeat: int = 3) -> None:
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    course = load_course(ROOT)
    warm_up()
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'exercise':24s} {'median s':>8s}  {'max s':>6s}  full  slowest checks")
    for ex in course.exercises:
        grader = import_grader(ex.grader, f"bench_{ex.id}")
        runs = [grade_once(grader, ex.solution) for _ in range(repeat)]
        walls = [r[0] for r in runs]
        slow = sorted(runs[-1][1].items(), key=lambda kv: -kv[1])[:3]
        print(f"{ex.id:24s} {statistics.median(walls):8.2f}  {max(walls):6.2f}  "
              f"{'yes' if all(r[2] for r in runs) else 'NO ':4s}  "
              + ", ".join(f"{k} {v:.2f}" for k, v in slow))
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
