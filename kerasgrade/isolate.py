"""Run each submission in its own child process, forked from a warm zygote.

The parent (``Zygote``, used by ``grade``/``check``/``validate``) never imports
TensorFlow nor learner code. It starts ``python -m kerasgrade.isolate``: the
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
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MAX_EVENT_BYTES = 64 * 1024        # a child's report larger than this is cut
MAX_REPORT_BYTES = 4 * 1024 * 1024
DONE = b'{"done": true}'


class ZygoteDied(Exception):
    pass


class Zygote:
    """Parent-side handle on one zygote process."""

    def __init__(self, course_file: str | Path, threads: int = 1):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERASGRADE_THREADS=str(threads),
                   PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kerasgrade.isolate", str(course_file)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True, bufsize=1)
        self._stderr_tail: list[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        first = self.proc.stdout.readline()
        if not first:
            raise ZygoteDied("the grading worker failed to start:\n" + "".join(self._stderr_tail[-20:]))
        self.catalogue: dict[str, list[dict]] = json.loads(first)["catalogue"]

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


# ----------------------------------------------------------------------------
# Zygote side (runs in ``python -m kerasgrade.isolate COURSE_FILE``).

def _prepare_tensorflow(threads: int):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras  # noqa: F401 - imported once here, inherited by every child


def _limit(job: dict):
    import resource

    def cap(which, value):
        try:
            soft, hard = resource.getrlimit(which)
            value = min(value, hard) if hard != resource.RLIM_INFINITY else value
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_CPU, int(job["timeout"]) * 2 + 5)
    cap(resource.RLIMIT_FSIZE, 64 * 1024 * 1024)
    cap(resource.RLIMIT_CORE, 0)
    if job.get("memory_mb"):
        cap(resource.RLIMIT_AS, int(job["memory_mb"]) * 1024 * 1024)


def _child(job: dict, graders: dict, write_fd: int, out_fd: int):
    """In the forked child: isolate, run the checks, stream events, never return."""
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 1 << 16)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        workdir = tempfile.mkdtemp(prefix="kerasgrade-")
        os.chdir(workdir)
        _limit(job)
        channel = os.fdopen(write_fd, "w", buffering=1)

        def emit(event: dict):
            channel.write(json.dumps(event)[:MAX_EVENT_BYTES] + "\n")

        from .runner import run_checks

        run_checks(graders[job["exercise"]], job["file"], include_hidden=job["include_hidden"],
                   check_timeout=job["check_timeout"], seed=job["seed"], emit=emit)
        channel.write(DONE.decode() + "\n")
        channel.flush()
        code = 0
    except BaseException:  # noqa: BLE001
        code = 70
    os._exit(code)


def _run_job(job: dict, graders: dict) -> dict:
    read_fd, write_fd = os.pipe()
    out = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        _child(job, graders, write_fd, out.fileno())
    os.close(write_fd)
    start = time.monotonic()
    deadline = start + float(job["timeout"])
    buf, ended, detail = b"", "crash", ""
    while DONE not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            ended, detail = "timeout", f"{job['timeout']:g} s"
            break
        if not select.select([read_fd], [], [], left)[0]:
            continue
        data = os.read(read_fd, 65536)
        if not data:
            break
        if len(buf) < MAX_REPORT_BYTES:
            buf += data
    else:
        ended = "ok"
    try:
        os.killpg(pid, signal.SIGKILL)  # the child and anything it started in its session
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    os.close(read_fd)
    if ended == "crash":
        if os.WIFSIGNALED(status):
            detail = f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
        else:
            detail = (f"it exited (status {os.WEXITSTATUS(status)}) before grading finished: "
                      "does the code call sys.exit(), os._exit() or exit()?")
    events = []
    for line in buf.split(DONE)[0].decode("utf-8", "replace").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            events.append(None)
    limit = int(job.get("output_kb", 64)) * 1024
    out.seek(0)
    output = out.read(limit + 1)
    out.close()
    text = output[:limit].decode("utf-8", "replace")
    if len(output) > limit:
        text += "\n[... output truncated]"
    return {"events": events, "ended": ended, "detail": detail, "output": text,
            "elapsed": round(time.monotonic() - start, 3)}


def main(course_file: str) -> None:
    proto_in = sys.stdin
    proto_out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing but the protocol reaches the parent's pipe
    _prepare_tensorflow(int(os.environ.get("KERASGRADE_THREADS", "1")))

    from .checks import catalogue
    from .config import load_course
    from .runner import import_path

    course = load_course(course_file)
    graders = {ex.id: import_path(ex.grader, f"kerasgrade_grader_{ex.id}") for ex in course.exercises}
    proto_out.write(json.dumps({"catalogue": {k: catalogue(m) for k, m in graders.items()}}) + "\n")
    for line in proto_in:
        job = json.loads(line)["job"]
        proto_out.write(json.dumps(_run_job(job, graders)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
