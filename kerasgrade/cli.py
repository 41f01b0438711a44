"""The ``kerasgrade`` command: thin; each sub-command forwards to one function."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from kerasgrade.errors import KerasgradeError
from kerasgrade.mutation import DEFAULT_OUT as MUTATION_OUT

EPILOG = """examples:
  kerasgrade collect submissions.zip --out class     take in a Canvas/Gradescope/nbgrader download
  kerasgrade check exercises/ex01_first_model.py      a learner checks one exercise
  kerasgrade grade examples/class --out /tmp/grades   an instructor grades a class
  kerasgrade validate                                 CI proves the course sound
  kerasgrade doctor                                   which sandbox defences this machine gives
  kerasgrade validate --seeds 20 --exercise ex01_first_model
  kerasgrade grade CLASS --out shard1 --shard 1/2     one machine of two; then:
  kerasgrade merge shard1 shard2 --out grades         one gradebook from the shards
  kerasgrade mutate --exercise ex01_first_model       authors: where is the grader blind?
"""


def _course(args, start: Path | None = None):
    """``--course``, else the nearest course.toml from ``start`` (or the current folder) up."""
    from kerasgrade.course import find_course_file, load_course

    if args.course:
        return load_course(args.course)
    return load_course(find_course_file(start or Path.cwd()) or Path.cwd())


def cmd_check(args) -> int:
    from kerasgrade.commands.check import learner_curves, watch
    from kerasgrade.discover import Submission
    from kerasgrade.engine.pool import Pool
    from kerasgrade.job import PoolItem
    from kerasgrade.reports.terminal import print_check

    path = Path(args.file)
    if not path.is_file():
        raise KerasgradeError(f"{path}: no such file")
    course = _course(args, start=path.parent)  # a learner may run it from exercises/
    ex = course.exercise_for_file(path)
    pool = Pool(course, jobs=1, exercises=[ex.id], announce=_announce_level)

    def check_once() -> bool:
        start, results = time.monotonic(), []
        pool.run([PoolItem(Submission("you", ex.id, path), course.seed, args.hidden)],
                 lambda _, r: results.append(r))
        result = results[0]
        hidden = 0 if args.hidden else sum(c["hidden"] for c in pool.catalogue()[ex.id])
        print_check(result, hidden, pictures=learner_curves(course, pool, result))
        if args.watch:
            print(f"checked in {time.monotonic() - start:.1f} s; watching {path} for your next save "
                  "(Ctrl-C stops)", file=sys.stderr)
            pool.refill_kept()  # a worker a crash ended is started again while the learner edits
        return bool(result.checks) and all(c.passed for c in result.checks)

    if not args.watch:
        return 0 if check_once() else 1
    with pool.kept():
        try:
            watch(path, check_once)
        except KeyboardInterrupt:
            print(file=sys.stderr)
    return 0


def cmd_grade(args) -> int:
    from kerasgrade.commands.grade import grade_class, shard_of, write_outputs
    from kerasgrade.discover import discover
    from kerasgrade.manifest import carry_manifest
    from kerasgrade.reports.terminal import ProgressBar, print_gradebook

    course = _course(args)
    shard = _shard(args.shard) if args.shard else None
    subs, warnings = discover(args.submissions, course)
    carry_manifest(args.submissions, args.out)  # the late flags and platform ids, from `kerasgrade collect`
    if shard:
        subs = shard_of(subs, *shard)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    start, done, failed = time.monotonic(), [0], [0]
    bar = ProgressBar("grading", quiet=args.quiet)

    def progress(r, total):
        done[0] += 1
        failed[0] += r.status not in ("graded", "missing")
        bar.step(done[0], total, failed=failed[0], last=f"{r.student}/{r.exercise}: {r.status} "
                 f"{r.score:g}/{r.max_points:g}")

    with bar:
        book, graded = grade_class(course, subs, Path(args.out), jobs=args.jobs, force=args.force,
                                   announce=_announce_sandbox, progress=progress,
                                   require_sandbox=course.require_sandbox and not args.unsandboxed,
                                   secret=Path(args.secret) if args.secret else None)
    if graded < len(subs):
        print(f"resumed: {len(subs) - graded} result(s) were already in {args.out} "
              "(--force regrades all)", file=sys.stderr)
    files = write_outputs(course, book, Path(args.out), jobs=args.jobs)
    print_gradebook(book)
    print(f"\nwrote {', '.join(str(f) for f in files)}\n({len(book.students)} students, "
          f"{graded} submission(s) graded in {time.monotonic() - start:.1f} s)")
    return 0


def cmd_collect(args) -> int:
    from kerasgrade.intake.pipeline import take_in
    from kerasgrade.intake.summary import problem_lines, summary_lines

    course = _course(args)
    due = _due(args.due) if args.due else None
    manifest = take_in(args.source, args.out, course, platform=args.format, due=due,
                       assignment=args.assignment, force=args.force, groups=args.groups)
    print(f"collected {len(manifest.students)} student(s) from {manifest.source} ({manifest.platform}) "
          f"into {args.out}" + (f", due {manifest.due}" if manifest.due else ""))
    print("\n".join(summary_lines(manifest, len(course.exercises))))
    problems = problem_lines(manifest)
    if problems:
        print(f"\n{len(problems)} thing(s) to look at (the rest was taken in):\n" + "\n".join(problems))
    print(f"\nwrote {Path(args.out) / 'manifest.json'}: every file taken, ignored or refused, and why")
    return 0


def _due(text: str):
    from datetime import datetime

    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        due = None
    if due is None or due.tzinfo is None:
        raise KerasgradeError(f"--due {text!r}: expected a date and time with its UTC offset, "
                              "e.g. --due 2026-03-01T23:59:00+01:00")
    return due


def cmd_merge(args) -> int:
    from kerasgrade.commands.grade import write_outputs
    from kerasgrade.outdir import merge
    from kerasgrade.reports.terminal import print_gradebook

    course = _course(args)
    book = merge(course, [Path(s) for s in args.shards], Path(args.out))
    files = write_outputs(course, book, Path(args.out))
    print_gradebook(book)
    print(f"\nmerged {len(args.shards)} shard(s): wrote {', '.join(str(f) for f in files)}")
    return 0


def _announce_sandbox(level: str, reason: str) -> None:
    if level == "namespaces":
        print("sandbox: each submission runs in its own namespaces and cgroup, as an "
              "unprivileged user, without network (docs/SECURITY.md)", file=sys.stderr)
    else:
        print(f"WARNING: incomplete sandbox here ({reason}). Submissions run in separate processes "
              "with what is listed by `kerasgrade doctor` only. Grade untrusted code as root on Linux "
              "to isolate it fully (docs/SECURITY.md).", file=sys.stderr)


def _announce_level(level: str, reason: str) -> None:
    """`check`: one line saying how isolated the learner's code runs (it is theirs: no refusal)."""
    print(f"sandbox: {'full isolation' if level == 'namespaces' else 'partial: ' + reason}",
          file=sys.stderr)


