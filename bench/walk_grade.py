"""The walk of one `kerasgrade grade` through kerasgrade's modules, measured in the parent.

    python bench/walk_grade.py [STUDENT_FOLDER]

Grades one student (default: examples/class/alice) into a temporary folder under a profiler
that notes every call from one kerasgrade module into another, in the parent process (the
zygote, judge and children are other processes). It prints the modules in the order the run
first enters them, how many times the run crosses from one module into another, and how many
of those crossings climb: a module calling one of a higher layer (the layers of
pyproject.toml's import rules). The import rules let no module import one above it, so a climb can
only be a callback a caller handed down (``on_result``, ``progress``, ``announce``): the script
names each one.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def layer_of(module: str, layers: list[list[str]]) -> int | None:
    top = module.split(".")[1] if module.count(".") else ""
    for i, layer in enumerate(layers):
        if top in layer:
            return i
    return None


def main() -> int:
    student = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "examples" / "class" / "alice")
    rules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = [[m.strip() for m in part.replace(":", "|").split("|")]
              for part in next(c for c in rules if c["type"] == "layers")["layers"]]
    work = Path(tempfile.mkdtemp(prefix="kerasgrade-walk-"))
    shutil.copytree(student, work / "class" / student.name)

    from kerasgrade.cli import main as cli_main

    first: list[str] = []
    crossings: Counter = Counter()
    climbs: Counter = Counter()

    def profile(frame, event, arg):
        if event != "call":
            return
        callee = frame.f_globals.get("__name__", "")
        caller_frame = frame.f_back
        caller = caller_frame.f_globals.get("__name__", "") if caller_frame else ""
        if not callee.startswith("kerasgrade") or callee == caller or frame.f_code.co_name == "<module>":
            return  # not ours, within one module, or a module's own code running as it is imported
        if callee not in first:
            first.append(callee)
        if not caller.startswith("kerasgrade"):
            return
        crossings[(caller, callee)] += 1
        a, b = layer_of(caller, layers), layer_of(callee, layers)
        if a is not None and b is not None and b < a:
            climbs[(caller, callee, frame.f_code.co_qualname)] += 1

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        status = cli_main(["--course", str(ROOT), "grade", str(work / "class"), "--out", str(work / "out"),
                           "--jobs", "1", "--quiet"])
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    print(f"\nexit status {status}; {sum(1 for _ in (work / 'out' / 'results').rglob('*.json'))} results")
    print("\nmodules, in the order the run first enters them:")
    for m in first:
        print("  ", m)
    print(f"\n{len(crossings)} distinct caller → callee pairs between modules, "
          f"{sum(crossings.values())} calls across them; {len(first)} modules entered")
    print(f"climbs (a module calling one of a higher layer; each a callback handed down): "
          f"{sum(climbs.values())}")
    for (a, b, fn), n in climbs.most_common():
        print(f"   {a} → {b}.{fn}: {n}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
