"""kerasgrade's overhead per submission beyond the checks' own compute, measured paired.

The machine is shared and its speed drifts by 10% or more over minutes: more than
the overhead to be measured. ``grade_class.py`` times kerasgrade and the checks
alone twenty minutes apart. Here each chunk of students is graded both ways, one
right after the other (in the order AB, BA, AB, ...), so that a drift hits both
alike, and the spread of the per-chunk differences gives the figure's uncertainty.

A (kerasgrade): J zygotes, started once, and for each submission what ``kerasgrade
  grade`` does with it (``kerasgrade.engine.pool.Pool``: a sandboxed child forked from the
  zygote, its events collected into a result, the result saved).
B (the checks' own compute): J warm interpreters, started once, each running
  ``kerasgrade.engine.judge.judge_here`` on one file after another (no fork, no sandbox,
  and state left over from the files before: a lower bound, not a way to grade).

Both take the chunk's submissions from one queue, J at a time. Then what a run pays
once, measured in the same run: the workers' start-up, and writing the outputs
(``write_outputs``, with the reference solutions graded for the loss curves).

    python bench/overhead.py                 # 40 students, every exercise, 4 students per chunk
    python bench/overhead.py --students 8 --exercise ex01_first_model
"""
from __future__ import annotations

import argparse
import json
import math
import os
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grade_class as gc  # noqa: E402 - the class, the warm interpreter and the environment

from kerasgrade.references import References  # noqa: E402
from kerasgrade.discover import Submission  # noqa: E402
from kerasgrade.engine.pool import Pool, threads_per_worker
from kerasgrade.outdir import load_gradebook, save_result
from kerasgrade.commands.grade import write_outputs  # noqa: E402
from kerasgrade.engine.zygote_client import Zygote  # noqa: E402


def run_queue(items: list, workers: list, fn) -> float:
    """``fn(worker, item)`` for every item, the workers taking items from one queue; the wall time."""
    todo: queue.Queue = queue.Queue()
    for item in items:
        todo.put(item)
    errors: list[BaseException] = []

    def loop(worker):
        try:
            while True:
                try:
                    item = todo.get_nowait()
                except queue.Empty:
                    return
                fn(worker, item)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            errors.append(e)

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.monotonic() - start


class Warm:
    """One warm interpreter (``grade_class.CHECKS_CHILD`` serving paths on stdin)."""

    def __init__(self, course, threads: int, work: Path, i: int):
        cmd = [sys.executable, "-c", gc.CHECKS_CHILD, str(course.file), str(threads), "warm", "all",
               str(work / f"warm-{i}.jsonl"), "-"]
        self.log = open(work / f"warm-{i}.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=work, env=gc.child_env(threads), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, bufsize=1)

    def run(self, path: Path) -> dict:
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"a warm interpreter stopped; see {self.log.name}")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
        self.log.close()


