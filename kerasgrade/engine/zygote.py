"""The zygote: imports TensorFlow and the graders once, then forks a child per job.

Run by the parent as ``python -m kerasgrade.engine.zygote COURSE_FILE`` (see
``zygote_client.Zygote``). It runs no TensorFlow operation itself, so forking stays
safe. Each job (``job.Job``, one JSON line) carries the submission's bytes; its
child is forked confined (``sandbox.spawn``) and answers the requests of the judge
(``judge.serve``, forked once, before any child), which runs the checks and streams
one JSON event per check through a pipe no child holds; the child's printed output
goes through another pipe, of which only the head is kept.
At the end or the deadline the zygote kills the child's whole cgroup and PID
namespace at once and reaps it with a deadline (``sandbox.reap``). Nothing a
child does can end the zygote: a failure in the per-job path is that job's
answer.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import time

from kerasgrade.engine.sandbox import (
    RUN_ENV,
    WORKER_FAILED,
    end_run,
    memory_exceeded,
    probe,
    reap,
    run_id,
    signal_name,
    spawn,
)
from kerasgrade.job import Job, JudgeTask
from kerasgrade.wire.handle import Lost

MAX_REPORT_BYTES = 4 * 1024 * 1024 # a child's whole report larger than this is cut
DRAIN_SECONDS = 0.5                # reading what a killed child left in its output pipe
REPORT_GRACE = 1.0                 # how long a child that ended early may take to say how
DONE = b'{"done": true}'


def _prepare_tensorflow(threads: int):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras  # noqa: F401 - imported once here, inherited by every child


def _serve_body(job: Job, sock_fd: int, code: str | None):
    """In the confined worker of a judged exercise: answer the judge's requests, never return."""

    def body(missing):
        from kerasgrade.engine.server import Server, serve

        if code is not None:
            serve(sock_fd, Server(code, job.filename))
        os._exit(0)

    return body


class _Judge:
    """The zygote's handle on its judge process (``judge.serve``), restarted if it dies.

    Forked before any child, from a zygote that never runs a TensorFlow operation; it reads its
    secret itself (``KERASGRADE_SECRET_FILE``), so no child, all forked from the zygote, holds it.
    """

    IDLE_WAIT = 10.0  # seconds a judge may take to finish a job the zygote gave up on

    def __init__(self, graders: dict, secret_file: str | None):
        self.graders, self.secret_file = graders, secret_file
        self.pid, self.sock, self.busy = 0, None, False
        self._start()

    def _start(self):
        from kerasgrade.engine import judge

        mine, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the judge never returns
            mine.close()
            if sys.platform.startswith("linux"):
                import ctypes

                ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: end with the zygote
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

    def give(self, task: JudgeTask, child_sock: int, report_fd: int) -> None:
        from kerasgrade.wire import protocol

        self.ready()
        self.sock.settimeout(None)
        socket.send_fds(self.sock, [b"J"], [child_sock, report_fd])
        self.sock.sendall(protocol.encode(task.to_message()))
        self.busy = True


def _drain(fd: int, keep: bytearray, limit: int) -> bool:
    """Read what is there; keep up to ``limit`` bytes. False at end of file."""
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        return True
    except OSError:
        return False
    if data and len(keep) < limit:
        keep += data[: limit - len(keep)]
    return bool(data)


def _crash_detail(job: Job, status: int | None, over_memory: bool) -> str:
    if over_memory:
        return f"it used more than the memory limit ({job.memory_mb} MB)"
    if status is None:
        return "it could not be stopped and reaped in time"
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        return (f"killed by signal SIGKILL, which the kernel sends to a process that uses more "
                f"than its memory limit ({job.memory_mb} MB): does the code build huge "
                "arrays or models?")
    if os.WIFSIGNALED(status):
        return f"killed by signal {signal_name(os.WTERMSIG(status))}"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == WORKER_FAILED:
        return ("kerasgrade's request server failed inside the submission's process (see its "
                "output): does the code replace built-in, numpy or Keras functions?")
    return (f"it exited (status {os.WEXITSTATUS(status) if os.WIFEXITED(status) else status}) before "
            "grading finished: does the code call sys.exit(), os._exit() or exit()?")


def _run_job(job: Job, judge: _Judge) -> dict:
    """Grade one job in a confined child; whatever happens, an answer for this job."""
    start = time.monotonic()
    try:
        return _grade_in_child(job, start, judge)
    except BaseException as e:  # noqa: BLE001 - a failure here is this job's result, not the zygote's
        return {"events": [], "ended": "crash", "detail": f"the grading worker failed on this "
                f"submission ({type(e).__name__}: {e})", "output": "",
                "elapsed": round(time.monotonic() - start, 3)}


def _spawn_judged(job: Job, judge: _Judge, write_fd: int, out_w: int):
    """A child that answers the judge's requests; the judge gets its socket and the report pipe."""
    from kerasgrade.source import LoadError, read_source_or_error

    source = read_source_or_error(job.filename, job.source)
    code, notes = (None, []) if isinstance(source, LoadError) else source
    mine, theirs = socket.socketpair()
    try:
        child = spawn(job, _serve_body(job, theirs.fileno(), code), out_fd=out_w, keep_fd=theirs.fileno())
        task = JudgeTask.of(job, code, notes, load_error=str(source) if code is None else "")
        try:
            judge.give(task, mine.fileno(), write_fd)
        except BaseException:
            reap(child)
            raise
        return child
    finally:
        mine.close()
        theirs.close()


