"""Prove the course sound: references full, stubs zero, every mutant loses points.

Also: every check of every grader fails on at least one mutant (a check no
mutant fails is not shown to work), and with ``seeds > 1`` the references and
mutants are graded on each seed, so a flaky convergence check shows up as a
pass rate below N/N.
"""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field

from rich.text import Text

from kerasgrade.course import Course
from kerasgrade.discover import Submission
from kerasgrade.engine.pool import Pool
from kerasgrade.job import COURSE_FILE, PoolItem
from kerasgrade.reports.terminal import grid, print_renderable
from kerasgrade.result import GRADED, TRAINING, ExerciseResult


@dataclass
class ExerciseVerdict:
    exercise: str
    solution: list[ExerciseResult] = field(default_factory=list)   # one per seed
    alternatives: dict[str, list[ExerciseResult]] = field(default_factory=dict)  # name -> per seed
    stub: ExerciseResult | None = None
    mutants: dict[str, list[ExerciseResult]] = field(default_factory=dict)  # name -> per seed
    only_alternatives: bool = False

    def problems(self) -> list[str]:
        out = []
        for name, runs in self.alternatives.items():
            low = [r for r in runs if r.status != GRADED or r.score < r.max_points]
            if low:
                r = low[0]
                lost = [c.name for c in r.checks if not c.passed]
                out.append(f"correct alternative {name} scored {r.score:g}/{r.max_points:g} on "
                           f"{len(low)}/{len(runs)} seed(s) ({r.student}, {r.status}; failed: "
                           f"{', '.join(lost) or r.message})")
        if self.only_alternatives:
            return out
        for r in self.solution:
            if r.status != GRADED or r.score < r.max_points:
                lost = [c.name for c in r.checks if not c.passed]
                out.append(f"reference scored {r.score:g}/{r.max_points:g} ({r.status}; failed: "
                           f"{', '.join(lost) or r.message})")
        if self.stub is None:
            out.append("no stub in exercises/")
        elif self.stub.status != GRADED or self.stub.score != 0:
            out.append(f"stub scored {self.stub.score:g} ({self.stub.status}): a stub must import and score 0")
        for name, runs in self.mutants.items():
            for r in runs:
                if r.score >= r.max_points:
                    out.append(f"mutant {name} was not caught (scored {r.score:g}/{r.max_points:g})")
                    break
        never = self.checks_never_failed()
        if never:
            out.append(f"no mutant fails these checks: {', '.join(never)}")
        if len(self.mutants) < 6:
            out.append(f"only {len(self.mutants)} mutants (at least 6 wanted)")
        return out

    def checks_never_failed(self) -> list[str]:
        if not self.solution or not self.mutants:
            return []
        failed = {c.name for runs in self.mutants.values() for r in runs for c in r.checks if not c.passed}
        return [c.name for c in self.solution[0].checks if c.name not in failed]

    def training_rate(self) -> tuple[int, int]:
        runs = [r for r in self.solution if any(c.concept == TRAINING for c in r.checks)]
        ok = sum(all(c.passed for c in r.checks if c.concept == TRAINING) for r in runs)
        return ok, len(runs)

    def caught(self) -> tuple[int, int]:
        return sum(all(r.score < r.max_points for r in runs) for runs in self.mutants.values()), len(self.mutants)


def validate(course: Course, *, jobs: int, seeds: int = 1, exercises: list[str] | None = None,
             progress=None, announce=None, only_alternatives: bool = False) -> list[ExerciseVerdict]:
    """Grade each chosen exercise's reference, mutants and correct alternatives on ``seeds``
    seeds, and its stub once (``only_alternatives``: the alternatives alone)."""
    chosen = [e for e in course.exercises if not exercises or e.id in exercises]
    verdicts = {e.id: ExerciseVerdict(e.id, only_alternatives=only_alternatives) for e in chosen}
    items, kinds = [], {}

    def add(kind: str, name: str | None, label: str, ex, path, seed: int) -> None:
        item = PoolItem(Submission(label, ex.id, path), seed, True, purpose=COURSE_FILE)
        items.append(item)
        kinds[id(item)] = (kind, name)

    for ex in chosen:
        for seed in range(course.seed, course.seed + seeds):
            for a in ex.alternatives:
                add("alternative", a.name, f"alt-{a.name}@{seed}", ex, a, seed)
            if only_alternatives:
                continue
            add("solution", None, f"solution@{seed}", ex, ex.solution, seed)
            for m in ex.mutants:
                add("mutant", m.stem, f"{m.stem}@{seed}", ex, m, seed)
        if not only_alternatives:
            add("stub", None, "stub", ex, ex.stub if ex.stub.exists() else None, course.seed)
    lock = threading.Lock()
    done = [0]

    def on_result(item: PoolItem, r: ExerciseResult):
        kind, name = kinds[id(item)]
        with lock:
            v = verdicts[r.exercise]
            if kind == "solution":
                v.solution.append(r)
            elif kind == "stub":
                v.stub = r
            elif kind == "alternative":
                v.alternatives.setdefault(name, []).append(r)
            else:
                v.mutants.setdefault(name, []).append(r)
            done[0] += 1
            if progress:
                progress(done[0], len(items), r)

    Pool(course, jobs, announce=announce).run(items, on_result)
    return [verdicts[e.id] for e in chosen]


def print_table(verdicts: list[ExerciseVerdict], seeds: int, stream=None) -> bool:
    head = ["exercise", "reference", "alternatives", "stub", "mutants caught", f"training {seeds} seed(s)", "verdict"]
    rows = []
    ok_all = True
    for v in verdicts:
        ref = v.solution[0] if v.solution else None
        caught, total = v.caught()
        ok, runs = v.training_rate()
        problems = v.problems()
        ok_all &= not problems
        rows.append([
            v.exercise,
            f"{ref.score:g}/{ref.max_points:g}" if ref else "-",
            f"{sum(all(r.score >= r.max_points for r in runs) for runs in v.alternatives.values())}"
            f"/{len(v.alternatives)} full",
            f"{v.stub.score:g}" if v.stub else "-",
            f"{caught}/{total}",
            f"{ok}/{runs}" if runs else "-",
            Text("ok", style="green") if not problems else Text("FAIL", style="bold red"),
        ])
    print_renderable(grid(head, rows), stream)
    stream = stream or sys.stdout
    total_caught = sum(v.caught()[0] for v in verdicts)
    total_mutants = sum(v.caught()[1] for v in verdicts)
    print(f"\n{total_caught}/{total_mutants} mutants caught across {len(verdicts)} exercise(s).", file=stream)
    for v in verdicts:
        for p in v.problems():
            print(f"  {v.exercise}: {p}", file=stream)
    for v in verdicts:
        for name, runs in sorted(v.mutants.items()):
            lost = sorted({c.name for r in runs for c in r.checks if not c.passed})
            print(f"  {v.exercise}/{name}: fails {', '.join(lost) or 'nothing'}", file=stream)
    return ok_all

