"""The import rules of pyproject.toml hold, and `lint-imports` catches a module that breaks them."""
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                           "lint_imports_command()", str(ROOT / "pyproject.toml")],
                          capture_output=True, text=True, timeout=300, cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_kerasgrade_has_no_import_cycle_and_its_parent_side_no_tensorflow():
    proc = lint(ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 kept, 0 broken" in proc.stdout


def test_a_cycle_and_a_parent_module_importing_keras_are_both_caught(tmp_path):
    shutil.copytree(ROOT / "kerasgrade", tmp_path / "kerasgrade",
                    ignore=shutil.ignore_patterns("__pycache__"))
    result = tmp_path / "kerasgrade" / "result.py"
    result.write_text(result.read_text() + "\nfrom . import report  # a deliberate cycle\n")
    sanitize = tmp_path / "kerasgrade" / "sanitize.py"
    sanitize.write_text(sanitize.read_text() + "\nimport keras  # a deliberate layer break\n")
    proc = lint(tmp_path)
    assert proc.returncode != 0
    assert "0 kept, 2 broken" in proc.stdout, proc.stdout[-3000:]
    assert "kerasgrade.sanitize is not allowed to import keras" in proc.stdout