def cmd_doctor(args) -> int:
    from kerasgrade.engine.sandbox import DEFENCES, defences

    missing = defences()
    for key, what in DEFENCES.items():
        print(f"{'missing' if key in missing else 'reached':8s} {what}"
              + (f"\n         why: {missing[key]}" if key in missing else ""))
    if missing:
        print("\n`kerasgrade grade` refuses to run here unless told so (--unsandboxed, or "
              "[sandbox] require = false in course.toml). Run as root on Linux with cgroups mounted "
              "to reach every defence (docs/SECURITY.md).")
        return 1
    print("\nevery defence is reached: `kerasgrade grade` isolates each submission fully")
    return 0


def _shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
        if not 1 <= k <= n:
            raise ValueError
    except ValueError:
        raise KerasgradeError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. --shard 2/8") from None
    return k, n


def cmd_validate(args) -> int:
    from kerasgrade.commands.validate import print_table, validate
    from kerasgrade.reports.terminal import ProgressBar

    course = _course(args)
    if args.mutants == "auto" and course.mutation.min_score is None:
        raise KerasgradeError(f"{course.file}: `validate --mutants auto` needs [mutation] min_score "
                              "(e.g. `min_score = 0.8`: the fraction of generated mutants each "
                              "exercise's grader must kill)")
    start = time.monotonic()
    bar = ProgressBar("validating", quiet=args.quiet)

    def progress(done, total, r):
        bar.step(done, total, last=f"{r.exercise}/{r.student}: {r.score:g}/{r.max_points:g}")

    with bar:
        verdicts = validate(course, jobs=args.jobs, seeds=args.seeds, exercises=args.exercise,
                            progress=progress, announce=_announce_sandbox,
                            only_alternatives=args.only == "alternatives")
    ok = print_table(verdicts, args.seeds)
    if args.mutants == "auto":
        from kerasgrade.mutation.command import validate_mutants

        bar = ProgressBar("grading mutants", quiet=args.quiet)
        ok &= validate_mutants(course, **_mutation_grading(args, args.mutants_out, bar))
    print(f"({time.monotonic() - start:.1f} s)")
    return 0 if ok else 1


