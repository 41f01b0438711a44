"""The notebook's answer cell: the stub's code, with the solution between nbgrader's markers.

A learner should see in the notebook what they see in ``exercises/<ex>.py``:
the imports, the class statements, the signatures, the docstrings and the
``# TODO`` comments. So the answer cell is the stub's code (without its module
docstring, which becomes the lesson), where each function body that differs
from the solution's is replaced by the solution's body between
``### BEGIN SOLUTION`` / ``### END SOLUTION``. ``nbgrader generate_assignment``
replaces each such region by its ``code_stub`` (``# YOUR CODE HERE`` /
``raise NotImplementedError()``), so the released cell imports cleanly and
scores 0, like the stub, and the source cell is the solution.

Statements the stub and the solution share (the longest common prefix of a
body) stay visible; imports the solution needs and the stub lacks are added
(they give nothing away). A top-level class or function whose header differs
(e.g. the stub leaves a decorator as a TODO: no ``raise`` can stand in for a
decorator) becomes one solution region as a whole, and its stub is shown in
``Answer.outline``. Anything else that cannot be aligned (a method or helper
the stub does not declare) makes the whole cell one solution region, with the
reason: fix the stub to keep the learner's view.
"""
from __future__ import annotations

import ast
import copy
import textwrap
from dataclasses import dataclass

__all__ = ["BEGIN", "END", "MergeError", "Answer", "merge", "whole_solution", "strip_docstring"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


class MergeError(ValueError):
    """The stub and the solution cannot be aligned; the message says where and how to fix it."""


@dataclass(frozen=True)
class Answer:
    source: str       # the cell's code, solution regions included
    merged: bool      # False: the whole cell is one solution region (see ``reason``)
    reason: str = ""  # why something is replaced whole, for the author
    outline: str = ""  # the stub's code of what is replaced whole, for the learner


def _docstring_node(body: list[ast.stmt]) -> ast.stmt | None:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0]
    return None


def _body(node) -> list[ast.stmt]:
    """A body without its docstring."""
    return node.body[1:] if _docstring_node(node.body) else list(node.body)


def _norm(node: ast.AST) -> str:
    """The AST without positions and docstrings: equal code compares equal."""
    node = copy.deepcopy(node)
    for n in ast.walk(node):
        if isinstance(n, (*_DEFS, ast.Module)) and _docstring_node(n.body):
            n.body = n.body[1:] or [ast.Pass()]
    return ast.dump(node, include_attributes=False)


