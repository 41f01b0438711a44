"""Everything a grading child may import is in memory before the zygote forks it.

A child no longer sees kerasgrade's folder once it is confined, so a module that child-side
code imports inside a function (``from kerasgrade.engine import training`` when it trains) must
already be loaded by the zygote: otherwise every learner fails that check with an ImportError.
"""
import ast
import subprocess
import sys

from .conftest import ROOT

CHILD_SIDE = ["engine/server.py", "engine/training.py", "engine/judge.py", "engine/test_cells.py", "grading", "wire", "checks.py", "explain.py",
              "source.py", "scoring.py", "notebook.py", "mutation/observe.py", "mutation/probe.py"]


def _module_of(node: ast.ImportFrom) -> list[str]:
    if node.module and node.module.startswith("kerasgrade"):
        return [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    return []


def lazily_imported() -> set[str]:
    """The kerasgrade modules child-side code imports inside a function."""
    found = set()
    for entry in CHILD_SIDE:
        path = ROOT / "kerasgrade" / entry
        for f in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            for fn in ast.walk(ast.parse(f.read_text())):
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for node in ast.walk(fn):
                        if isinstance(node, ast.ImportFrom):
                            found.update(_module_of(node))
    return found


def preloaded() -> set[str]:
    """The kerasgrade modules in memory after the zygote's own imports in ``main``."""
    tree = ast.parse((ROOT / "kerasgrade" / "engine" / "zygote.py").read_text())
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    imports = [ast.unparse(n) for n in ast.walk(main)
               if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("kerasgrade")]
    code = "import sys\n" + "\n".join(imports) + "\nprint('\\n'.join(m for m in sys.modules if m.startswith('kerasgrade')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         check=True).stdout
    return set(out.split())


def test_every_module_child_side_code_imports_late_is_loaded_by_the_zygote_before_it_forks():
    wanted = lazily_imported()
    assert "kerasgrade.engine.training" in wanted  # what the server imports when it trains
    loaded = preloaded()
    modules = {m for m in wanted if (ROOT / (m.replace(".", "/") + ".py")).is_file()
               or (ROOT / m.replace(".", "/") / "__init__.py").is_file()}
    assert modules - loaded == set()