def _mutation_grading(args, out: str, bar) -> dict:
    """How ``mutate`` and ``validate --mutants auto`` grade: where, how wide, with what progress bar."""

    def progress(done, total, r):
        bar.step(done, total, last=f"{r.exercise}/{r.student}: {r.score:g}/{r.max_points:g}")

    return {"out": out, "jobs": args.jobs, "exercises": args.exercise, "progress": progress,
            "announce": _announce_sandbox, "bar": bar}


def cmd_mutate(args) -> int:
    from kerasgrade.mutation.command import mutate_main
    from kerasgrade.reports.terminal import ProgressBar

    course = _course(args)
    return mutate_main(course, **_mutation_grading(args, args.out, ProgressBar("grading mutants", quiet=args.quiet)))


def cmd_export(args) -> int:
    from kerasgrade.integrations.canvas import (
        canvas_rows,
        read_canvas_roster,
        write_canvas,
    )
    from kerasgrade.integrations.gradescope import gradescope_score_rows
    from kerasgrade.integrations.gradescope_bundle import build_gradescope_bundle
    from kerasgrade.manifest import read_manifest
    from kerasgrade.outdir import load_gradebook
    from kerasgrade.reports.gradebook_files import write_csv

    course = _course(args)
    if args.target == "gradescope":
        names = build_gradescope_bundle(course, args.out, args.exercise, time_limit=args.time_limit,
                                        jobs=args.jobs, points=args.points)
        print(f"wrote {args.out} ({len(names)} files; upload it as the assignment's autograder)")
        return 0
    if not args.source:
        raise KerasgradeError(f"export {args.target}: --from OUT is required (the folder `kerasgrade grade` wrote)")
    book = load_gradebook(args.source, course)
    if not book.results:
        raise KerasgradeError(f"{args.source}: no results in {Path(args.source) / 'results'}; "
                              "run `kerasgrade grade SUBMISSIONS --out OUT` first")
    manifest = read_manifest(args.source)
    if args.target == "csv":
        write_csv(book, args.out)
    elif args.target == "gradescope-scores":
        rows, warnings = gradescope_score_rows(book, manifest, points=args.points or 100.0)
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        write_canvas(rows, args.out)
    else:
        roster = read_canvas_roster(args.roster) if args.roster else None
        rows, warnings = canvas_rows(book, assignment=args.assignment or course.title, points=args.points or 100.0,
                                     assignment_id=args.assignment_id, roster=roster, id_column=args.id_column,
                                     manifest=manifest)
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        write_canvas(rows, args.out)
    print(f"wrote {args.out} ({len(book.students)} students)")
    return 0


def cmd_report(args) -> int:
    from kerasgrade.outdir import load_gradebook
    from kerasgrade.reports.html import write_report

    course = _course(args)
    book = load_gradebook(args.out, course)
    if not book.results:
        raise KerasgradeError(f"{args.out}: no results in {Path(args.out) / 'results'}; "
                              "run `kerasgrade grade SUBMISSIONS --out OUT` first")
    print(f"wrote {write_report(book, args.out, title=course.title)} ({len(book.students)} students)")
    return 0


def cmd_notebooks(args) -> int:
    from kerasgrade.commands.notebooks import notebooks_main

    return notebooks_main(_course(args), out=args.out, exercises=args.exercise, check=args.check)


def cmd_nbgrader_init(args) -> int:
    from kerasgrade.commands.notebooks import init_main

    return init_main(_course(args), args.folder, assignment=args.assignment, exercises=args.exercise)


