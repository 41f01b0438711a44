"""The mutation report: a terminal table (rich), JSON for CI, an HTML section (Jinja2).

All three are functions of ``mutate.Run`` (through ``as_dict``, the one plain form), so
they say the same: per exercise the mutants' verdicts and the mutation score, per check
how many mutants it kills, and each survivor as a diff against the reference.
"""
from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from kerasgrade.mutation.mutate import KILLED, STATUSES, SURVIVOR, Run

__all__ = ["as_dict", "print_report", "html_section", "write_outputs"]

FORMAT = 1
SHOWN = (SURVIVOR, "equivalent", "accepted", "not graded")  # the verdicts shown with their diff


def as_dict(run: Run) -> dict:
    """The run as plain data (what ``OUT/mutation.json`` holds)."""
    exercises = []
    for v in run.exercises:
        kills = v.kills()
        exercises.append({
            "exercise": v.exercise,
            "score": v.score,
            "reference_problem": v.reference_problem,
            "counts": {s: v.count(s) for s in STATUSES},
            "checks": [{"name": c["name"], "title": c["title"], "hidden": bool(c.get("hidden")),
                        "kills": kills.get(c["name"], (0, 0))[0], "only": kills.get(c["name"], (0, 0))[1]}
                       for c in v.checks],
            "mutants": [{"id": o.id, "operator": o.operator, "description": o.description, "hash": o.hash,
                         "status": o.status, "failed": list(o.failed), "differs": list(o.differs),
                         "reason": o.reason, "score": o.score, "max_score": o.max_score,
                         "diff": o.diff if o.status in SHOWN else ""}
                        for o in v.outcomes],
            "stale": list(v.stale),
        })
    return {"format": FORMAT, "graded": run.graded, "seconds": round(run.seconds, 1),
            "mutants_per_minute": round(run.per_minute, 1) if run.per_minute else None,
            "exercises": exercises}


def _score(score) -> str:
    """A mutation score as the fraction and the percentage of mutants killed: ``0.50 (50%)``."""
    return f"{score:.2f} ({score:.0%})" if score is not None else "-"


def print_report(run: Run, console: Console | None = None, *, checks: bool = True) -> None:
    if console is None:
        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=120)  # a CI log: no terminal to fit
    data = as_dict(run)
    summary = Table(title="Mutation score per exercise", title_justify="left")
    for col in ("exercise", "mutants", "killed", "survivors", "equivalent", "accepted", "not graded", "score"):
        summary.add_column(col, justify="left" if col == "exercise" else "right")
    for ex in data["exercises"]:
        n = ex["counts"]
        summary.add_row(ex["exercise"], str(len(ex["mutants"])), str(n[KILLED]),
                        f"[bold red]{n[SURVIVOR]}[/]" if n[SURVIVOR] else "0", str(n["equivalent"]),
                        str(n["accepted"]), str(n["not graded"]), _score(ex["score"]))
    console.print(summary)
    if data["mutants_per_minute"]:
        console.print(f"{data['graded']} mutant(s) graded in {data['seconds']:.0f} s "
                      f"({data['mutants_per_minute']:.1f} per minute).")
    for ex in data["exercises"]:
        if ex["reference_problem"]:
            console.print(Text(f"{ex['exercise']}: {ex['reference_problem']}", style="bold red"))
        if checks:
            table = Table(title=f"{ex['exercise']}: mutants killed per check", title_justify="left")
            table.add_column("check")
            table.add_column("kills", justify="right")
            table.add_column("only killer of", justify="right")
            for c in ex["checks"]:
                style = "red" if not c["kills"] else None
                table.add_row(c["name"] + (" (hidden)" if c["hidden"] else ""), str(c["kills"]), str(c["only"]),
                              style=style)
            console.print(table)
        for m in ex["mutants"]:
            if m["status"] == KILLED:
                continue
            lines = [f"{m['description']}  (operator {m['operator']})"]
            if m["differs"]:
                lines.append("saw another output and passed: " + ", ".join(m["differs"]))
            if m["reason"]:
                lines.append(m["reason"])
            color = "red" if m["status"] == SURVIVOR else "yellow"
            console.print(Panel(Group(*map(Text, lines), Syntax(m["diff"], "diff", word_wrap=True)),
                                title=f"[{color}]{m['status']}[/] {ex['exercise']} {escape(m['id'])}",
                                title_align="left", border_style=color))
        for s in ex["stale"]:
            console.print(Text(f"{ex['exercise']}: {s}: take it off the list of judged mutants", style="red"))


def _environment() -> Environment:
    return Environment(loader=PackageLoader("kerasgrade.mutation", "templates"), autoescape=True,
                       trim_blocks=False, lstrip_blocks=False)


def html_section(run: Run | dict) -> str:
    """The mutation report as an HTML fragment (``<section class="kg-mutation">``), for report.html:
    of a run, or of what ``OUT/mutation.json`` holds (``as_dict``), read back."""
    data = as_dict(run) if isinstance(run, Run) else run
    return _environment().get_template("section.html.j2").render(**data)


def write_outputs(run: Run, out: str | Path, *, title: str) -> list[Path]:
    """``OUT/mutation.json`` and a standalone ``OUT/mutation.html``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "mutation.json").write_text(json.dumps(as_dict(run), indent=1), encoding="utf-8")
    page = _environment().get_template("page.html.j2").render(title=title, section=Markup(html_section(run)))
    (out / "mutation.html").write_text(page, encoding="utf-8")
    return [out / "mutation.json", out / "mutation.html"]
