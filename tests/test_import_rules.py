"""The import rules of pyproject.toml hold, and `lint-imports` catches a module that breaks them."""
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from .conftest import ROOT

# The only modules that may import TensorFlow or Keras: the engine's child and judge side, the
# graders' helpers, the mutation observers (run by the judge) and the notebooks' test-cell runtime.
TENSORFLOW_SIDE = {
    "kerasgrade", "kerasgrade.__main__", "kerasgrade.notebook", "kerasgrade.engine",
    "kerasgrade.engine.zygote", "kerasgrade.engine.judge", "kerasgrade.engine.server",
    "kerasgrade.engine.training", "kerasgrade.engine.test_cells", "kerasgrade.grading",
    "kerasgrade.grading.expect", "kerasgrade.grading.opening", "kerasgrade.grading.draw",
    "kerasgrade.grading.source_facts", "kerasgrade.grading.replica", "kerasgrade.mutation", "kerasgrade.mutation.observe",
}


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                           "lint_imports_command()", str(ROOT / "pyproject.toml")],
                          capture_output=True, text=True, timeout=300, cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def modules() -> set[str]:
    found = set()
    for p in (ROOT / "kerasgrade").rglob("*.py"):
        parts = p.relative_to(ROOT).with_suffix("").parts
        found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_kerasgrade_keeps_its_layers_has_no_import_cycle_and_its_parent_side_no_tensorflow():
    proc = lint(ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "3 kept, 0 broken" in proc.stdout


def test_every_module_is_either_on_the_parent_side_or_named_as_one_that_may_import_tensorflow():
    rules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    parent = next(c for c in rules if c["type"] == "forbidden")["source_modules"]
    unplaced = {m for m in modules() if not any(m == p or m.startswith(p + ".") for p in parent)}
    assert unplaced == TENSORFLOW_SIDE


def test_a_cycle_a_broken_layer_a_module_outside_the_layers_and_keras_in_the_parent_are_all_caught(tmp_path):
    shutil.copytree(ROOT / "kerasgrade", tmp_path / "kerasgrade", ignore=shutil.ignore_patterns("__pycache__"))
    result = tmp_path / "kerasgrade" / "result.py"  # vocabulary importing a report: a layer broken, a cycle
    result.write_text(result.read_text() + "\nfrom kerasgrade.reports import wording  # deliberate\n")
    sanitize = tmp_path / "kerasgrade" / "sanitize.py"
    sanitize.write_text(sanitize.read_text() + "\nimport keras  # a deliberate parent import of Keras\n")
    (tmp_path / "kerasgrade" / "stray.py").write_text("X = 1\n")  # in no layer
    proc = lint(tmp_path)
    assert proc.returncode != 0
    assert "0 kept, 3 broken" in proc.stdout, proc.stdout[-3000:]
    assert "kerasgrade.result is not allowed to import kerasgrade.reports" in proc.stdout
    assert "kerasgrade.stray" in proc.stdout
    assert "kerasgrade.sanitize is not allowed to import keras" in proc.stdout


def test_no_package_init_imports_a_module_of_its_own_package():
    """`from kerasgrade.intake import canvas` runs the package's `__init__` first: an `__init__` that
    imported `intake.pipeline`, which imports `canvas` through the package, was a circle that the
    sibling contract does not see."""
    import ast

    for init in (ROOT / "kerasgrade").rglob("__init__.py"):
        package = ".".join(init.relative_to(ROOT).parent.parts)
        for node in ast.walk(ast.parse(init.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            assert not any(n.startswith(package + ".") for n in names), f"{init}: imports {names}"
