"""The parent's handle on a zygote process, which forks a child per submission.

The parent (``Zygote``, used by ``engine.pool``) never imports
TensorFlow nor learner code. It starts ``python -m kerasgrade.engine.zygote``: the
zygote, which imports TensorFlow and the graders once (running no TensorFlow
operation, so forking stays safe), sends the graders' check catalogue, then
forks one confined child per job (``sandbox.spawn``). The child runs the
checks on the submission's bytes and streams one event per check through a
pipe. The zygote kills the child's whole cgroup and PID namespace at the
deadline, and answers the parent with the events, how the child ended and the
head of its output.

Protocol (JSON lines): zygote → parent ``{"catalogue": {...}, "sandbox": [...]}``
once, then for each job (``Job.to_json()``) one answer ``{"events": [...], "ended": ...}``.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from kerasgrade.engine.sandbox import REAP_SECONDS, RUN_ENV
from kerasgrade.errors import KerasgradeError
from kerasgrade.job import Job

ANSWER_MARGIN = 3 * REAP_SECONDS + 30  # a zygote silent this long past a job's timeout is hung


class ZygoteDied(Exception):
    pass


class Zygote:
    """Parent-side handle on one zygote process (in a session of its own, so the parent ends
    it and everything it started, whatever they do)."""

    def __init__(self, course_file: str | Path, threads: int = 1, exercises: list[str] | None = None,
                 run: str | None = None, secret_file: str | Path | None = None):
        # The judge reads the secret file itself; the zygote (and so every child) knows only its path.
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERASGRADE_THREADS=str(threads),
                   PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
                   KERASGRADE_SECRET_FILE=str(secret_file or ""))
        if run:
            env[RUN_ENV] = run
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kerasgrade.engine.zygote", str(course_file), *(exercises or [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True, bufsize=1, start_new_session=True)
        self._stderr_tail: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        threading.Thread(target=self._read_answers, daemon=True).start()
        try:
            first = self._lines.get(timeout=600)
        except queue.Empty:
            first = ""
        if not first:
            self.kill()
            raise ZygoteDied("the grading worker failed to start:\n" + "".join(self._stderr_tail[-20:]))
        hello = json.loads(first)
        if "refused" in hello:  # a grader of the course cannot be used: the author's error
            self.kill()
            raise KerasgradeError(str(hello["refused"]))
        self.catalogue: dict[str, list[dict]] = hello["catalogue"]
        self.sandbox: tuple[str, str] = tuple(hello["sandbox"])

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr_tail = (self._stderr_tail + [line[:2000]])[-50:]

    def _read_answers(self):
        try:
            for line in self.proc.stdout:
                self._lines.put(line)
        except (OSError, ValueError):
            pass
        self._lines.put("")

    def run(self, job: Job) -> dict:
        """Run one job; returns ``{"events", "ended", "detail", "output"}``. A zygote that
        stops, or says nothing long past the job's deadline, is killed: ``ZygoteDied``."""
        try:
            self.proc.stdin.write(job.to_json() + "\n")
            self.proc.stdin.flush()
            line = self._lines.get(timeout=job.timeout + ANSWER_MARGIN)
        except (BrokenPipeError, OSError, ValueError):
            line = ""
        except queue.Empty:
            self.kill()
            raise ZygoteDied(f"the grading worker gave no answer {job.timeout + ANSWER_MARGIN:g} s "
                             "after the submission started") from None
        if not line:
            self.kill()
            raise ZygoteDied("the grading worker stopped:\n" + "".join(self._stderr_tail[-20:]))
        return json.loads(line)

    def kill(self):
        """End the zygote and every process of its session at once."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=REAP_SECONDS)
        except subprocess.TimeoutExpired:
            pass

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()  # what is left of its session (nothing, normally)