def _grade_in_child(job: Job, start: float, judge: _Judge) -> dict:
    # The judge writes the verdicts on a pipe of its own, which no child holds.
    read_fd, write_fd = os.pipe()
    out_r, out_w = os.pipe()
    try:
        child = _spawn_judged(job, judge, write_fd, out_w)
    except BaseException:
        os.close(read_fd)
        os.close(out_r)
        raise
    finally:
        os.close(write_fd)
        os.close(out_w)
    spawned = time.monotonic()  # for the benchmarks' per-phase table: fork, sandbox set-up begun
    status, reaped = None, False
    try:
        os.set_blocking(out_r, False)
        os.set_blocking(read_fd, False)
        deadline = start + float(job.timeout)
        report, output = bytearray(), bytearray()
        out_limit = job.output_kb * 1024
        ended, detail, out_open = "crash", "", True
        while DONE not in report:
            left = deadline - time.monotonic()
            if left <= 0:
                ended, detail = "timeout", f"{job.timeout:g} s"
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
        events = _events(report)
        lost = _judge_lost(events) if ended == "ok" else None
        if lost is Lost.ENDED:
            ended = "crash"  # the judge lost the child because it ended: the reaper says how
        elif lost is Lost.TIMEOUT:
            ended, detail = "timeout", f"{job.check_timeout:g} s for one check, without an answer"
        over_memory = memory_exceeded(child.pid, child.run)
        # The whole cgroup killed at once, then reaped with a deadline (a worker that ended early
        # by itself: its reaper reports how, first; after a complete report that does not matter).
        reaping = time.monotonic()
        status, reaped = reap(child, grace=REPORT_GRACE if ended == "crash" else 0.0), True
        reaped_at = time.monotonic()
        # What is still in the pipe, bounded in bytes and in time: every writer is dead now.
        drain_until = time.monotonic() + DRAIN_SECONDS
        while out_open and len(output) <= out_limit and time.monotonic() < drain_until and \
                select.select([out_r], [], [], max(0.0, drain_until - time.monotonic()))[0]:
            out_open = _drain(out_r, output, out_limit + 1)
    finally:
        if not reaped:
            reap(child)
        os.close(read_fd)
        os.close(out_r)
    if ended == "crash":
        detail = _crash_detail(job, status, over_memory)
    text = bytes(output[:out_limit]).decode("utf-8", "replace")
    if len(output) > out_limit:
        text += "\n[... output truncated]"
    return {"events": events, "ended": ended, "detail": detail, "output": text,
            "elapsed": round(time.monotonic() - start, 3),
            "phases": {"spawn": round(spawned - start, 4), "graded": round(reaping - spawned, 4),
                       "reap": round(reaped_at - reaping, 4)}}


def _events(report: bytes) -> list[dict | None]:
    """The judge's events (its own pipe: no child writes there), up to its last line."""
    events = []
    for line in bytes(report).split(DONE)[0].splitlines():
        try:
            events.append(json.loads(line.decode("utf-8", "replace")))
        except (ValueError, RecursionError):
            events.append(None)
    return events


def _judge_lost(events: list) -> Lost | None:
    """How the judge lost the child, from its typed event."""
    for event in events:
        lost = Lost.of(event.get("lost")) if isinstance(event, dict) else None
        if lost is not None:
            return lost
    return None


def main(course_file: str, only: list[str]) -> None:
    """Serve jobs for the course's exercises (``only`` these, if any are named)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: end with the parent
    proto_in = sys.stdin
    proto_out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing but the protocol reaches the parent's pipe
    _prepare_tensorflow(int(os.environ.get("KERASGRADE_THREADS", "1")))

    # Everything a child needs is imported now, before any fork: the child's view
    # of the disk no longer holds the course folder. (``notebook``: a course notebook's
    # test cells import it; they do nothing when kerasgrade grades the notebook.)
    from kerasgrade import explain, notebook, scoring, source  # noqa: F401
    from kerasgrade.checks import catalogue, warm_up
    from kerasgrade.course import load_course
    from kerasgrade.engine import server, test_cells, training  # noqa: F401
    from kerasgrade.engine.judge import import_judged_grader
    from kerasgrade.errors import KerasgradeError

    course = load_course(course_file)
    graders = {}
    for ex in course.exercises:
        if only and ex.id not in only:
            continue
        try:
            graders[ex.id] = import_judged_grader(ex.grader, f"kerasgrade_grader_{ex.id}")
        except Exception as e:  # noqa: BLE001 - the course author's error: named, and the worker ends
            refused = str(e) if isinstance(e, KerasgradeError) else \
                f"{ex.grader}: the grader could not be imported ({type(e).__name__}: {e})"
            proto_out.write(json.dumps({"refused": refused}) + "\n")
            proto_out.flush()
            os._exit(2)
    warm_up()
    level, reason = probe()
    judge = _Judge(graders, os.environ.get("KERASGRADE_SECRET_FILE") or None)
    hello = {"catalogue": {k: catalogue(m) for k, m in graders.items()}, "sandbox": [level, reason]}
    proto_out.write(json.dumps(hello) + "\n")
    for line in proto_in:
        try:
            job = Job.from_json(line)
        except (ValueError, TypeError, RecursionError) as e:
            answer = {"events": [], "ended": "crash", "detail": f"the job was unreadable ({e})",
                      "output": "", "elapsed": 0.0}
        else:
            answer = _run_job(job, judge) if job.exercise in graders else {
                "events": [], "ended": "crash", "detail": f"no grader for {job.exercise!r} in this worker",
                "output": "", "elapsed": 0.0}
        proto_out.write(json.dumps(answer) + "\n")
    proto_out.flush()
    if RUN_ENV not in os.environ:
        end_run(run_id())  # a zygote started on its own (a benchmark) removes its own cgroups
    os._exit(0)  # TensorFlow's teardown takes seconds and there is nothing to clean up


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
