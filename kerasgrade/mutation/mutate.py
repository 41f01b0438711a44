"""Generate each exercise's mutants, grade them like submissions, and classify them.

``mutate_course`` takes every reference solution, makes its mutants (``operators``),
writes each to ``OUT/mutants/<exercise>/<hash>.py`` and grades it through the pool
(parallel, a sandboxed child each), with graders that also observe what the models
compute (``probe``). Each result is saved in ``OUT/results/<exercise>/<hash>.json``
under a key of the grader and kerasgrade's check helpers, so a rerun grades only the
mutants it has not graded with today's grader. Then each mutant is

* **killed**: it loses points (the checks it failed are kept);
* **accepted**: full marks, and the course lists it as acceptable, with a reason;
* **equivalent**: full marks, and the probe saw it compute what the reference computed
  on every input the checks used;
* **survivor**: full marks although it behaves otherwise: where the grader is blind.

The mutation score of an exercise is killed / (killed + survivors).
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kerasgrade.course import Course, Exercise, load_course
from kerasgrade.discover import Submission
from kerasgrade.errors import ConfigError, KerasgradeError
from kerasgrade.job import COURSE_FILE, PoolItem
from kerasgrade.mutation import DEFAULT_OUT
from kerasgrade.mutation.operators import Mutant, mutants
from kerasgrade.mutation.probe import PROBE_KEY, same_behaviour
from kerasgrade.result import ERROR, ExerciseResult

KILLED, SURVIVOR, EQUIVALENT, ACCEPTED, NOT_GRADED = "killed", "survivor", "equivalent", "accepted", "not graded"
STATUSES = (KILLED, SURVIVOR, EQUIVALENT, ACCEPTED, NOT_GRADED)
REFERENCE = "reference"
# What a check's verdict depends on, besides the grader:
_HELPERS = ("checks.py", "mutation/probe.py", "mutation/observe.py", "engine/judge.py",
            "grading/expect.py", "grading/draw.py", "grading/source_facts.py", "wire/handle.py")


@dataclass(frozen=True)
class Outcome:
    """One mutant's verdict."""
    id: str
    operator: str
    description: str
    hash: str
    status: str
    failed: tuple[str, ...] = ()   # the checks it failed (killed)
    differs: tuple[str, ...] = ()  # the checks that saw it compute otherwise and passed (survivor)
    reason: str = ""
    diff: str = ""
    score: float = 0.0
    max_score: float = 0.0


@dataclass
class ExerciseMutation:
    """The mutants of one exercise, graded and classified."""
    exercise: str
    checks: list[dict]                 # the grader's catalogue: name, title, concept, points, hidden
    reference: ExerciseResult | None
    outcomes: list[Outcome] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # judged mutants to take off the list, and why

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def reference_problem(self) -> str:
        r = self.reference
        if r is None:
            return "the reference was not graded"
        if r.score < r.max_points:
            lost = ", ".join(c.name for c in r.checks if not c.passed) or r.message
            return (f"the reference scored {r.score:g}/{r.max_points:g} (failed: {lost}): "
                    "no mutant can be judged against it")
        return ""

    @property
    def score(self) -> float | None:
        judged = self.count(KILLED) + self.count(SURVIVOR)
        return None if self.reference_problem or not judged else self.count(KILLED) / judged

    def kills(self) -> dict[str, tuple[int, int]]:
        """Per check: (mutants it fails, mutants only it fails)."""
        killed = [o for o in self.outcomes if o.status == KILLED]
        every = Counter(name for o in killed for name in o.failed)
        only = Counter(o.failed[0] for o in killed if len(o.failed) == 1)
        return {c["name"]: (every[c["name"]], only[c["name"]]) for c in self.checks}


# -- mutants and where they live ----------------------------------------------------------

