"""The terminal, drawn with rich: tables, colours and the progress bar.

On a terminal, rich colours what it prints (not when ``NO_COLOR`` is set: rich
honours it) and lays a learner's checks out to the terminal's width. A table
(the gradebook, ``validate``'s) keeps its natural width everywhere, so no cell is
ever cut; anywhere else than a terminal (a file, a pipe, a CI log) it is plain
text with no colour and no trailing blanks, to read, diff and grep. The progress
bar is drawn only on a terminal.
"""
from __future__ import annotations

import io
import sys
from collections.abc import Sequence

from rich.console import Console, Group
from rich.measure import Measurement
from rich.padding import Padding
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from kerasgrade.reports.check_view import CheckView, check_lines, check_view
from kerasgrade.reports.gradebook_files import gradebook_rows
from kerasgrade.result import GRADED, MISSING, ExerciseResult, Gradebook
from kerasgrade.sanitize import sanitize

__all__ = ["console", "grid", "print_renderable", "ProgressBar", "check_renderable", "print_check",
           "print_gradebook"]

Cell = str | Text


def console(stream=None) -> Console:
    """A console writing to ``stream`` (default stdout) that never reads markup or emoji codes
    in what it prints: a learner's message ``[x]`` or ``:smile:`` is shown as written."""
    return Console(file=stream or sys.stdout, markup=False, emoji=False, highlight=False)


def grid(header: Sequence[Cell] | None, rows: Sequence[Sequence[Cell]], *, justify: Sequence[str] = ()) -> Table:
    """A table without borders, two blanks between columns (the header in bold on a terminal)."""
    table = Table(box=None, padding=(0, 2, 0, 0), pad_edge=False, show_header=header is not None,
                  header_style="bold", show_edge=False)
    width = len(header) if header is not None else max((len(r) for r in rows), default=0)
    for i in range(width):
        table.add_column(_text(header[i]) if header is not None else None,
                         justify=justify[i] if i < len(justify) else "left")
    for r in rows:
        table.add_row(*(_text(c) for c in r))
    return table


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(str(cell))


def print_renderable(renderable, stream=None) -> None:
    """Print a table at its natural width: never cut or folded to fit (a terminal narrower than
    it wraps its lines); on a terminal in colour, elsewhere as plain text without trailing blanks."""
    out = console(stream)
    width = max(1, Measurement.get(out, out.options.update_width(100_000), renderable).maximum)
    if out.is_terminal:
        out.width = max(out.width, width)
        out.print(renderable)
        return
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, markup=False, emoji=False, highlight=False,
            force_terminal=False).print(renderable)
    out.file.write("".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines()))
    out.file.flush()


class ProgressBar:
    """A progress bar on stderr while work runs: done/total, failures, time left, the last item.

    Drawn only when stderr is a terminal (and not ``quiet``); elsewhere it prints nothing. What
    others print to stderr meanwhile (warnings) is shown above the bar.
    """

    def __init__(self, label: str, *, quiet: bool = False, stream=None):
        err = Console(file=stream or sys.stderr, markup=False, emoji=False, highlight=False)
        self.shown = err.is_terminal and not quiet
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"), TimeRemainingColumn(compact=True), TextColumn("left"),
            TextColumn("{task.fields[last]}", markup=False),
            console=err, disable=not self.shown, transient=False, redirect_stdout=False)
        self.label = label
        self._task = None

    def __enter__(self) -> "ProgressBar":
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def step(self, done: int, total: int, *, failed: int = 0, last: str = "") -> None:
        """``done`` of ``total`` items are finished, ``failed`` of them badly; ``last`` was the latest."""
        if self._task is None:
            self._task = self._progress.add_task(self.label, total=total, failed=0, last="")
        self._progress.update(self._task, completed=done, total=total, failed=failed, last=last)


def check_renderable(view: CheckView):
    """``check_view`` for rich: the checks as a table (the lesson under each title), in colour."""
    table = Table.grid(padding=(0, 2, 0, 0), pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    for c in view.checks:
        mark = Text("PASS", style="green") if c.passed else Text("FAIL", style="bold red")
        lines = [Text(c.title), *(Text(text, style=style) for text, style in c.details)]
        table.add_row(mark, Group(*lines), Text(c.points))
    return Group(*(Text(text, style=style) for text, style in view.head), Padding(table, (0, 0, 0, 2), expand=False),
                 *(Text(text, style=style) for text, style in view.tail))


def print_check(result: ExerciseResult, hidden_count: int = 0, stream=None, pictures=None) -> None:
    """The learner's view of one exercise: laid out by rich on a terminal, else the feedback's text."""
    result = sanitize(result)
    out = console(stream)
    if out.is_terminal:
        out.print(check_renderable(check_view(result, hidden_count=hidden_count, pictures=pictures)))
    else:
        out.file.write("\n".join(check_lines(result, hidden_count=hidden_count, pictures=pictures)) + "\n")


def print_gradebook(book: Gradebook, stream=None) -> None:
    """The gradebook as a table: a row per student, a cell per exercise (its status if not
    graded), the total in %, and the late columns when there are any."""
    header, *rows = gradebook_rows(book)
    n = len(book.exercises)
    styled = []
    for s, row in zip(book.students, rows):
        cells = [Text(row[0])]
        for ex, score in zip(book.exercises, row[1:1 + n]):
            r = book.get(s, ex)
            if r is None or r.status == GRADED:
                cells.append(Text(score))
            else:
                cells.append(Text(f"{score} ({r.status})", style="dim" if r.status == MISSING else "red"))
        total = row[1 + n]
        cells.append(Text(total if total.startswith("ERROR") else f"{total} %", style="bold"))
        if len(row) > n + 2:  # late, adjusted total
            cells += [Text(row[n + 2]), Text(f"{row[n + 3]} %" if row[n + 3] else "", style="bold")]
        styled.append(cells)
    print_renderable(grid(header, styled), stream)
