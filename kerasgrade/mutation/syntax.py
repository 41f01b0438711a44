"""Reading and rebuilding a libcst tree of subclassed Keras code, for the mutation operators.

``Context`` is one parsed file and what the operators ask of it (its classes, the layers each
binds, the calls of those layers, the scope and label of a site); the small functions read
names and calls in any spelling (``tf.keras``, ``keras``, imported names) and build the
changed nodes. Nothing here knows a mistake: that is ``operators``.
"""
from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider

NOT_LAYERS = ("metrics", "optimizers", "losses", "initializers", "regularizers", "constraints",
              "callbacks", "activations")
NOT_FORWARD = {"__init__", "build", "get_config", "from_config", "metrics", "compute_output_shape"}


# -- reading the tree ------------------------------------------------------------------------

def dotted(node) -> str | None:
    """``tf.keras.layers.Dense`` for that Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def last(name: str | None) -> str:
    return (name or "").rsplit(".", 1)[-1]


def is_self_attr(node, attr: str | None = None) -> bool:
    return (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
            and node.value.value == "self" and (attr is None or node.attr.value == attr))


def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a
    return None


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def string_value(node) -> str | None:
    if isinstance(node, cst.SimpleString):
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    return None


def methods(cls: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    return {s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)}


def statements(fn: cst.FunctionDef) -> list:
    return list(fn.body.body) if isinstance(fn.body, cst.IndentedBlock) else []


def self_target(stmt) -> str | None:
    """``x`` for a statement ``self.x = ...`` (or ``self.x: T = ...``)."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and is_self_attr(small.targets[0].target):
            return small.targets[0].target.attr.value
        if isinstance(small, cst.AnnAssign) and is_self_attr(small.target) and small.value is not None:
            return small.target.attr.value
    return None


def assigned_value(stmt):
    small = stmt.body[0]
    return small.value