def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def generate(ex: Exercise) -> list[Mutant]:
    """The mutants of the exercise's reference solution."""
    try:
        source = ex.solution.read_text(encoding="utf-8")
    except OSError as e:
        raise KerasgradeError(f"{ex.solution}: cannot read the reference of {ex.id}: {e}") from None
    try:
        return mutants(source)
    except Exception as e:  # noqa: BLE001 - say which file, not a traceback
        raise KerasgradeError(f"{ex.solution}: the mutation operators could not read it "
                              f"({type(e).__name__}: {e})") from None


def grading_key(course: Course, ex: Exercise) -> str:
    """What a saved verdict depends on besides the mutant: the grader, the check helpers, the seed."""
    h = hashlib.sha256(f"seed={course.seed}".encode())
    package = Path(__file__).resolve().parents[1]
    for path in (ex.grader, *(package / p for p in _HELPERS)):
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def result_file(out: Path, exercise: str, digest: str) -> Path:
    return Path(out) / "results" / exercise / f"{digest}.json"


def load_saved(out: Path, exercise: str, digest: str, key: str) -> ExerciseResult | None:
    try:
        saved = json.loads(result_file(out, exercise, digest).read_text(encoding="utf-8"))
        if saved.get("key") != key:
            return None
        return ExerciseResult.from_dict(saved["result"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(out: Path, exercise: str, digest: str, key: str, result: ExerciseResult) -> None:
    path = result_file(out, exercise, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps({"key": key, "result": result.to_dict()}, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def probe_course(course: Course, folder: Path) -> Path:
    """A copy of the course whose graders are the real ones, observed (``observe.probe_grader``)."""
    graders = Path(folder) / "graders"
    graders.mkdir(parents=True, exist_ok=True)
    lim = course.limits
    lines = ["# Written by `kerasgrade mutate`: the course, its checks observed (kerasgrade/mutation/observe.py).",
             "[course]", f"title = {json.dumps(course.title)}", f"seed = {course.seed}", "",
             "[limits]", f"timeout = {lim.timeout}", f"check_timeout = {lim.check_timeout}",
             f"memory_mb = {lim.memory_mb}", f"output_kb = {lim.output_kb}", "",
             "[folders]", f"graders = {json.dumps(str(graders.resolve()))}"]
    for ex in course.exercises:
        lines += ["", "[[exercises]]", f"id = {json.dumps(ex.id)}", f"title = {json.dumps(ex.title)}"]
        (graders / f"test_{ex.id}.py").write_text(
            f'"""{ex.id}\'s grader, observed (written by `kerasgrade mutate`)."""\n'
            "from kerasgrade.mutation.observe import probe_grader\n\n"
            f"probe_grader(globals(), {json.dumps(str(ex.grader.resolve()))}, {json.dumps(ex.id)})\n",
            encoding="utf-8")
    path = Path(folder) / "course.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- mutants the course has judged ----------------------------------------------------------

JUDGEMENTS = ("accepted", "blind")  # tables of the file: acceptable mutants; blind spots the probe cannot see


def load_judged(course: Course) -> dict[tuple[str, str], tuple[str, str]]:
    """(exercise, mutant id) -> (``accepted`` or ``blind``, why), from the course's file of judged
    mutants (``[mutation] accepted``): ``[[accepted]]`` mutants are right, and listed apart;
    ``[[blind]]`` ones are wrong although the probe saw them compute what the reference did,
    so they count as survivors."""
    path = course.root / course.mutation.accepted
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    for table in data:
        if table not in JUDGEMENTS or not isinstance(data[table], list):
            raise ConfigError(f"{path}: unknown table [{table}]: expected [[accepted]] or [[blind]] tables "
                              "(exercise, mutant, reason)")
    known = {e.id for e in course.exercises}
    found = {}
    for kind in JUDGEMENTS:
        for i, entry in enumerate(data.get(kind, []), 1):
            where = f"{path}: [[{kind}]] #{i}"
            if not isinstance(entry, dict):
                raise ConfigError(f"{where} must be a table")
            for key in entry:
                if key not in ("exercise", "mutant", "reason"):
                    raise ConfigError(f"{where}: unknown key {key!r} (known: exercise, mutant, reason)")
            for key in ("exercise", "mutant", "reason"):
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    raise ConfigError(f"{where}.{key} is required: a non-empty string"
                                      + (" saying why" if key == "reason" else ""))
            if entry["exercise"] not in known:
                raise ConfigError(f"{where}.exercise: no exercise {entry['exercise']!r} in {course.file}")
            if (entry["exercise"], entry["mutant"]) in found:
                raise ConfigError(f"{where}.mutant: {entry['mutant']!r} is judged twice")
            found[(entry["exercise"], entry["mutant"])] = (kind, entry["reason"].strip())
    return found


# -- grading and classifying ----------------------------------------------------------------

def probes(result: ExerciseResult) -> dict[str, list[float]]:
    return {c.name: c.data.get(PROBE_KEY, []) for c in result.checks}


def classify(reference: ExerciseResult | None, result: ExerciseResult | None,
             judged: tuple[str, str] | None = None) -> tuple[str, tuple, tuple, str]:
    """(status, failed checks, checks that saw a difference, reason); ``judged`` is the course's
    (``accepted`` or ``blind``, why) for this mutant, if any."""
    if result is None or (result.status == ERROR and not result.fingerprint):
        why = result.message.splitlines()[0] if result is not None and result.message else "no result"
        return NOT_GRADED, (), (), f"{why} (a rerun grades it again)"
    if result.score < result.max_points:
        return KILLED, tuple(c.name for c in result.checks if not c.passed), (), result.message[:200]
    if judged is not None:
        kind, why = judged
        return (ACCEPTED if kind == "accepted" else SURVIVOR), (), (), why
    same, differs = same_behaviour(probes(reference), probes(result)) if reference else (False, [])
    if same:
        return EQUIVALENT, (), (), ("the same outputs, config, metrics and weights as the reference "
                                    "on every input the checks used")
    return SURVIVOR, (), tuple(differs), ""


def diff(reference: str, mutant: str, exercise: str, mutant_id: str) -> str:
    return "".join(difflib.unified_diff(reference.splitlines(True), mutant.splitlines(True),
                                        f"solutions/{exercise}.py", mutant_id, n=2))


@dataclass
class Run:
    """What ``mutate_course`` did: the verdicts, and how many mutants it graded in how long."""
    exercises: list[ExerciseMutation]
    graded: int
    seconds: float

    @property
    def per_minute(self) -> float | None:
        return 60.0 * self.graded / self.seconds if self.graded and self.seconds else None


@dataclass(frozen=True)
class _Plan:
    """One exercise's reference and mutants, and the key its saved verdicts must carry."""
    exercise: Exercise
    key: str
    reference: str
    mutants: list[Mutant]


def _to_grade(plan: _Plan, out: Path, seed: int, results: dict) -> list[PoolItem]:
    """The pool's items for what ``out`` holds no verdict of; ``results`` gets the saved ones."""
    ex, todo = plan.exercise, []
    folder = out / "mutants" / ex.id
    folder.mkdir(parents=True, exist_ok=True)
    for text, is_reference in [(plan.reference, True), *((m.source, False) for m in plan.mutants)]:
        digest = source_hash(text)
        saved = load_saved(out, ex.id, digest, plan.key)
        if saved is not None:
            results[(ex.id, digest)] = saved
            continue
        path = folder / f"{digest[:16]}.py"
        path.write_text(text, encoding="utf-8")
        todo.append(PoolItem(Submission(REFERENCE if is_reference else f"m-{digest[:16]}", ex.id, path), seed,
                             True, purpose=COURSE_FILE))
    return todo


def _verdicts(plan: _Plan, checks: list[dict], results: dict, judged: dict) -> ExerciseMutation:
    ex = plan.exercise
    ref = results.get((ex.id, source_hash(plan.reference)))
    v = ExerciseMutation(ex.id, checks, ref)
    ids = {m.id for m in plan.mutants}
    v.stale = [f"the {kind} mutant {i!r} is made by no operator any more"
               for (e, i), (kind, _) in sorted(judged.items()) if e == ex.id and i not in ids]
    for m in plan.mutants:
        digest = source_hash(m.source)
        r = results.get((ex.id, digest))
        status, failed, differs, reason = classify(ref, r, judged.get((ex.id, m.id)))
        if status == KILLED and (ex.id, m.id) in judged:
            v.stale.append(f"the {judged[(ex.id, m.id)][0]} mutant {m.id!r} is killed now")
        v.outcomes.append(Outcome(m.id, m.operator, m.description, digest, status, failed, differs, reason,
                                  diff(plan.reference, m.source, ex.id, m.id),
                                  r.score if r else 0.0, r.max_points if r else 0.0))
    return v


def mutate_course(course: Course, *, out: str | Path = DEFAULT_OUT, jobs: int = 1,
                  exercises: list[str] | None = None, progress=None, announce=None) -> Run:
    """Generate, grade (resuming from ``out``) and classify the mutants of the chosen exercises."""
    out = Path(out)
    chosen = [course.exercise(e) for e in exercises] if exercises else list(course.exercises)
    judged = load_judged(course)
    plans = [_Plan(ex, grading_key(course, ex), ex.solution.read_text(encoding="utf-8"), generate(ex))
             for ex in chosen]
    results: dict[tuple[str, str], ExerciseResult] = {}
    todo = [item for plan in plans for item in _to_grade(plan, out, course.seed, results)]
    keys = {p.exercise.id: p.key for p in plans}
    digests = {id(i): source_hash(Path(i.submission.path).read_text(encoding="utf-8")) for i in todo}
    lock, done = threading.Lock(), [0]

    def on_result(item: PoolItem, r: ExerciseResult) -> None:
        digest = digests[id(item)]
        if r.fingerprint:  # no fingerprint: the worker died, which says nothing of the mutant
            save(out, r.exercise, digest, keys[r.exercise], r)
        with lock:
            results[(r.exercise, digest)] = r
            done[0] += 1
            if progress:
                progress(done[0], len(todo), r)

    start, catalogue = time.monotonic(), {}
    if todo:
        from kerasgrade.engine.pool import Pool

        observed = load_course(probe_course(course, out / "course"))
        pool = Pool(observed, jobs, announce=announce, exercises=[e.id for e in chosen])
        pool.run(todo, on_result)
        catalogue = pool.catalogue()
    seconds = time.monotonic() - start
    verdicts = []
    for plan in plans:
        ref = results.get((plan.exercise.id, source_hash(plan.reference)))
        checks = catalogue.get(plan.exercise.id) or [
            {"name": c.name, "title": c.title, "concept": c.concept, "points": c.max_points, "hidden": c.hidden}
            for c in (ref.checks if ref else ())]
        verdicts.append(_verdicts(plan, checks, results, judged))
    return Run(verdicts, sum(i.submission.student != REFERENCE for i in todo), seconds)


def below_threshold(run: Run, min_score: float) -> list[str]:
    """Why the course does not meet ``[mutation] min_score`` (empty: it does)."""
    problems = []
    for v in run.exercises:
        if v.reference_problem:
            problems.append(f"{v.exercise}: {v.reference_problem}")
        elif v.count(NOT_GRADED):
            problems.append(f"{v.exercise}: {v.count(NOT_GRADED)} mutant(s) could not be graded; run again")
        elif v.score is not None and v.score < min_score:
            problems.append(f"{v.exercise}: mutation score {v.score:.2f} is below [mutation] min_score = "
                            f"{min_score:g} ({v.count(SURVIVOR)} survivor(s))")
        for s in v.stale:
            problems.append(f"{v.exercise}: {s}: take it off the list of judged mutants ([mutation] accepted)")
    return problems
