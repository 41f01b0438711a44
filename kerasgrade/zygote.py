"""The zygote: imports TensorFlow and the graders once, then forks a child per job.

Run by the parent as ``python -m kerasgrade.zygote COURSE_FILE`` (see
``isolate.Zygote``). It runs no TensorFlow operation itself, so forking stays
safe. Each child confines itself (``sandbox.confine``), runs the checks
(``runner.run_checks``) and streams one JSON event per check through a pipe;
its printed output goes through another pipe, of which only the head is kept.
The zygote kills the child's process group and cgroup at the deadline.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import tempfile
import time

from .sandbox import confine, kill_cgroup, memory_exceeded, probe

MAX_EVENT_BYTES = 64 * 1024        # one event larger than this is cut (and then unreadable)
MAX_REPORT_BYTES = 4 * 1024 * 1024 # a child's whole report larger than this is cut
DONE = b'{"done": true}'
GRADER_FAILED = 70  # exit status of a child whose trusted code raised



def _prepare_tensorflow(threads: int):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras  # noqa: F401 - imported once here, inherited by every child


def _child(job: dict, graders: dict, write_fd: int, out_fd: int, nonce: bytes):
    """In the forked child: confine, run the checks, stream events, never return."""
    code = GRADER_FAILED
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
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        channel = os.fdopen(write_fd, "w", buffering=1)
        prefix = nonce.decode()
        del nonce

        def emit(event: dict):
            channel.write(prefix + json.dumps(event)[:MAX_EVENT_BYTES] + "\n")

        from .runner import read_source_or_error, run_checks

        source = read_source_or_error(job["file"])  # read before the file is out of sight
        level = confine(job)
        if level != "namespaces":
            os.chdir(tempfile.mkdtemp(prefix="kerasgrade-"))
        run_checks(graders[job["exercise"]], job["file"], include_hidden=job["include_hidden"],
                   check_timeout=job["check_timeout"], seed=job["seed"], emit=emit, source=source)
        channel.write(prefix + DONE.decode() + "\n")
        channel.flush()
        code = 0
    except BaseException:  # noqa: BLE001 - the parent reports a child that ends early
        try:
            import traceback

            traceback.print_exc()  # into the captured output, for the instructor
        except BaseException:  # noqa: BLE001
            pass
    os._exit(code)


def _serve_child(job: dict, sock_fd: int, out_fd: int, code: str | None):
    """In a forked child of the judged path: confine, then answer the judge's requests."""
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        keep = os.dup2(sock_fd, 3)
        os.closerange(4, 1 << 16)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        from .engine.server import Server, serve

        level = confine(job)
        if level != "namespaces":
            os.chdir(tempfile.mkdtemp(prefix="kerasgrade-"))
        if code is not None:
            serve(keep, Server(code, job["file"]))
    except BaseException:  # noqa: BLE001 - the judge reports a child that stops answering
        try:
            import traceback

            traceback.print_exc()  # into the captured output, for the instructor
        except BaseException:  # noqa: BLE001
            pass
    os._exit(0)