def parser() -> argparse.ArgumentParser:
    from kerasgrade.manifest import PLATFORMS

    p = argparse.ArgumentParser(prog="kerasgrade", description="Auto-graded exercises for Keras "
                                "Model Subclassing.", epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--course", help="course.toml or its folder (default: the nearest course.toml "
                   "from the current folder up; for check, from the file's folder up)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("check", help="learners: run the public checks on one exercise file",
                       description="Run the public checks of one exercise on your file.")
    c.add_argument("file", help="your exercise file, e.g. exercises/ex01_first_model.py (or .ipynb)")
    c.add_argument("--hidden", action="store_true", help="also run hidden checks (instructors)")
    c.add_argument("--watch", action="store_true", help="check again each time you save the file "
                   "(a warm grader: a second or two per re-check)")
    c.set_defaults(func=cmd_check)

    g = sub.add_parser("grade", help="instructors: grade a class's submissions",
                       description="Grade SUBMISSIONS/<student_id>/<exercise>.py for every student.")
    g.add_argument("submissions", help="folder with one sub-folder per student")
    g.add_argument("--out", required=True, help="where grades.csv, grades.json and feedback/ go")
    g.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers (default: cores)")
    g.add_argument("--force", action="store_true", help="regrade submissions already graded in --out")
    g.add_argument("--shard", help="grade only shard K of N (students split deterministically), e.g. 1/4")
    g.add_argument("--secret", metavar="FILE", help="the judge's secret (default: OUT/.secret, made once); "
                   "give every shard of a class the same file to draw the same inputs")
    g.add_argument("--quiet", action="store_true", help="no progress lines")
    g.add_argument("--unsandboxed", action="store_true", help="grade even without full isolation "
                   "(only for submissions you trust; see `kerasgrade doctor`)")
    g.set_defaults(func=cmd_grade)

    d = sub.add_parser("doctor", help="instructors: which sandbox defences this machine gives a submission",
                       description="Fork a confined throw-away child and report each defence (namespaces, "
                       "cgroup, user id, seccomp, no_new_privs, rlimits) as reached or missing, with why.")
    d.set_defaults(func=cmd_doctor)
    co = sub.add_parser("collect", help="instructors: take in a platform's download as SUBMISSIONS",
                        description="Take in SOURCE (a Canvas \"Download Submissions\" zip, a Gradescope \"Export "
                        "Submissions\" zip, an nbgrader course folder or its submitted/ folder, a folder or zip of "
                        "per-student folders) as SUBMISSIONS/<student>/<exercise>.py|.ipynb, ready for `grade`, and "
                        "SUBMISSIONS/manifest.json: platform ids, late flags, every file taken, ignored or refused.")
    co.add_argument("source", help="the platform's zip, or a folder")
    co.add_argument("--out", required=True, help="SUBMISSIONS: a new or empty folder")
    co.add_argument("--format", choices=PLATFORMS,
                    help="the kind of SOURCE (default: told from its contents)")
    co.add_argument("--due", help="the due date with its UTC offset, e.g. 2026-03-01T23:59:00+01:00 (default: "
                    "[late] due in course.toml); a submission after it is late")
    co.add_argument("--assignment", help="nbgrader: take in only this assignment")
    co.add_argument("--groups", help="canvas, a group assignment: the group set's export (People > Groups > "
                    "Export, a CSV); every member gets the group's submission")
    co.add_argument("--force", action="store_true", help="replace what an earlier collect wrote in --out")
    co.set_defaults(func=cmd_collect)

    m = sub.add_parser("merge", help="instructors: join the --out folders of shard runs into one gradebook",
                       description="Join the results of `kerasgrade grade --shard K/N` runs into one "
                       "gradebook (grades.csv, grades.json, feedback/, report.html).")
    m.add_argument("shards", nargs="+", help="the --out folders of the shard runs")
    m.add_argument("--out", required=True, help="where the joined gradebook goes")
    m.set_defaults(func=cmd_merge)

    v = sub.add_parser("validate", help="CI: references full, stubs zero, every mutant caught",
                       description="Grade every reference, stub and mutant and check the course is sound.")
    v.add_argument("--seeds", type=int, default=1,
                   help="grade references, mutants and correct alternatives on N seeds")
    v.add_argument("--only", choices=["alternatives"], help="alternatives: grade only the correct "
                   "alternatives (tests/alternatives/<exercise>/), each on every seed")
    v.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    v.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    v.add_argument("--quiet", action="store_true")
    v.add_argument("--mutants", choices=["auto"], help="auto: also grade the generated mutants (kerasgrade "
                   "mutate) and fail below [mutation] min_score of course.toml")
    v.add_argument("--mutants-out", default=MUTATION_OUT, help=f"where --mutants auto keeps its results "
                   f"(default: {MUTATION_OUT}; a rerun grades only what changed)")
    v.set_defaults(func=cmd_validate)

    mu = sub.add_parser("mutate", help="authors: generated mutants of each reference, a mutation score per check",
                        description="Make every single-mistake mutant of each reference solution, grade each "
                        "like a submission and report, per exercise and check, which mutants the grader "
                        "kills and which survive with full marks (see docs/AUTHORING.md). Exits 1 if any "
                        "mutant survives.")
    mu.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    mu.add_argument("--out", default=MUTATION_OUT, help=f"results, mutation.json and mutation.html "
                    f"(default: {MUTATION_OUT}; a rerun grades only new mutants)")
    mu.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel workers (default: cores)")
    mu.add_argument("--quiet", action="store_true", help="no progress line")
    mu.set_defaults(func=cmd_mutate)

    x = sub.add_parser("export", help="instructors: Gradescope autograder zip, Canvas or plain CSV",
                       description="gradescope: build the autograder zip from the course (no solutions). "
                       "canvas, csv: a gradebook CSV from the results `kerasgrade grade` wrote in --from OUT. "
                       "gradescope-scores: the scores keyed by Gradescope's SID and email. Students taken in by "
                       "`kerasgrade collect` are written with their platform ids (OUT/manifest.json).")
    x.add_argument("target", choices=["gradescope", "canvas", "csv", "gradescope-scores"])
    x.add_argument("--out", required=True, help="the file to write (autograder.zip, canvas.csv, grades.csv)")
    x.add_argument("--from", dest="source", metavar="OUT", help="canvas, csv, gradescope-scores: the folder "
                   "`kerasgrade grade` wrote")
    x.add_argument("--exercise", action="append", help="gradescope: grade only this exercise (repeatable; "
                   "default: all)")
    x.add_argument("--time-limit", type=float, default=540.0, help="gradescope: seconds for a whole submission; "
                   "keep it below the assignment's autograder timeout (default: 540, Gradescope's default is 600)")
    x.add_argument("--jobs", type=int, default=1, help="gradescope: parallel workers (default 1; each needs ~1.5 GB)")
    x.add_argument("--points", type=float, help="canvas, gradescope-scores: points of the assignment (default "
                   "100); gradescope: "
                   "rescale the total to this many points, exercises weighted as in course.toml")
    x.add_argument("--assignment", help="canvas: the assignment column's name (default: the course title)")
    x.add_argument("--assignment-id", help="canvas: the assignment's id, to update an existing assignment")
    x.add_argument("--roster", help="canvas: Canvas's gradebook export, to copy names, ids and sections from")
    x.add_argument("--id-column", default="SIS Login ID", help="canvas, without --roster: the Canvas column "
                   "holding the student ids (ID, SIS User ID or SIS Login ID; default SIS Login ID)")
    x.set_defaults(func=cmd_export)

    r = sub.add_parser("report", help="instructors: OUT/report.html from the results in OUT",
                       description="Write OUT/report.html: score distributions, failure rates per check and "
                       "per concept, students and their feedback, in one self-contained file.")
    r.add_argument("out", help="the folder `kerasgrade grade` wrote")
    r.set_defaults(func=cmd_report)

    n = sub.add_parser("notebooks", help="authors: write solutions/*.ipynb (nbgrader source) and "
                       "exercises/*.ipynb (as nbgrader releases them)",
                       description="Write, for every exercise of course.toml, the nbgrader source notebook "
                       "solutions/<ex>.ipynb and the learner's notebook exercises/<ex>.ipynb. See docs/NOTEBOOKS.md.")
    n.add_argument("--out", help="write under this folder instead of the course folder")
    n.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    n.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook is missing or "
                   "differs from what would be written (CI)")
    n.set_defaults(func=cmd_notebooks)

    nb = sub.add_parser("nbgrader", help="instructors: an nbgrader course folder with the source notebooks",
                        description="Work with the real nbgrader. See docs/NOTEBOOKS.md.")
    nb_sub = nb.add_subparsers(dest="nbgrader_command", required=True, metavar="COMMAND")
    ni = nb_sub.add_parser("init", help="lay out DIR/nbgrader_config.py and DIR/source/<assignment>/",
                           description="Lay out DIR for nbgrader: nbgrader_config.py, source/<assignment>/ with "
                           "every exercise's source notebook, and a copy of course.toml and the graders "
                           "(the notebooks' test cells run them). Then: cd DIR && nbgrader generate_assignment "
                           "<assignment>.")
    ni.add_argument("folder", metavar="DIR", help="the nbgrader course folder (created if needed)")
    ni.add_argument("--assignment", default="model_subclassing", help="the assignment's name "
                    "(default: model_subclassing)")
    ni.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    ni.set_defaults(func=cmd_nbgrader_init)
    return p


def _interrupted(signum, frame):
    raise KeyboardInterrupt  # so that the grading pool ends every process and cgroup it started


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    import signal

    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupted)
    except ValueError:
        pass  # not the main thread (an embedding program): its own handlers stay
    try:
        return args.func(args)
    except KerasgradeError as e:
        print(f"kerasgrade: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nkerasgrade: interrupted; results graded so far are kept", file=sys.stderr)
        return 130
