"""Keras-aware mutation operators: every single-mistake variant of a solution's source.

Each operator reads the syntax tree (libcst, so the rest of the file keeps its formatting),
finds every site where a learner could make its mistake, and yields one mutant per site
and variant: a stable id (``operator/Class.method:site``), a one-line description and the
changed source. Operators are written for subclassed Keras code in general (``tf.keras``,
``keras``, ``from keras import layers``, bare imported names, ``super(Cls, self)``, ...),
not for the text of one reference.
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import libcst as cst

from kerasgrade.mutation.syntax import (
    NOT_FORWARD,
    Context,
    add_kwarg,
    assigned_value,
    dotted,
    expr,
    free_names,
    insert_body,
    is_parent_init,
    is_self_attr,
    kwarg,
    last,
    methods,
    operand,
    positional,
    rename,
    renamed_last,
    self_target,
    simple,
    statements,
    string_value,
    with_class_body,
    without_arg,
)

__all__ = ["Mutant", "OPERATORS", "mutants", "normalised"]

ACTIVATIONS = ("softmax", "relu", "sigmoid")
ACTIVATION_FUNCTIONS = {"softmax", "relu", "sigmoid", "tanh"}
RECURRENT = ("LSTM", "GRU", "SimpleRNN")
POOLING = re.compile(r"^(Global)?(Max|Average|Avg)(Pooling|Pool)([123])D$")
PADDED = re.compile(r"^(Conv[123]D|Conv[123]DTranspose|SeparableConv[12]D|DepthwiseConv[12]D"
                    r"|(Max|Average|Avg)(Pooling|Pool)[123]D)$")


@dataclass(frozen=True)
class Mutant:
    id: str            # operator/Scope:site, stable while the solution's structure is
    operator: str
    description: str   # one line: the mistake, as a learner would make it
    source: str


def normalised(source: str) -> str:
    """The source without its formatting and comments: two mutants equal here are one."""
    return ast.dump(ast.parse(source))


Site = tuple[object, str, str, str]  # (node for the scope, label, description, new source)
Operator = Callable[[Context], Iterator[Site]]


# -- the operators ---------------------------------------------------------------------------

def super_drop(ctx: Context):
    for cls in ctx.classes:
        init = methods(cls).get("__init__")
        for stmt in statements(init) if init else []:
            if is_parent_init(stmt):
                yield (init, "", f"`{cls.name.value}.__init__` never calls the parent's __init__",
                       ctx.remove(stmt))


def super_move(ctx: Context):
    for cls in ctx.classes:
        init = methods(cls).get("__init__")
        body = statements(init) if init else []
        for stmt in body:
            if is_parent_init(stmt) and stmt is not body[-1]:
                new = [s for s in body if s is not stmt] + [stmt]
                yield (init, "", f"`{cls.name.value}.__init__` calls super().__init__ last, after "
                       "binding its attributes", ctx.replace(init.body, init.body.with_changes(body=new)))


def kwargs_drop(ctx: Context):
    for cls in ctx.classes:
        init = methods(cls).get("__init__")
        if init is None:
            continue
        star = init.params.star_kwarg
        for stmt in statements(init):
            if not is_parent_init(stmt):
                continue
            call = stmt.body[0].value
            for a in call.args:
                if a.star == "**":
                    yield (init, "call", f"`{cls.name.value}.__init__` accepts **kwargs but does not "
                           "pass them to super().__init__", ctx.replace(call, without_arg(call, a)))
        if star is None:
            continue
        name = star.name.value
        uses = [c for c in ctx.nodes(init, cst.Call) for a in c.args
                if a.star == "**" and dotted(a.value) == name]
        fn = init.with_changes(params=init.params.with_changes(star_kwarg=None))
        if fn.params.params and not fn.params.kwonly_params and fn.params.star_arg is cst.MaybeSentinel.DEFAULT:
            last_param = fn.params.params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            fn = fn.with_changes(params=fn.params.with_changes(params=[*fn.params.params[:-1], last_param]))
        for call in uses:
            arg = next(a for a in call.args if a.star == "**" and dotted(a.value) == name)
            fn = fn.deep_replace(call, without_arg(call, arg))
        yield (init, "signature", f"`{cls.name.value}.__init__` takes no **{name} (so `name=` and "
               "other Keras options are refused)", ctx.replace(init, fn))


def base_class(ctx: Context):
    root = ctx.keras_root()
    for cls in ctx.classes:
        for base in cls.bases:
            name = dotted(base.value)
            kind = last(name)
            if kind not in ("Model", "Layer"):
                continue
            prefix = name[: -len(kind)].rstrip(".")
            if kind == "Model":
                other = f"{prefix}.layers.Layer" if prefix else (f"{root}.layers.Layer" if root else None)
                if "Layer" in ctx.imported and not prefix:
                    other = "Layer"
            else:
                pre = prefix.removesuffix("layers").rstrip(".")
                if pre and ctx.resolved(prefix).split(".")[-1] != "layers":
                    pre = None  # a Layer from an unknown place: no Model beside it to name
                other = f"{pre}.Model" if pre else (f"{root}.Model" if root else None)
                if "Model" in ctx.imported and not prefix:
                    other = "Model"
            for new in filter(None, (other, "object")):
                yield (cls, new, f"`{cls.name.value}` subclasses `{new}` instead of `{name}`",
                       ctx.replace(base, base.with_changes(value=expr(new))))


def _param_sources(init: cst.FunctionDef) -> tuple[set[str], dict[str, str]]:
    """(parameter names, parameter -> the attribute ``self.a = p`` that stores it)."""
    params = {p.name.value for p in [*init.params.params, *init.params.kwonly_params]} - {"self"}
    stored = {}
    for stmt in statements(init):
        attr = self_target(stmt)
        if attr and isinstance(assigned_value(stmt), cst.Name) and assigned_value(stmt).value in params:
            stored.setdefault(assigned_value(stmt).value, attr)
    return params, stored


def _assigned_locals(fn: cst.FunctionDef, ctx: Context) -> set[str]:
    out = set()
    for node in ctx.nodes(fn, (cst.AssignTarget, cst.For)):
        target = node.target
        out |= {n.value for n in ctx.nodes(target, cst.Name)} if not is_self_attr(target) else set()
    return out


def layer_into_call(ctx: Context):
    for cls in ctx.classes:
        m = methods(cls)
        init, call = m.get("__init__"), m.get("call")
        if init is None or call is None:
            continue
        params, stored = _param_sources(init)
        local = _assigned_locals(init, ctx) - params
        for attr, (stmt, value) in ctx.layer_attrs(cls).items():
            free = free_names(value)
            if free & local:
                continue  # it reads a local of __init__: no simple move
            keep, mapping = [], {}
            for p in sorted(free & params):
                if p not in stored:
                    keep.append(simple(f"self.{p} = {p}"))
                    stored = {**stored, p: p}
                mapping[p] = expr(f"self.{stored[p]}")
            moved = stmt.with_changes(body=[stmt.body[0].with_changes(value=rename(value, mapping))],
                                      leading_lines=[])
            new_init_body = []
            for s in statements(init):
                new_init_body += keep if s is stmt else [s]
            if not new_init_body:
                new_init_body = [cst.SimpleStatementLine([cst.Pass()])]
            new_init = init.with_changes(body=init.body.with_changes(body=new_init_body))
            new_cls = with_class_body(cls, {id(init): new_init, id(call): insert_body(call, [moved])})
            yield (init, f"self.{attr}", f"creates `self.{attr}` in call() instead of __init__ (new "
                   "weights on every call)", ctx.replace(cls, new_cls))


def weights_into_init(ctx: Context):
    for cls in ctx.classes:
        m = methods(cls)
        init, build = m.get("__init__"), m.get("build")
        if init is None or build is None:
            continue
        body = statements(build)
        weights = [s for s in body if self_target(s) and any(
            isinstance(c.func, cst.Attribute) and c.func.attr.value == "add_weight"
            for c in ctx.nodes(s, cst.Call))]
        if not weights:
            continue
        args = [p.name.value for p in build.params.params if p.name.value != "self"]
        mapping = {a: expr("(None, 32)") for a in args}
        needed = set().union(*(free_names(s) for s in weights))
        moved = []
        for s in body:  # the locals of build() the weights are made from come along
            if s in weights or (isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], cst.Assign)
                                and {dotted(t.target) for t in s.body[0].targets} & needed):
                moved.append(rename(s, mapping).with_changes(leading_lines=[]))
        rest = [s for s in body if not any(s is x for x in weights) and not any(
            rename(s, mapping).with_changes(leading_lines=[]).deep_equals(x) for x in moved)]
        replace = {id(init): insert_body(init, moved, at_end=True)}
        new_cls = with_class_body(cls, replace)
        if rest and not all(isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], cst.Pass)
                            for s in rest):
            new_build = build.with_changes(body=build.body.with_changes(body=rest))
            new_cls = with_class_body(cls, {**replace, id(build): new_build})
        else:
            new_cls = new_cls.with_changes(body=new_cls.body.with_changes(
                body=[s for s in new_cls.body.body if s is not build]))
        yield (build, "", f"`{cls.name.value}` creates its weights in __init__ for a fixed input size "
               "(32) instead of in build()", ctx.replace(cls, new_cls))


def _defaults(ctx: Context) -> dict[str, cst.BaseExpression]:
    """The default of each parameter name of any __init__ in the file (first one wins)."""
    found = {}
    for fn in ctx.nodes(kind=cst.FunctionDef):
        if fn.name.value == "__init__":
            for p in [*fn.params.params, *fn.params.kwonly_params]:
                if p.default is not None:
                    found.setdefault(p.name.value, p.default)
    return found


def constant_arg(ctx: Context):
    defaults = _defaults(ctx)
    for cls in ctx.classes:
        init = methods(cls).get("__init__")
        if init is None:
            continue
        params, _ = _param_sources(init)
        for stmt in statements(init):
            if is_parent_init(stmt):
                continue
            for name in ctx.nodes(stmt, cst.Name):
                p = name.value
                parent = ctx.parents.get(name)
                if p not in params or p not in defaults:
                    continue
                if (isinstance(parent, cst.Attribute) and parent.attr is name) or (
                        isinstance(parent, cst.Arg) and parent.keyword is name):
                    continue
                if isinstance(parent, cst.Param) or isinstance(ctx.parents.get(parent), cst.Param):
                    continue
                const = defaults[p]
                code = cst.Module([]).code_for_node(const)
                yield (init, f"{p}->{ctx.label(name)}", f"`{ctx.label(name)}` uses the constant {code} "
                       f"instead of the argument `{p}`", ctx.replace(name, const))


def activation(ctx: Context):
    for call in ctx.nodes(kind=cst.Call):
        arg = kwarg(call, "activation")
        if arg is None and last(dotted(call.func)) == "Activation" and positional(call):
            arg = positional(call)[0]
        if arg is None:
            continue
        current = string_value(arg.value) or last(dotted(arg.value))
        where = ctx.label(call)
        for act in ACTIVATIONS:
            if act != current:
                yield (call, f"{where}:{act}", f"`{where}` uses the activation {act!r} instead of "
                       f"{current!r}", ctx.replace(arg.value, cst.SimpleString(f'"{act}"')))
        if arg.keyword is not None:
            yield (call, f"{where}:none", f"`{where}` has no activation (it was {current!r})",
                   ctx.replace(call, without_arg(call, arg)))
    for call in ctx.nodes(kind=cst.Call):
        name = dotted(call.func)
        fn = last(name)
        if fn not in ACTIVATION_FUNCTIONS or not positional(call) or len(call.args) > 2:
            continue
        full = ctx.resolved(name)
        if not any(p in full.split(".") for p in ("nn", "activations", "ops", "math")):
            continue
        for act in ACTIVATIONS:
            if act != fn:
                yield (call, f"{name}:{act}", f"`{name}(...)` is replaced by {act}",
                       ctx.replace(call.func, renamed_last(call.func, act)))
        yield (call, f"{name}:none", f"the `{name}(...)` is left out",
               ctx.replace(call, operand(positional(call)[0].value)))


def recurrent(ctx: Context):
    for call in ctx.nodes(kind=cst.Call):
        kind = last(dotted(call.func))
        if kind not in RECURRENT:
            continue
        where = ctx.label(call)
        arg = kwarg(call, "return_sequences")
        if arg is None:
            yield (call, f"{where}:return_sequences", f"`{where}` returns the whole sequence "
                   "(return_sequences=True)", ctx.replace(call, add_kwarg(call, "return_sequences", "True")))
        elif dotted(arg.value) in ("True", "False"):
            flip = "False" if dotted(arg.value) == "True" else "True"
            yield (call, f"{where}:return_sequences", f"`{where}` has return_sequences={flip}",
                   ctx.replace(arg.value, cst.Name(flip)))
        for other in RECURRENT:
            if other != kind:
                yield (call, f"{where}:{other}", f"`{where}` is a {other} instead of a {kind}",
                       ctx.replace(call.func, renamed_last(call.func, other)))


def padding_and_pooling(ctx: Context):
    for call in ctx.nodes(kind=cst.Call):
        name = dotted(call.func)
        kind = last(name)
        where = ctx.label(call)
        arg = kwarg(call, "padding")
        if arg is not None and string_value(arg.value) in ("same", "valid"):
            flip = "valid" if string_value(arg.value) == "same" else "same"
            yield (call, f"{where}:padding", f"`{where}` has padding={flip!r}",
                   ctx.replace(arg.value, cst.SimpleString(f'"{flip}"')))
        elif arg is None and PADDED.match(kind):
            yield (call, f"{where}:padding", f"`{where}` has padding='same' (it had the default 'valid')",
                   ctx.replace(call, add_kwarg(call, "padding", '"same"')))
        m = POOLING.match(kind)
        if m:
            swap = {"Max": "Avg" if m.group(3) == "Pool" else "Average"}.get(m.group(2), "Max")
            other = f"{m.group(1) or ''}{swap}{m.group(3)}{m.group(4)}D"
            yield (call, f"{where}:{other}", f"`{where}` is a {other} instead of a {kind}",
                   ctx.replace(call.func, renamed_last(call.func, other)))
        reductions = {"reduce_mean": "reduce_max", "reduce_max": "reduce_mean"}
        if kind in reductions and positional(call):
            yield (call, f"{name}:{reductions[kind]}", f"`{name}` is replaced by {reductions[kind]}",
                   ctx.replace(call.func, renamed_last(call.func, reductions[kind])))


def _layer_calls(ctx: Context, cls: cst.ClassDef) -> list[tuple[cst.Call, str]]:
    """(call, attribute) of each call of a layer of ``cls`` in its forward methods: ``self.x(...)``,
    and ``layer(...)`` in ``for layer in self.xs``."""
    attrs = ctx.layer_attrs(cls)
    found = []
    for fn in ctx.forward_methods(cls):
        loops = {}
        for loop in ctx.nodes(fn, cst.For):
            if isinstance(loop.target, cst.Name) and is_self_attr(loop.iter) and loop.iter.attr.value in attrs:
                loops[loop.target.value] = (loop, loop.iter.attr.value)
        for call in ctx.nodes(fn, cst.Call):
            if is_self_attr(call.func) and call.func.attr.value in attrs:
                found.append((call, call.func.attr.value))
            elif isinstance(call.func, cst.Name) and call.func.value in loops:
                found.append((call, loops[call.func.value][1]))
    return found


def drop_layer(ctx: Context):
    for cls in ctx.classes:
        for call, attr in _layer_calls(ctx, cls):
            args = positional(call)
            if args:
                yield (call, f"self.{attr}", f"the forward pass skips `self.{attr}`",
                       ctx.replace(call, operand(args[0].value)))


def drop_skip(ctx: Context):
    for cls in ctx.classes:
        for fn in ctx.forward_methods(cls):
            for op in ctx.nodes(fn, cst.BinaryOperation):
                if not isinstance(op.operator, cst.Add):
                    continue
                sides = (op.left, op.right)
                if any(isinstance(s, (cst.Integer, cst.Float, cst.SimpleString)) for s in sides):
                    continue
                yield from _drop_term(ctx, op, sides)
            for call in ctx.nodes(fn, cst.Call):
                if last(dotted(call.func)) == "add" and len(positional(call)) == 2 and len(call.args) == 2:
                    yield from _drop_term(ctx, call, [a.value for a in call.args])


def _drop_term(ctx: Context, node, sides):
    code = [cst.Module([]).code_for_node(s) for s in sides]
    for keep, gone in ((0, 1), (1, 0)):
        plain = isinstance(sides[gone], cst.Name)
        what = "the skip connection" if plain else "a branch"
        yield (node, f"drop:{code[gone]}", f"{what} `{code[gone]}` is left out of "
               f"`{code[0]} + {code[1]}`", ctx.replace(node, operand(sides[keep])))


def drop_abs(ctx: Context):
    for call in ctx.nodes(kind=cst.Call):
        name = dotted(call.func)
        if (name == "abs" or last(name) == "abs") and len(call.args) == 1 and positional(call):
            yield (call, name, f"the `{name}(...)` is left out", ctx.replace(call, operand(call.args[0].value)))


def training_arg(ctx: Context):
    for call in ctx.nodes(kind=cst.Call):
        arg = kwarg(call, "training")
        if arg is None:
            continue
        where = f"{dotted(call.func) or 'call'}(..., training=...)"
        value = dotted(arg.value)
        yield (call, f"{dotted(call.func)}:drop", f"`{where}` is called without training=",
               ctx.replace(call, without_arg(call, arg)))
        for const in ("True", "False"):
            if value != const:
                yield (call, f"{dotted(call.func)}:{const}", f"`{where}` hard-codes training={const}",
                       ctx.replace(arg.value, cst.Name(const)))


def share_one(ctx: Context):
    """Reuse one layer instance where two are needed."""
    for cls in ctx.classes:
        attrs = ctx.layer_attrs(cls)
        calls = _layer_calls(ctx, cls)
        used = list(dict.fromkeys(a for _, a in calls))
        for a in used:
            for b in used:
                va, vb = attrs[a][1], attrs[b][1]
                if a == b or not (isinstance(va, cst.Call) and isinstance(vb, cst.Call)) or (
                        dotted(va.func) != dotted(vb.func)):
                    continue
                new = cls
                for call, attr in calls:
                    if attr == b and is_self_attr(call.func):
                        new = new.deep_replace(call.func, call.func.with_changes(attr=cst.Name(a)))
                yield (cls, f"self.{b}->self.{a}", f"the forward pass calls `self.{a}` where it "
                       f"should call `self.{b}` (one layer used for both)", ctx.replace(cls, new))
    for comp in ctx.nodes(kind=cst.ListComp):
        if not ctx.is_layer_creation(comp.elt) or comp.for_in.inner_for_in or comp.for_in.ifs:
            continue
        targets = {n.value for n in ctx.nodes(comp.for_in.target, cst.Name)}
        if targets & free_names(comp.elt):
            continue
        it = comp.for_in.iter
        count = (it.args[0].value if isinstance(it, cst.Call) and dotted(it.func) == "range"
                 and len(it.args) == 1 else cst.Call(cst.Name("len"), [cst.Arg(it)]))
        rep = cst.BinaryOperation(cst.List([cst.Element(comp.elt)]), cst.Multiply(
            cst.SimpleWhitespace(" "), cst.SimpleWhitespace(" ")), count)
        elt = cst.Module([]).code_for_node(comp.elt)
        yield (comp, ctx.label(comp), f"`{ctx.label(comp)}` repeats one `{elt}` instead of creating "
               "one per item", ctx.replace(comp, rep))


def share_none(ctx: Context):
    """Two layer instances where one is shared: the second use gets a copy of its own."""
    for cls in ctx.classes:
        attrs = ctx.layer_attrs(cls)
        init = methods(cls).get("__init__")
        direct: dict[str, list[cst.Call]] = {}
        for call, attr in _layer_calls(ctx, cls):
            if is_self_attr(call.func):
                direct.setdefault(attr, []).append(call)
        for attr, calls in direct.items():
            if len(calls) < 2:
                continue
            stmt, _ = attrs[attr]
            new = cls.deep_replace(calls[1].func, expr(f"self.{attr}_copy"))
            new = _insert_after(new, init.name.value, stmt, _copy_of(stmt, attr))
            yield (cls, f"self.{attr}", f"the second use of `self.{attr}` calls a copy of it: two layers "
                   "with their own weights instead of one shared", ctx.replace(cls, new))
        # a helper method that calls the layers, used twice (``embed(a)``, ``embed(b)``)
        for name, fn in methods(cls).items():
            if name in NOT_FORWARD or name == "call":
                continue
            inner = [c for c in ctx.nodes(fn, cst.Call) if is_self_attr(c.func) and c.func.attr.value in attrs]
            uses = [c for f in ctx.forward_methods(cls) if f is not fn for c in ctx.nodes(f, cst.Call)
                    if is_self_attr(c.func, name)]
            if not inner or len(uses) < 2:
                continue
            twin = fn.with_changes(name=cst.Name(f"{name}_copy"), leading_lines=[cst.EmptyLine(indent=False)])
            for c in inner:
                twin = twin.deep_replace(next(x for x in ctx.nodes(twin, cst.Call) if x.deep_equals(c)),
                                         c.with_changes(func=expr(f"self.{c.func.attr.value}_copy")))
            new = cls.deep_replace(uses[1].func, expr(f"self.{name}_copy"))
            for attr in dict.fromkeys(c.func.attr.value for c in inner):
                stmt, _ = attrs[attr]
                new = _insert_after(new, "__init__", stmt, _copy_of(stmt, attr))
            new = new.with_changes(body=new.body.with_changes(body=[*new.body.body, twin]))
            yield (cls, f"self.{name}", f"the second call of `self.{name}` uses copies of its layers: "
                   "two sets of weights instead of one shared", ctx.replace(cls, new))


def _copy_of(stmt, attr: str):
    """``self.<attr>_copy = <the same layer>`` from the statement ``self.<attr> = <layer>``."""
    small = stmt.body[0]
    if isinstance(small, cst.AnnAssign):
        small = small.with_changes(target=expr(f"self.{attr}_copy"))
    else:
        small = small.with_changes(targets=[cst.AssignTarget(expr(f"self.{attr}_copy"))])
    return stmt.with_changes(body=[small], leading_lines=[])


def _insert_after(cls: cst.ClassDef, method: str, stmt, extra):
    fn = next(s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == method)
    body = []
    for s in statements(fn):
        body.append(s)
        if s.deep_equals(stmt):
            body.append(extra)
    return cls.deep_replace(fn, fn.with_changes(body=fn.body.with_changes(body=body)))


def clip_per_variable(ctx: Context):
    for call in ctx.nodes(kind=cst.Call):
        name = dotted(call.func)
        if last(name) == "clip_by_global_norm" and len(positional(call)) >= 2:
            prefix = name[: -len("clip_by_global_norm")]
            t, c = (cst.Module([]).code_for_node(a.value) for a in positional(call)[:2])
            norm = f"{prefix}linalg.global_norm({t})" if prefix else "None"
            new = expr(f"([{prefix}clip_by_norm(_g, {c}) for _g in {t}], {norm})")
            yield (call, name, "each gradient is clipped on its own (clip_by_norm per variable), "
                   "not by their global norm", ctx.replace(call, new))
        arg = kwarg(call, "global_clipnorm")
        if arg is not None:
            yield (call, f"{name}:clipnorm", "the optimizer clips each gradient on its own (clipnorm) "
                   "instead of by their global norm (global_clipnorm)",
                   ctx.replace(arg, arg.with_changes(keyword=cst.Name("clipnorm"))))


def compiled_loss(ctx: Context):
    """A train_step that computes its own loss instead of the one ``compile()`` was given."""
    for call in ctx.nodes(kind=cst.Call):
        if not is_self_attr(call.func, "compute_loss"):
            continue
        args = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        pos = [a.value for a in positional(call)]
        y, y_pred = args.get("y", pos[1] if len(pos) > 1 else None), args.get("y_pred", pos[2] if len(pos) > 2 else None)
        if y is None or y_pred is None:
            continue
        y, y_pred = (cst.Module([]).code_for_node(v) for v in (y, y_pred))
        root = ctx.keras_root() or "keras"
        for label, code, what in (
                ("self.loss", f"self.loss({y}, {y_pred})", "calls `self.loss(y, y_pred)`, which fails "
                 "when compile() was given a loss by name"),
                ("mse", f"{root}.ops.mean({root}.ops.square({y} - {y_pred}))", "hard-codes a mean squared "
                 "error instead of the compiled loss")):
            yield (call, label, f"train_step {what}", ctx.replace(call, expr(code)))


def drop_metrics(ctx: Context):
    for cls in ctx.classes:
        fn = methods(cls).get("metrics")
        if fn is not None and any(dotted(d.decorator) == "property" for d in fn.decorators):
            if len(cls.body.body) > 1:
                yield (fn, "", f"`{cls.name.value}` has no `metrics` property", ctx.module.deep_remove(fn).code)


def drop_register(ctx: Context):
    for cls in ctx.classes:
        for dec in cls.decorators:
            target = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
            if "register" in last(dotted(target)):
                yield (cls, last(dotted(target)), f"`{cls.name.value}` is not registered with Keras "
                       f"(no @{dotted(target)})", ctx.module.deep_remove(dec).code)


def drop_config_key(ctx: Context):
    for cls in ctx.classes:
        fn = methods(cls).get("get_config")
        if fn is None:
            continue
        for d in ctx.nodes(fn, cst.Dict):
            for el in d.elements:
                if isinstance(el, cst.DictElement):
                    key = string_value(el.key) or cst.Module([]).code_for_node(el.key)
                    yield (fn, key, f"get_config() of `{cls.name.value}` leaves out {key!r}",
                           ctx.module.deep_remove(el).code)
        for call in ctx.nodes(fn, cst.Call):
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "update":
                for a in call.args:
                    if a.keyword is not None:
                        yield (fn, a.keyword.value, f"get_config() of `{cls.name.value}` leaves out "
                               f"{a.keyword.value!r}", ctx.replace(call, without_arg(call, a)))
        for stmt in statements(fn):
            if (isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign)
                    and isinstance(stmt.body[0].targets[0].target, cst.Subscript)):
                sub = stmt.body[0].targets[0].target
                key = cst.Module([]).code_for_node(sub.slice[0].slice)
                yield (fn, key, f"get_config() of `{cls.name.value}` leaves out {key}", ctx.remove(stmt))


OPERATORS: dict[str, Operator] = {
    "super_drop": super_drop,
    "super_move": super_move,
    "kwargs_drop": kwargs_drop,
    "base_class": base_class,
    "layer_into_call": layer_into_call,
    "weights_into_init": weights_into_init,
    "constant_arg": constant_arg,
    "activation": activation,
    "recurrent": recurrent,
    "padding_and_pooling": padding_and_pooling,
    "drop_layer": drop_layer,
    "drop_skip": drop_skip,
    "drop_abs": drop_abs,
    "training_arg": training_arg,
    "share_one": share_one,
    "share_none": share_none,
    "clip_per_variable": clip_per_variable,
    "compiled_loss": compiled_loss,
    "drop_metrics": drop_metrics,
    "drop_register": drop_register,
    "drop_config_key": drop_config_key,
}


def mutants(source: str, operators: list[str] | None = None) -> list[Mutant]:
    """Every single-mistake mutant of ``source`` the operators make, in a stable order.

    Mutants whose code equals the source's (or an earlier mutant's) once formatting is
    ignored are left out, as are any that are not valid Python.
    """
    seen = {normalised(source)}
    out: list[Mutant] = []
    ctx = Context(source)  # read once: the operators only read it (a mutant is a new tree)
    for name in operators or OPERATORS:
        ids: Counter = Counter()
        for node, label, description, code in OPERATORS[name](ctx):
            site = f"{name}/{ctx.scope(node)}" + (f":{label}" if label else "")
            ids[site] += 1
            if ids[site] > 1:
                site += f"#{ids[site]}"
            try:
                key = normalised(code)
            except SyntaxError:
                continue
            if key in seen:
                continue
            seen.add(key)
            out.append(Mutant(site, name, description, code))
    return out