class _Judge:
    """The zygote's handle on its judge process (``engine.judge.serve``), restarted if it dies."""

    IDLE_WAIT = 10.0  # seconds a judge may take to finish a job the zygote gave up on

    def __init__(self, graders: dict, secret_file: str | None):
        self.graders, self.secret_file = graders, secret_file
        self.pid, self.sock, self.busy = 0, None, False
        self._start()

    def _start(self):
        from .engine import judge

        mine, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the judge never returns
            mine.close()
            judge.serve(theirs, self.graders, self.secret_file)
        theirs.close()
        self.pid, self.sock, self.busy = pid, mine, False

    def _stop(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        self.sock.close()

    def ready(self) -> None:
        """Wait until the judge is idle; replace it if it died or hangs."""
        if self.busy:
            self.sock.settimeout(self.IDLE_WAIT)
            try:
                ok = self.sock.recv(1) == b"."
            except OSError:
                ok = False
            self.busy = False
            if not ok:
                self._stop()
                self._start()
        if os.waitpid(self.pid, os.WNOHANG)[0]:
            self.sock.close()
            self._start()

    def give(self, job: dict, child_sock: int, report_fd: int) -> None:
        from .engine import protocol

        self.ready()
        self.sock.settimeout(None)
        socket.send_fds(self.sock, [b"J"], [child_sock, report_fd])
        self.sock.sendall(protocol.encode(job))
        self.busy = True


def _drain(fd: int, keep: bytearray, limit: int) -> bool:
    """Read what is there; keep up to ``limit`` bytes. False at end of file."""
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        return True
    if data and len(keep) < limit:
        keep += data[: limit - len(keep)]
    return bool(data)


def _run_job(job: dict, graders: dict, judge: _Judge | None = None) -> dict:
    from .engine.judge import is_judged
    from .runner import LoadError, read_source_or_error

    judged = judge is not None and is_judged(graders[job["exercise"]])
    # The judge writes the verdicts on a pipe of its own: no child can reach it, so no nonce.
    nonce = b"" if judged else os.urandom(16).hex().encode()  # a line without it was not written by the grader
    done = nonce + DONE
    read_fd, write_fd = os.pipe()
    out_r, out_w = os.pipe()
    if judged:
        source = read_source_or_error(job["file"])
        code, notes = (None, []) if isinstance(source, LoadError) else source
        mine, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        os.close(out_r)
        if judged:
            os.close(write_fd)
            mine.close()
            _serve_child(job, theirs.fileno(), out_w, code)
        _child(job, graders, write_fd, out_w, nonce)
    if judged:
        theirs.close()
        task = {**job, "filename": job["file"], "code": code or "", "notes": notes}
        if code is None:
            task["load_error"] = str(source)
        judge.give(task, mine.fileno(), write_fd)
        mine.close()
    os.close(write_fd)
    os.close(out_w)
    os.set_blocking(out_r, False)
    start = time.monotonic()
    deadline = start + float(job["timeout"])
    report, output = bytearray(), bytearray()
    out_limit = int(job.get("output_kb", 64)) * 1024
    ended, detail, out_open = "crash", "", True
    while done not in report:
        left = deadline - time.monotonic()
        if left <= 0:
            ended, detail = "timeout", f"{job['timeout']:g} s"
            break
        ready = select.select([read_fd] + ([out_r] if out_open else []), [], [], left)[0]
        if out_r in ready:
            out_open = _drain(out_r, output, out_limit + 1)
        if read_fd in ready:
            before = len(report)
            if not _drain(read_fd, report, MAX_REPORT_BYTES) or (
                    len(report) == before and len(report) >= MAX_REPORT_BYTES):
                if len(report) < MAX_REPORT_BYTES:
                    break  # the child closed its channel without finishing
    else:
        ended = "ok"
    while out_open and select.select([out_r], [], [], 0)[0]:
        out_open = _drain(out_r, output, out_limit + 1)
    early = None  # judged: the status of a child that ended by itself while the judge asked it
    if judged and ended == "ok" and b'"lost": "ended"' in report:
        waited, status = os.waitpid(pid, os.WNOHANG)
        if waited:
            early, ended = status, "crash"
    elif judged and ended == "ok" and b'"lost": "timeout"' in report:
        ended, detail = "timeout", f"{job['check_timeout']:g} s for one check, without an answer"
    try:
        os.killpg(pid, signal.SIGKILL)  # the child and what it started in its session
    except ProcessLookupError:
        pass
    status = early if early is not None else os.waitpid(pid, 0)[1]
    over_memory = memory_exceeded(pid)
    kill_cgroup(pid)  # and what left the session (a daemon), where cgroups are available
    os.close(read_fd)
    os.close(out_r)
    if ended == "crash":
        if over_memory:
            detail = f"it used more than the memory limit ({job.get('memory_mb')} MB)"
        elif os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            detail = (f"killed by signal SIGKILL, which the kernel sends to a process that uses more "
                      f"than its memory limit ({job.get('memory_mb')} MB): does the code build huge "
                      "arrays or models?")
        elif os.WIFSIGNALED(status):
            detail = f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
        elif os.WEXITSTATUS(status) == GRADER_FAILED:
            detail = ("the grader's own code failed inside the submission's process (see its "
                      "output): does the code replace built-in, numpy or Keras functions?")
        else:
            detail = (f"it exited (status {os.WEXITSTATUS(status)}) before grading finished: "
                      "does the code call sys.exit(), os._exit() or exit()?")
    events, foreign = [], 0
    for line in bytes(report).split(done)[0].splitlines():
        if not line.startswith(nonce):
            foreign += 1
            continue
        try:
            events.append(json.loads(line[len(nonce):].decode("utf-8", "replace")))
        except (ValueError, RecursionError):
            events.append(None)
    if foreign:
        events.append({"tampered": [f"the grader's report channel ({foreign} line(s) not written by it)"]})
    text = bytes(output[:out_limit]).decode("utf-8", "replace")
    if len(output) > out_limit:
        text += "\n[... output truncated]"
    return {"events": events, "ended": ended, "detail": detail, "output": text,
            "elapsed": round(time.monotonic() - start, 3)}


def main(course_file: str, only: list[str]) -> None:
    """Serve jobs for the course's exercises (``only`` these, if any are named)."""
    proto_in = sys.stdin
    proto_out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing but the protocol reaches the parent's pipe
    _prepare_tensorflow(int(os.environ.get("KERASGRADE_THREADS", "1")))

    # Everything a child needs is imported now, before any fork: the child's view
    # of the disk no longer holds the course folder. (``notebook``: a course notebook's
    # test cells import it; they do nothing when kerasgrade grades the notebook.)
    from . import collect, expect, explain, notebook, runner, source  # noqa: F401
    from .engine import judge as _judge, server as _server, training as _training  # noqa: F401
    from .checks import catalogue, warm_up
    from .config import load_course
    from .runner import import_path

    course = load_course(course_file)
    graders = {ex.id: import_path(ex.grader, f"kerasgrade_grader_{ex.id}") for ex in course.exercises
               if not only or ex.id in only}
    warm_up()
    level, reason = probe()
    from .engine.judge import is_judged

    judge = _Judge(graders, os.environ.get("KERASGRADE_SECRET_FILE") or None) \
        if any(is_judged(g) for g in graders.values()) else None
    hello = {"catalogue": {k: catalogue(m) for k, m in graders.items()}, "sandbox": [level, reason]}
    proto_out.write(json.dumps(hello) + "\n")
    for line in proto_in:
        job = json.loads(line)["job"]
        proto_out.write(json.dumps(_run_job(job, graders, judge)) + "\n")
    proto_out.flush()
    os._exit(0)  # TensorFlow's teardown takes seconds and there is nothing to clean up


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
