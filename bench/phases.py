"""Where a reference's grade goes, phase by phase (issue 20's instrument).

Grades every exercise's reference N times (all checks, hidden ones too) through one warm
zygote, as a class run does, and prints, per exercise, the median seconds of:

* **spawn**: the zygote's fork of the sandboxed child and handing the job to the judge;
* **load**: the child's sandbox set-up and the import of the submission (the ``load`` request);
* the judge's requests by kind (time waited for the child's answers, IPC included);
* **judge**: the judge's own compute (its checks' time minus the time it waited);
* **reap**: killing and reaping the child's cgroup;
* **other**: what the zygote's ``elapsed`` holds beyond these (reading the report).

Then the eight slowest checks over the whole course. Figures vary with the machine's load:
compare runs made one after the other.

    python bench/phases.py [N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kerasgrade.course import load_course  # noqa: E402
from kerasgrade.discover import Submission  # noqa: E402
from kerasgrade.engine.pool import job_for  # noqa: E402
from kerasgrade.engine.zygote_client import Zygote  # noqa: E402

OPS = ("load", "reset", "new", "call", "set_weights", "get_weights", "describe", "fit")


def phases_of(answer: dict) -> tuple[dict[str, float], dict[str, float], dict[str, list]]:
    """One job's phases (seconds), its checks' seconds and its requests by kind ([count,
    seconds]), from the zygote's answer."""
    stats = next((e["stats"] for e in answer["events"] if isinstance(e, dict) and "stats" in e), None)
    if stats is None:
        raise SystemExit(f"no stats in the answer (ended {answer['ended']}: {answer['detail']})")
    row = dict(answer["phases"])
    ops = {op: t for op, (_, t) in stats["ops"].items()}
    for op in OPS:
        row[op] = ops.pop(op, 0.0)
    row["other ops"] = sum(ops.values())
    row["judge"] = stats["seconds"] - stats["waited"]
    row["other"] = answer["elapsed"] - sum(answer["phases"].values())
    row["total"] = answer["elapsed"]
    return row, stats["checks"], stats["ops"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("n", nargs="?", type=int, default=3, help="grades per reference (median)")
    args = p.parse_args()
    course = load_course(ROOT)
    rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    checks: dict[str, list[float]] = defaultdict(list)
    requests: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # op -> [count, seconds], all grades
    zygote = Zygote(course.file)
    try:
        for _ in range(args.n):
            for ex in course.exercises:
                job = job_for(course, Submission("bench", ex.id, ex.solution), seed=course.seed,
                              include_hidden=True)
                row, seconds, ops = phases_of(zygote.run(job))
                for op, (n, t) in ops.items():
                    requests[op][0] += n / args.n
                    requests[op][1] += t / args.n
                for k, v in row.items():
                    rows[ex.id][k].append(v)
                for name, v in seconds.items():
                    checks[f"{ex.id}:{name}"].append(v)
    finally:
        zygote.close()
    columns = list(next(iter(rows.values())))
    print(f"Median seconds per reference grade, {args.n} grades each, one warm zygote\n")
    print("| exercise | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    totals = defaultdict(float)
    for ex, row in rows.items():
        medians = {k: statistics.median(v) for k, v in row.items()}
        for k, v in medians.items():
            totals[k] += v
        print(f"| {ex} | " + " | ".join(f"{medians[k]:.3f}" for k in columns) + " |")
    print("| **all ten** | " + " | ".join(f"**{totals[k]:.2f}**" for k in columns) + " |")
    share = {k: 100 * totals[k] / totals["total"] for k in columns if k != "total"}
    print("\nShare of the course's time: " + ", ".join(f"{k} {v:.0f}%" for k, v in
                                                     sorted(share.items(), key=lambda kv: -kv[1]) if v >= 1))
    print("\nRequests per grade of the ten references (mean over the runs):\n")
    print("| request | count | seconds | ms each |")
    print("|---|---:|---:|---:|")
    for op, (n, t) in sorted(requests.items(), key=lambda kv: -kv[1][1]):
        print(f"| {op} | {n:.0f} | {t:.2f} | {1000 * t / max(n, 1):.1f} |")
    print("\nSlowest checks (median seconds):")
    for name, v in sorted(checks.items(), key=lambda kv: -statistics.median(kv[1]))[:8]:
        print(f"  {statistics.median(v):6.3f}  {name}")


if __name__ == "__main__":
    main()
