"""What judging from outside the student's process costs per submission.

Grades the same files N times each way, alternating, in one run (the machine is shared: only
ratios measured side by side mean anything):

* **judged**: today's grader (``JUDGED = True``): the checks run in the judge, each a series of
  requests to the sandboxed child;
* **in-child**: the grader as it was before the judge (``git show REV:graders/<grader>``, run in
  the child with the tamper guard), on the same engine, sandbox and files.

It prints the median job time of each way per file, the judge's statistics (requests per
submission, time spent waiting for answers, the judge's own time) and the cost of one request
by itself (a ``ping``, median of 200).

    python bench/judge_cost.py [N] [--rev REV] [--exercise ID]
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kerasgrade.course import load_course  # noqa: E402
from kerasgrade.discover import Submission  # noqa: E402
from kerasgrade.engine.pool import job_for  # noqa: E402
from kerasgrade.engine.zygote_client import Zygote  # noqa: E402


def old_course(folder: Path, rev: str, exercise: str) -> Path:
    """A course whose grader for ``exercise`` is the one of ``rev`` (in-child)."""
    (folder / "graders").mkdir()
    old = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:graders/test_{exercise}.py"],
                         capture_output=True, text=True, check=True).stdout
    (folder / "graders" / f"test_{exercise}.py").write_text(old)
    course = (ROOT / "course.toml").read_text()
    head, _, _ = course.partition("[[exercises]]")
    (folder / "course.toml").write_text(
        f'{head}[folders]\nsolutions = "{ROOT / "solutions"}"\nexercises = "{ROOT / "exercises"}"\n\n'
        f'[[exercises]]\nid = "{exercise}"\n')
    return folder / "course.toml"


def ping_cost(n: int = 200) -> float:
    """Median seconds of one request that does nothing, judge to child and back (in-process
    socket pair, the same framing and decoding)."""
    import os
    import socket

    from kerasgrade.engine import server as child
    from kerasgrade.wire.handle import Channel

    mine, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the child's request server, in a process of its own as in grading
        mine.close()
        child.serve(theirs.fileno(), child.Server("", "bench"))
        os._exit(0)
    theirs.close()
    channel = Channel(mine.fileno())
    times = []
    for _ in range(n):
        start = time.perf_counter()
        channel.request("ping")
        times.append(time.perf_counter() - start)
    mine.close()
    os.waitpid(pid, 0)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("n", nargs="?", type=int, default=10)
    p.add_argument("--rev", default="9c7b38d", help="the commit whose graders ran in the child")
    p.add_argument("--exercise", default="ex01_first_model")
    args = p.parse_args()
    course = load_course(ROOT)
    ex = course.exercise(args.exercise)
    files = {"reference": ex.solution, "stub": ex.stub, **{m.stem: m for m in ex.mutants[:2]}}
    with tempfile.TemporaryDirectory() as tmp:
        zygotes = {"judged": Zygote(course.file, exercises=[ex.id]),
                   "in-child": Zygote(old_course(Path(tmp), args.rev, ex.id), exercises=[ex.id])}
        times = {(way, name): [] for way in zygotes for name in files}
        stats = {name: [] for name in files}
        for _ in range(args.n):
            for name, path in files.items():
                for way, z in zygotes.items():
                    job = job_for(course, Submission("bench", ex.id, path), seed=course.seed, include_hidden=True)
                    answer = z.run(job)
                    times[(way, name)].append(answer["elapsed"])
                    if way == "judged":
                        stats[name] += [e["stats"] for e in answer["events"] if isinstance(e, dict) and "stats" in e]
        for z in zygotes.values():
            z.close()
    print(f"{ex.id}, {args.n} runs per file and way, alternating (median seconds per job)")
    print(f"{'file':28s} {'in-child':>9s} {'judged':>9s} {'ratio':>6s}   requests  waited (s)  judge (s)")
    for name in files:
        a, b = statistics.median(times[("in-child", name)]), statistics.median(times[("judged", name)])
        s = stats[name]
        req = statistics.median(x["requests"] for x in s) if s else 0
        waited = statistics.median(x["waited"] for x in s) if s else 0
        own = statistics.median(x["seconds"] - x["waited"] for x in s) if s else 0
        print(f"{name:28s} {a:9.3f} {b:9.3f} {b / a:6.2f}   {req:8.0f}  {waited:10.3f}  {own:9.3f}")
    print(f"one request by itself (ping, median of 200): {ping_cost() * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