def mean_ci(xs: list[float]) -> tuple[float, float]:
    """The mean and the half-width of its ~95% interval (2 standard errors)."""
    m = statistics.mean(xs)
    return m, (2 * statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else float("nan"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--course", default=str(gc.ROOT))
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--exercise", action="append", help="only this exercise (repeatable; default: all)")
    p.add_argument("--chunk", type=int, default=4, help="students per chunk (default 4)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=5, help="seed of the class's make-up (default 5)")
    p.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = p.parse_args(argv)
    course = gc.load_course(args.course)
    exercises = args.exercise or [e.id for e in course.exercises]
    work = gc.work_folder(args.keep, "kerasgrade-overhead-")
    out = work / "out"
    before = gc.machine()
    started = time.monotonic()
    try:
        hands = gc.make_class(course, exercises, args.students, work / "class", seed=args.seed, references=0.5)
        students = gc.students_of(hands)
        chunks = [[h for h in hands if h.student in students[i:i + args.chunk]]
                  for i in range(0, len(students), args.chunk)]
        gc.say(f"{len(hands)} submissions in {len(chunks)} chunks of {args.chunk} students; starting the workers")

        t = time.monotonic()
        zygotes: list[Zygote] = []
        run_queue(list(range(args.jobs)), [None] * args.jobs,
                  lambda _, i: zygotes.append(Zygote(course.file, threads_per_worker(args.jobs))))
        startup = time.monotonic() - t
        warm = [Warm(course, max(1, (os.cpu_count() or 1) // args.jobs), work, i) for i in range(args.jobs)]
        for w in warm:  # up and warm before the first chunk: one submission each, not timed
            w.run(hands[0].path)

        pool, results, checks = Pool(course, args.jobs), {}, {}

        def a(zygote, h):
            r = pool._one(zygote, Submission(h.student, h.exercise, h.path), course.seed, True)
            save_result(out, r)
            results[(h.student, h.exercise)] = r

        def b(server, h):
            checks[(h.student, h.exercise)] = server.run(h.path)

        rows = []
        for i, chunk in enumerate(chunks):
            order = ("A", "B") if i % 2 == 0 else ("B", "A")
            wall = {}
            for side in order:
                wall[side] = run_queue(chunk, zygotes, a) if side == "A" else run_queue(chunk, warm, b)
            rows.append((len(chunk), wall["A"], wall["B"]))
            gc.say(f"chunk {i + 1}/{len(chunks)}: {len(chunk)} submissions, kerasgrade {wall['A']:.1f} s, "
                   f"warm checks {wall['B']:.1f} s")
        for w in warm:
            w.close()

        refs = References(course, out / "reference")
        book = load_gradebook(out, course)
        run_queue(refs.items(book=book), zygotes, lambda z, item: refs.take(
            item, pool._one(z, item.submission, item.seed, item.include_hidden)))
        for z in zygotes:
            z.close()
        t = time.monotonic()
        write_outputs(course, load_gradebook(out, course), out, jobs=args.jobs)
        outputs = time.monotonic() - t

        n, j = len(hands), args.jobs
        per_chunk = [(wa - wb) * j / k for k, wa, wb in rows]
        steady, ci = mean_ci(per_chunk)
        total_a, total_b = sum(r[1] for r in rows), sum(r[2] for r in rows)
        in_job = [results[k].seconds - checks[k]["checks_s"] for k in results]
        warm_mean = statistics.mean(c["checks_s"] for c in checks.values())
        once = (startup + outputs) * j / n
        same = sum(results[k].score == checks[k]["score"] for k in results)
        print("## kerasgrade's overhead per submission, measured paired\n")
        print(f"{args.students} students × {len(exercises)} exercise(s) = {n} submissions, in {len(chunks)} chunks "
              f"of {args.chunk} students, each graded by kerasgrade (A: {j} zygotes, a sandboxed child per "
              f"submission) and by {j} warm interpreters (B: the checks alone), back to back (AB, BA, ...).\n")
        print("| | s |\n| --- | ---: |")
        print(f"| A, kerasgrade: wall, all chunks | {total_a:.1f} |")
        print(f"| B, the checks alone: wall, all chunks | {total_b:.1f} |")
        print(f"| the checks' own compute per submission (B × {j} / {n}) | {total_b * j / n:.2f} |")
        print(f"| **overhead per submission while grading**, (A − B) × {j} / {n} per chunk, mean ± 2 SE | "
              f"**{steady:+.3f} ± {ci:.3f}** |")
        print(f"| of which inside the child: its fork-to-report time minus the same file's checks "
              f"(mean over {len(in_job)}) | {statistics.mean(in_job):+.3f} |")
        print(f"| once per run: the workers' start-up ({j} zygotes at once) | {startup:.1f} |")
        print(f"| once per run: writing the outputs (with the references' curves) | {outputs:.1f} |")
        print(f"| the once-per-run costs shared out over {n} submissions (× {j} / {n}) | {once:+.3f} |")
        print(f"| **overhead per submission, all told** | **{steady + once:+.3f}** |\n")
        print(f"- The checks' mean time in the warm interpreters: {warm_mean:.2f} s per submission. "
              f"Scores equal between A and B for {same} of {n} (B leaves state from one file to the next; "
              "informational).")
        print(f"- Per chunk, (A − B) × {j} / submissions: " + ", ".join(f"{x:+.3f}" for x in per_chunk) + ".")
        print("\n" + gc.footer(before, time.monotonic() - started, "bench/overhead.py"))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
