"""Run each submission in its own child process, forked from a warm zygote.

The parent (``Zygote``, used by ``grade``/``check``/``validate``) never imports
TensorFlow nor learner code. It starts ``python -m kerasgrade.zygote``: the
zygote, which imports TensorFlow and the graders once (running no TensorFlow
operation, so forking stays safe), sends the graders' check catalogue, then
forks one child per job. The child starts a new session, takes resource
limits, writes its output to a private file, runs the checks and streams one
event per check through a pipe. The zygote kills the child's whole process
group at the deadline, and answers the parent with the events, how the child
ended and the head of its output.

Protocol (JSON lines): zygote → parent ``{"catalogue": {...}}`` once, then for
each job request ``{"job": {...}}`` one answer ``{"events": [...], "ended": ...}``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path



class ZygoteDied(Exception):
    pass


class Zygote:
    """Parent-side handle on one zygote process."""

    def __init__(self, course_file: str | Path, threads: int = 1, exercises: list[str] | None = None,
                 secret_file: str | Path | None = None):
        # The judge reads the secret file itself; the zygote (and so every child) knows only its path.
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERASGRADE_THREADS=str(threads),
                   PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
                   KERASGRADE_SECRET_FILE=str(secret_file or ""))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kerasgrade.zygote", str(course_file), *(exercises or [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True, bufsize=1)
        self._stderr_tail: list[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        first = self.proc.stdout.readline()
        if not first:
            raise ZygoteDied("the grading worker failed to start:\n" + "".join(self._stderr_tail[-20:]))
        hello = json.loads(first)
        self.catalogue: dict[str, list[dict]] = hello["catalogue"]
        self.sandbox: tuple[str, str] = tuple(hello["sandbox"])

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr_tail = (self._stderr_tail + [line])[-50:]

    def run(self, job: dict) -> dict:
        """Run one job; returns ``{"events", "ended", "detail", "output"}``."""
        try:
            self.proc.stdin.write(json.dumps({"job": job}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            raise ZygoteDied("the grading worker stopped:\n" + "".join(self._stderr_tail[-20:]))
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