def _is_main_block(stmt: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (a demo; never run by the grader)."""
    t = stmt.test if isinstance(stmt, ast.If) else None
    return isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__"


def _raises_todo(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False


def strip_docstring(code: str) -> tuple[str, str]:
    """(the module docstring, the code without it and the blank lines after it)."""
    tree = ast.parse(code)
    doc = _docstring_node(tree.body)
    if doc is None:
        return "", code
    lines = code.splitlines(True)
    rest = lines[doc.end_lineno:]
    while rest and not rest[0].strip():
        rest.pop(0)
    return ast.get_docstring(tree) or "", "".join(rest)


class _Merger:
    def __init__(self, stub: str, solution: str):
        self.stub_lines = stub.splitlines(True)
        self.sol_lines = solution.splitlines(True)
        self.stub = ast.parse(stub)
        self.sol = ast.parse(solution)
        self.edits: list[tuple[int, int, list[str]]] = []  # (first line, last line, new lines), 1-based
        self.whole: list[tuple[str, str]] = []  # (why, the stub's code) of definitions replaced whole

    # -- bodies ---------------------------------------------------------------------------
    def _solution_block(self, stmts: list[ast.stmt], indent: int) -> list[str]:
        first = stmts[0].lineno
        while first > 1 and self.sol_lines[first - 2].strip().startswith("#"):
            first -= 1  # the solution's comments just above its first statement
        block = "".join(self.sol_lines[first - 1: stmts[-1].end_lineno])
        if stmts[0].col_offset != indent:
            block = textwrap.indent(textwrap.dedent(block), " " * indent, lambda s: s.strip() != "")
        if not block.endswith("\n"):
            block += "\n"
        pad = " " * indent
        return [f"{pad}{BEGIN}\n", *block.splitlines(True), f"{pad}{END}\n"]

    def body(self, s_fn, p_fn, where: str) -> None:
        """Replace what differs in ``s_fn``'s body by ``p_fn``'s, between the markers."""
        s_body, p_body = _body(s_fn), _body(p_fn)
        k = 0
        while k < min(len(s_body), len(p_body)) and _norm(s_body[k]) == _norm(p_body[k]):
            k += 1
        if k == len(s_body) == len(p_body):
            return
        if k == len(p_body):
            raise MergeError(f"{where}: the stub's body has statements after the solution's ends; "
                             "a stub's body should be the solution's first statements (if any), "
                             "then TODO comments and `raise NotImplementedError(...)`")
        if k < len(s_body):
            indent = s_body[k].col_offset
            start, end = s_body[k].lineno, s_body[-1].end_lineno
        else:  # the stub's body is the solution's beginning: add the rest after it
            last = s_body[-1] if s_body else s_fn.body[-1]
            indent = p_body[k].col_offset if not s_body else s_body[-1].col_offset
            start, end = last.end_lineno + 1, last.end_lineno
        self.edits.append((start, end, self._solution_block(p_body[k:], indent)))

    def _same_header(self, s, p, where: str) -> None:
        fields = ("decorator_list", "args", "bases", "keywords", "returns")
        for f in fields:
            if hasattr(s, f) and _norm_list(getattr(s, f)) != _norm_list(getattr(p, f)):
                raise MergeError(f"{where}: the stub's and the solution's `{f}` differ; "
                                 "keep the solution's header (decorators, arguments, bases) in the stub")

    def replace_whole(self, s, p, why: str) -> None:
        """A top-level definition: the solution's, all of it, as one solution region."""
        s_first, p_first = _first_line(s), _first_line(p)
        block = "".join(self.sol_lines[p_first - 1: p.end_lineno]).rstrip("\n") + "\n"
        self.edits.append((s_first, s.end_lineno, [f"{BEGIN}\n", *block.splitlines(True), f"{END}\n"]))
        self.whole.append((why, "".join(self.stub_lines[s_first - 1: s.end_lineno]).rstrip("\n")))

    def definitions(self, s_items: list[ast.stmt], p_items: list[ast.stmt], where: str,
                    top_level: bool) -> None:
        """Align two bodies made of definitions (and, at the top level, imports)."""
        s_defs = _by_name(s for s in s_items if isinstance(s, _DEFS))
        p_defs = _by_name(p for p in p_items if isinstance(p, _DEFS))
        for key, p in p_defs.items():
            name = f"{where}{p.name}"
            s = s_defs.get(key)
            if s is None:
                raise MergeError(f"{name}: the solution defines it, the stub does not; declare it in "
                                 "the stub (signature, docstring, `raise NotImplementedError`)")
            if type(s) is not type(p):
                raise MergeError(f"{name}: a class in one file, a function in the other")
            try:
                self._same_header(s, p, name)
            except MergeError as e:
                if not top_level:
                    raise
                self.replace_whole(s, p, str(e))
                continue
            if isinstance(p, ast.ClassDef):
                self.definitions(_body(s), _body(p), f"{name}.", top_level=False)
            else:
                self.body(s, p, name)
        for key, s in s_defs.items():
            if key not in p_defs and _raises_todo(s):
                raise MergeError(f"{where}{s.name}: the stub declares it (with a TODO) but the "
                                 "solution does not define it")
        s_other = {_norm(s) for s in s_items if not isinstance(s, _DEFS)}
        missing_imports = []
        for p in p_items:
            if isinstance(p, _DEFS) or _norm(p) in s_other or (top_level and _is_main_block(p)):
                continue
            if top_level and isinstance(p, (ast.Import, ast.ImportFrom)):
                missing_imports.append(p)
                continue
            text = ast.unparse(p).splitlines()[0]
            raise MergeError(f"{where or 'the module'}: the solution's statement `{text}` is not in "
                             "the stub; put it in the stub, or inside a method")
        if missing_imports:
            after = max((s.end_lineno for s in s_items if isinstance(s, (ast.Import, ast.ImportFrom))),
                        default=0)
            lines = [ast.unparse(p) + "\n" for p in missing_imports]
            self.edits.append((after + 1, after, lines))

    def merged(self) -> str:
        self.definitions(_body(self.stub), _body(self.sol), "", top_level=True)
        lines = list(self.stub_lines)
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            lines[start - 1: end] = new
        return "".join(lines)


def _first_line(node) -> int:
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def _norm_list(nodes) -> list[str] | str:
    if nodes is None:
        return ""
    if isinstance(nodes, ast.AST):
        return _norm(nodes)
    return [_norm(n) for n in nodes]


def _by_name(nodes) -> dict[tuple[str, int], ast.stmt]:
    """Definitions keyed by (name, occurrence): a property's getter and setter share a name."""
    seen: dict[str, int] = {}
    out = {}
    for n in nodes:
        i = seen.get(n.name, 0)
        seen[n.name] = i + 1
        out[(n.name, i)] = n
    return out


def _check_equivalent(merged: str, solution: str) -> None:
    """With its solution regions kept, the cell defines what the solution defines."""
    got, want = ast.parse(merged), ast.parse(solution)

    def defs(tree, prefix=""):
        out = {}
        for n in _body(tree):
            if isinstance(n, _DEFS):
                out.setdefault(prefix + n.name, []).append(_norm(n))
                if isinstance(n, ast.ClassDef):
                    out.update(defs(n, f"{prefix}{n.name}."))
        return out

    have = defs(got)
    for name, versions in defs(want).items():
        if have.get(name) != versions:
            raise MergeError(f"{name}: after merging, it differs from the solution's (a bug of the "
                             "merge; the whole solution is used instead)")


def merge(stub: str, solution: str) -> Answer:
    """The answer cell for this stub and solution (module docstrings dropped)."""
    _, stub_code = strip_docstring(stub)
    _, sol_code = strip_docstring(solution)
    try:
        merger = _Merger(stub_code, sol_code)
        merged = merger.merged()
        _check_equivalent(merged, sol_code)
    except MergeError as e:
        return whole_solution(solution, str(e), stub_code)
    return Answer(merged.rstrip("\n"), True, "; ".join(why for why, _ in merger.whole),
                  "\n\n\n".join(code for _, code in merger.whole))


def whole_solution(solution: str, reason: str, outline: str = "") -> Answer:
    _, code = strip_docstring(solution)
    return Answer(f"{BEGIN}\n{code.rstrip()}\n{END}", False, reason, outline.rstrip())