def is_parent_init(stmt) -> bool:
    """``super().__init__(...)``, ``super(Cls, self).__init__(...)`` or ``Base.__init__(self, ...)``."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, cst.Call)):
        return False
    func = stmt.body[0].value.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "__init__"):
        return False
    owner = func.value
    if isinstance(owner, cst.Call) and dotted(owner.func) == "super":
        return True
    args = positional(stmt.body[0].value)
    return dotted(owner) is not None and bool(args) and dotted(args[0].value) == "self"


def is_docstring(stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


class _Names(cst.CSTVisitor):
    """The names an expression reads, without attribute names, keywords and comprehension targets."""

    def __init__(self):
        self.loaded: set[str] = set()
        self.bound: set[str] = set()

    def visit_Name(self, node):
        self.loaded.add(node.value)

    def visit_Attribute(self, node):
        node.value.visit(self)
        return False

    def visit_Arg(self, node):
        node.value.visit(self)
        return False

    def visit_CompFor(self, node):
        inner = _Names()
        node.target.visit(inner)
        self.bound |= inner.loaded


def free_names(node) -> set[str]:
    v = _Names()
    node.visit(v)
    return v.loaded - v.bound


class _Rename(cst.CSTTransformer):
    """Replace free names by expressions (``units`` -> ``self.units``)."""

    def __init__(self, mapping: dict[str, cst.BaseExpression]):
        self.mapping = mapping

    def visit_Attribute(self, node):
        return False

    def leave_Attribute(self, original, updated):
        return updated.with_changes(value=updated.value.visit(self))

    def visit_Arg(self, node):
        return False

    def leave_Arg(self, original, updated):
        return updated.with_changes(value=updated.value.visit(self))

    def leave_Name(self, original, updated):
        return self.mapping.get(updated.value, updated)


def rename(node, mapping: dict[str, cst.BaseExpression]):
    return node.visit(_Rename(mapping)) if mapping else node


class Context:
    """One parsed source and what the operators ask of it."""

    def __init__(self, source: str):
        self.module = cst.parse_module(source)
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.everything = list(self._walk(self.module))
        self.classes = [n for n in self.everything if isinstance(n, cst.ClassDef)]
        self.class_names = {c.name.value for c in self.classes}
        self.imported = self._imported()

    def _walk(self, node):
        yield node
        for child in node.children:
            yield from self._walk(child)

    def nodes(self, root=None, kind=None):
        found = self.everything if root is None else self._walk(root)
        return [n for n in found if kind is None or isinstance(n, kind)]

    def _imported(self) -> dict[str, str]:
        """Local name -> what it is (``tf`` -> ``tensorflow``, ``Dense`` -> ``keras.layers.Dense``)."""
        found = {}
        for node in self.nodes(kind=(cst.Import, cst.ImportFrom)):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = dotted(alias.name)
                    local = dotted(alias.asname.name) if alias.asname else full.split(".")[0]
                    found[local] = full if alias.asname else local
            elif not isinstance(node.names, cst.ImportStar) and node.module is not None:
                mod = dotted(node.module) or ""
                for alias in node.names:
                    name = dotted(alias.name)
                    found[dotted(alias.asname.name) if alias.asname else name] = f"{mod}.{name}"
        return found

    def keras_root(self) -> str | None:
        """How this file spells the keras namespace: ``keras``, ``tf.keras`` or None."""
        for local, full in self.imported.items():
            if full == "keras":
                return local
        for local, full in self.imported.items():
            if full == "tensorflow":
                return f"{local}.keras"
        for local, full in self.imported.items():
            if full in ("tensorflow.keras", "tf.keras"):
                return local
        return None

    def resolved(self, name: str | None) -> str:
        """The dotted name with its first part resolved through the imports."""
        if not name:
            return ""
        head, _, rest = name.partition(".")
        full = self.imported.get(head, head)
        return f"{full}.{rest}" if rest else full

    def is_layer_creation(self, node) -> bool:
        """A call that makes a Keras layer (or a list of them): ``Dense(...)``, ``layers.LSTM(...)``,
        ``keras.Sequential([...])``, a layer class of this file, ``[Dense(s) for s in sizes]``."""
        if isinstance(node, (cst.List, cst.Tuple)):
            return bool(node.elements) and all(self.is_layer_creation(e.value) for e in node.elements)
        if isinstance(node, cst.ListComp):
            return self.is_layer_creation(node.elt)
        if not isinstance(node, cst.Call):
            return False
        name = dotted(node.func)
        if not name or not last(name)[:1].isupper():
            return False
        if last(name) in self.class_names:
            return True
        full = self.resolved(name)
        parts = full.split(".")
        if any(p in NOT_LAYERS for p in parts):
            return False
        return "layers" in parts or "keras" in parts or parts[0] in ("keras", "tensorflow", "tf")

    def enclosing(self, node, kind):
        while node is not None:
            node = self.parents.get(node)
            if isinstance(node, kind):
                return node
        return None

    def scope(self, node) -> str:
        names = []
        while node is not None:
            if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
                names.append(node.name.value)
            node = self.parents.get(node)
        return ".".join(reversed(names)) or "<module>"

    def statement_of(self, node):
        """The statement line (or compound statement) directly in a function body holding ``node``."""
        while node is not None:
            parent = self.parents.get(node)
            if isinstance(parent, cst.IndentedBlock):
                return node
            node = parent
        return None

    def label(self, node) -> str:
        """What a site is about, for its id: the attribute it binds, else the callee."""
        stmt = self.statement_of(node)
        if stmt is not None and self_target(stmt):
            return f"self.{self_target(stmt)}"
        if isinstance(node, cst.Call) and dotted(node.func):
            return dotted(node.func)
        return type(node).__name__

    def layer_attrs(self, cls: cst.ClassDef) -> dict[str, tuple]:
        """``x`` -> (statement, value) for each ``self.x = <a layer>`` in ``cls.__init__``."""
        init = methods(cls).get("__init__")
        out = {}
        for stmt in statements(init) if init else []:
            name = self_target(stmt)
            if name and self.is_layer_creation(assigned_value(stmt)):
                out[name] = (stmt, assigned_value(stmt))
        return out

    def forward_methods(self, cls: cst.ClassDef) -> list[cst.FunctionDef]:
        return [fn for name, fn in methods(cls).items() if name not in NOT_FORWARD]

    def replace(self, old, new) -> str:
        return self.module.deep_replace(old, new).code

    def remove(self, old) -> str:
        block = self.parents.get(old)
        if isinstance(block, cst.IndentedBlock) and len(block.body) == 1:
            return self.replace(old, cst.SimpleStatementLine([cst.Pass()]))
        return self.module.deep_remove(old).code


def expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.SimpleString,
         cst.List, cst.Tuple, cst.Dict)


def operand(node):
    """``node`` ready to stand where a call stood: in parentheses unless it is atomic
    (``tf.abs(a - b) * 2`` loses its abs as ``(a - b) * 2``, not ``a - b * 2``)."""
    if isinstance(node, ATOMS) or node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def with_args(call: cst.Call, args: list[cst.Arg]) -> cst.Call:
    if args and call.args and args[-1] is not call.args[-1]:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


def add_kwarg(call: cst.Call, name: str, value: str) -> cst.Call:
    args = list(call.args)
    if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(expr(value), keyword=cst.Name(name),
                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    return call.with_changes(args=args)


def without_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    return with_args(call, [a for a in call.args if a is not arg])


def renamed_last(func, new: str):
    if isinstance(func, cst.Name):
        return func.with_changes(value=new)
    return func.with_changes(attr=cst.Name(new))


def insert_body(fn: cst.FunctionDef, stmts: list, at_end: bool = False) -> cst.FunctionDef:
    body = statements(fn)
    if at_end:
        new = body + stmts
    else:
        skip = 1 if body and is_docstring(body[0]) else 0
        new = body[:skip] + stmts + body[skip:]
    return fn.with_changes(body=fn.body.with_changes(body=new))


def with_class_body(cls: cst.ClassDef, replace: dict, extra: list | None = None) -> cst.ClassDef:
    body = [replace.get(id(s), s) for s in cls.body.body]
    return cls.with_changes(body=cls.body.with_changes(body=body + (extra or [])))


def simple(code: str):
    return cst.parse_statement(code)
