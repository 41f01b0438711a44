#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: a Python >= 3.11
# virtual environment with the pinned packages, then kerasgrade itself from this bundle.
set -euo pipefail
ROOT="${ {{- root_env }}:-{{ default_root }}}"
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
PY=""
for p in python3.13 python3.12 python3.11 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    PY="$p"; break
  fi
done
if [ -z "$PY" ]; then
  apt-get update && apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PY=python3.11
fi
if ! "$PY" -m venv "$ROOT/venv" >/dev/null 2>&1; then
  rm -rf "$ROOT/venv"
  apt-get update && apt-get install -y --no-install-recommends "$(basename "$PY")-venv"
  "$PY" -m venv "$ROOT/venv"
fi
"$ROOT/venv/bin/python" -m pip install --no-cache-dir --upgrade pip
"$ROOT/venv/bin/python" -m pip install --no-cache-dir -r "$SOURCE/requirements.txt"
"$ROOT/venv/bin/python" -m pip install --no-cache-dir --no-deps "$SOURCE/package"
"$ROOT/venv/bin/python" -c "import tensorflow, keras, kerasgrade; print('kerasgrade', kerasgrade.__version__, 'ready')"
