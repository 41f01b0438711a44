"""``kerasgrade check --watch``: seconds from a save to the re-check's verdict (issue 20: <= 2 s
for ex01 on a warm zygote, over 10 saves).

Runs ``kerasgrade check --watch`` on a copy of an exercise's reference, saves it N times (a
comment changed each time, as a learner's edit), and times each save until the line that
follows the verdict ("checked in ...") appears. Prints the first check's seconds and each
re-check's, then their median and worst.

    python bench/watch.py [--exercise ex01_first_model] [--saves 10]
"""
from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--exercise", default="ex01_first_model")
    p.add_argument("--saves", type=int, default=10)
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kerasgrade-watch-"))
    file = folder / f"{args.exercise}.py"
    source = (ROOT / "solutions" / f"{args.exercise}.py").read_text()
    file.write_text(source)
    child = subprocess.Popen([sys.executable, "-m", "kerasgrade", "--course", str(ROOT / "course.toml"),
                              "check", "--watch", str(file)], cwd=folder, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "100"})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in child.stderr], daemon=True).start()

    def verdict(since: float) -> float:
        while True:
            line = lines.get(timeout=300)
            if line.startswith("checked in"):
                return time.monotonic() - since

    try:
        first = verdict(time.monotonic())
        seconds = []
        for i in range(args.saves):
            time.sleep(0.5)
            start = time.monotonic()
            file.write_text(source + f"\n# edit {i}\n")
            seconds.append(verdict(start))
    finally:
        child.terminate()
        child.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.exercise}: first check {first:.2f} s (from the command's start: "
          "TensorFlow, the grader, the zygote)")
    print("re-checks after a save: " + " ".join(f"{s:.2f}" for s in seconds))
    print(f"median {statistics.median(seconds):.2f} s, worst {max(seconds):.2f} s over {len(seconds)} saves")


if __name__ == "__main__":
    main()
