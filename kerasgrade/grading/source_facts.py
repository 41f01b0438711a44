"""Facts the judge reads from the submission's source text itself, never by running it.

``Source`` parses the learner's code with ``ast`` once and answers questions about its
classes: is there a class of this name (and which names are close), what are its bases
and do they resolve to a Keras class (through the file's own imports), what does its
``__init__`` do first. Decorators (``@tf.function``, a registration) and docstrings
change none of the answers.
"""
from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

# Where a Keras class may be imported from, in the spellings learners use.
KERAS_MODULES = ("keras", "tensorflow.keras", "tf.keras", "keras.models", "tensorflow.keras.models",
                 "tf.keras.models", "keras.layers", "tensorflow.keras.layers", "tf.keras.layers",
                 "keras.src.models", "keras.src.layers", "keras.src.models.model", "keras.src.layers.layer")


@dataclass(frozen=True)
class SuperCall:
    """How ``__init__`` begins: ``first`` is True when the parent constructor comes before any
    use of ``self``; ``line`` is the line (of the method) where ``self`` was used first."""
    found: bool
    first: bool
    line: int = 0


class Source:
    def __init__(self, code: str):
        self.code = code
        try:
            self.tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.tree = None
        self.aliases = self._aliases()
        self._inherits: dict[tuple[str, str], bool | None] = {}
        self._method_lines: dict[str, dict[str, set[int]]] = {}
        self._methods: dict[tuple[str, str], ast.FunctionDef | ast.AsyncFunctionDef | None] = {}
        self._classes = {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)} if self.tree else {}

    # -- imports ------------------------------------------------------------------------

    def _aliases(self) -> dict[str, str]:
        """Local name → dotted path, from the file's imports (``tf`` → ``tensorflow``) and its
        module-level aliases (``Model = tf.keras.models.Model``, a name bound only there)."""
        found = {}
        for node in ast.walk(self.tree) if self.tree else ():
            if isinstance(node, ast.Import):
                for a in node.names:
                    found[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    found[a.asname or a.name] = f"{node.module}.{a.name}"
        self.aliases = found
        bindings = _binding_counts(self.tree) if self.tree else {}
        for stmt in self.tree.body if self.tree else ():
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, (ast.Name, ast.Attribute))
                    and bindings.get(stmt.targets[0].id) == 1 and stmt.targets[0].id not in found):
                path = self.dotted(stmt.value)
                if path:
                    found[stmt.targets[0].id] = path
        return found

    def dotted(self, node: ast.AST) -> str:
        """``tf.keras.Model`` for that expression, with the file's import aliases resolved."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return ""
        head = self.aliases.get(node.id, node.id)
        return ".".join([head, *reversed(parts)]).replace("tensorflow.keras", "keras").replace("tf.keras", "keras")

    # -- classes ------------------------------------------------------------------------

    def classes(self) -> dict[str, ast.ClassDef]:
        """The classes the file defines at its top level (a class under ``if False:`` or inside a
        function is not the one the module's name refers to)."""
        return self._classes

    def rebound(self, name: str) -> int:
        """The line where the module binds ``name`` again after its class statement (0: never)."""
        node = self.class_def(name)
        if node is None:
            return 0
        for stmt in self.tree.body:
            if stmt.lineno <= node.lineno:
                continue
            targets = [t for s in ast.walk(stmt) if isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                       for t in (s.targets if isinstance(s, ast.Assign) else [s.target])]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets) or (
                    isinstance(stmt, (ast.ClassDef, ast.FunctionDef)) and stmt.name == name):
                return stmt.lineno
            if any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == name
                   for t in targets):
                return stmt.lineno
        return 0

    def class_def(self, name: str) -> ast.ClassDef | None:
        return self.classes().get(name)

    def close_names(self, name: str) -> list[str]:
        return difflib.get_close_matches(name, list(self.classes()), n=3, cutoff=0.6)

    def resolves_to(self, name: str, keras_class: str) -> bool:
        """Whether class ``name`` of this file derives from ``keras_class`` (``Model``, ``Layer``)
        by its class statements: directly, or through classes of this same file."""
        return self.inherits(name, keras_class) is True

    def inherits(self, name: str, keras_class: str, _seen: frozenset = frozenset()) -> bool | None:
        """``resolves_to``, or None where the source cannot tell: a base that is neither
        imported, nor a class of the file, nor a builtin (a base made by a call, a name bound
        in a way the file's text does not settle). False only when every base is known.
        Each class is answered once (a lattice of diamonds costs its size, not its paths)."""
        node = self.class_def(name)
        if node is None or name in _seen:
            return False
        if (name, keras_class) in self._inherits:
            return self._inherits[name, keras_class]
        found = self._inherits[name, keras_class] = self._inherits_by_bases(node, keras_class, _seen | {name})
        return found

    def _inherits_by_bases(self, node: ast.ClassDef, keras_class: str, seen: frozenset) -> bool | None:
        unknown = False
        for base in node.bases:
            path = self.dotted(base)
            last = path.rsplit(".", 1)[-1]
            if last == keras_class and "." in path and (path.rsplit(".", 1)[0] in KERAS_MODULES
                                                        or path.startswith("keras.")):
                return True
            if path == last and path in self.classes():
                inherited = self.inherits(path, keras_class, seen)
                if inherited is True:
                    return True
                unknown |= inherited is None
            elif path not in _BUILTIN_BASES and path.split(".")[0] not in self._imported_roots():
                unknown = True
        return None if unknown else False

    def _imported_roots(self) -> set[str]:
        """The packages the file's names come from, spelled as ``dotted`` spells them
        (``tf.keras.layers.Dense`` is ``keras.layers.Dense``: known, and not a Model)."""
        roots = {path.split(".")[0] for path in self.aliases.values()}
        return roots | {"keras"} if "tensorflow" in roots else roots

    def method_lines(self, class_name: str, _seen: frozenset = frozenset()) -> dict[str, set[int]]:
        """The methods class ``class_name`` has by the file's class statements (its own and
        same-file bases'), each with the lines its code may start at (``def`` or a decorator).
        Each class is read once, and a cycle of class statements ends where it closes."""
        if class_name in self._method_lines:
            return self._method_lines[class_name]
        lines: dict[str, set[int]] = {}
        node = self.class_def(class_name)
        for item in node.body if node is not None else ():
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines[item.name] = {item.lineno, *(d.lineno for d in item.decorator_list)}  # the last def
        for base in node.bases if node is not None else ():
            path = self.dotted(base)
            if path in self.classes() and path not in _seen | {class_name}:
                for method, at in self.method_lines(path, _seen | {class_name}).items():
                    lines.setdefault(method, at)
        self._method_lines[class_name] = lines
        return lines

    def method(self, class_name: str, method: str, _seen: frozenset = frozenset()):
        """The ``def method`` that class ``class_name`` uses: its own, or a same-file base's."""
        node = self.class_def(class_name)
        if node is None or class_name in _seen:
            return None
        if (class_name, method) in self._methods:
            return self._methods[class_name, method]
        found = None
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method:
                found = item  # the last def of a name is the one the class keeps
        for base in node.bases if found is None else ():
            path = self.dotted(base)
            if path in self.classes():
                found = self.method(path, method, _seen | {class_name})
                if found is not None:
                    break
        self._methods[class_name, method] = found
        return found

    def super_call(self, class_name: str) -> SuperCall:
        """Whether ``__init__`` calls the parent constructor before it touches ``self``."""
        init = self.method(class_name, "__init__")
        if init is None:
            return SuperCall(found=False, first=False)
        body = list(init.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        for stmt in body:
            call = _parent_init(stmt)
            if call is not None:
                return SuperCall(True, True, stmt.lineno - init.lineno + 1)
            if any(isinstance(n, ast.Name) and n.id == "self" for n in ast.walk(stmt)):
                late = next((s for s in body if _parent_init(s) is not None), None)
                return SuperCall(late is not None, False, stmt.lineno - init.lineno + 1)
        return SuperCall(False, False)


_BUILTIN_BASES = frozenset({"object", "int", "float", "str", "dict", "list", "tuple", "set", "Exception"})


def _binding_counts(tree: ast.AST) -> dict[str, int]:
    """How many times each name is bound anywhere in the file (assignments, loops, imports,
    ``def``, ``class``, ``global``): an alias is believed only when bound once."""
    counts: dict[str, int] = {}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names = [node.id]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.asname or a.name.split(".")[0] for a in node.names]
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names = list(node.names) * 2  # bound from inside a function: never an alias
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    return counts


def _parent_init(stmt: ast.stmt) -> ast.Call | None:
    """The call of ``super().__init__(...)``, ``super(Cls, self).__init__(...)`` or
    ``Base.__init__(self, ...)`` that ``stmt`` is, if it is one."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return None
    call = stmt.value
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "__init__"):
        return None
    target = func.value
    if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "super":
        return call
    if isinstance(target, (ast.Name, ast.Attribute)) and call.args and isinstance(call.args[0], ast.Name) \
            and call.args[0].id == "self":
        return call
    return None
