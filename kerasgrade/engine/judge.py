"""The judge: runs every check's logic and decides every verdict, outside the student's process.

One judge per worker, forked from the zygote before the zygote forks any child (so it may
run TensorFlow operations: it never forks again). It reads its secret itself, after the
fork, so no child (all forked from the zygote) ever holds it. For each job the zygote
hands it the socket of a fresh child running ``server.serve`` and the pipe on which the
zygote reads the verdicts; the judge runs the grader's checks, each of which asks the child
to construct, call, describe, set weights, train, and decides from the answers.

The events it writes (``{"check", "passed", "message", "data"}``, ``{"load_error"}``,
``{"note"}``, ``{"lost"}``) are what ``scoring.score`` turns into results.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sys
import time
import traceback
import types

from kerasgrade.checks import checks_of, import_grader
from kerasgrade.errors import KerasgradeError
from kerasgrade.explain import assertion_message, out_of_time
from kerasgrade.grading import draw, expect
from kerasgrade.grading.expect import Submission, clean, explain_remote
from kerasgrade.job import JudgeTask
from kerasgrade.wire import protocol
from kerasgrade.wire.handle import Channel, ChildLost, LearnerError, Lost, OutOfTime

DONE = {"done": True}
SECRET_BYTES = 32


def import_judged_grader(path, name: str) -> types.ModuleType:
    """The grader at ``path`` imported as the module ``name``; a grader whose checks are not
    written for the judge (``JUDGED = True``, ``kerasgrade.grading``) is refused by name."""
    grader = import_grader(path, name)
    if getattr(grader, "JUDGED", False) is not True:
        raise KerasgradeError(
            f"{path}: this grader does not say `JUDGED = True`. Every check runs in the judge, "
            "outside the learner's process (kerasgrade no longer runs checks inside it): write the "
            "checks with `kerasgrade.grading.expect` and set `JUDGED = True` (docs/AUTHORING.md).")
    return grader


def read_secret(path: str | None) -> bytes:
    """The judge's secret: the file's bytes if given (reproducible regrades), else b"" (the
    course seed alone: ``check`` and ``validate``, where nobody has a grade to forge)."""
    if not path:
        return b""
    with open(path, "rb") as f:
        return f.read(4096)


def _load_message(e: BaseException) -> str:
    if isinstance(e, OutOfTime):
        return ("Importing your file did not finish in time: is there a loop or training at the top "
                "level? Put experiments under `if __name__ == \"__main__\":`.")
    if isinstance(e, ChildLost):
        return f"Your file could not be imported: its process stopped answering the grader ({e})."
    if e.error.kind == "SyntaxError":
        return (f"Python cannot read your file: {clean(e.error.text)} at {clean(e.error.where)}"
                "\n  Fix the syntax error first; no check can run before the file imports.")
    return explain_remote(e, "importing your file") + "\n  No check can run before the file imports."


def _lost_word(channel: Channel) -> str:
    return channel.lost_kind.value if channel.lost_kind is not None else ""


def _first_leaf(group: BaseExceptionGroup) -> BaseException:
    while isinstance(group, BaseExceptionGroup) and group.exceptions:
        group = group.exceptions[0]
    return group


def judge_check(fn, submission: Submission, *, check_timeout: float) -> dict:
    """Run one check; the event it produces. ``ChildLost`` is re-raised after the event is made."""
    channel = submission.channel
    expect.recorded.clear()
    channel.start_check(check_timeout)
    lost = None
    try:
        fn(submission)
        passed, message = True, ""
    except OutOfTime:
        passed, message = False, out_of_time(check_timeout)
    except ChildLost as e:
        lost = e
        passed, message = False, f"Your submission's process stopped answering the grader: {e}."
    except AssertionError as e:  # CheckFailed and hypothesis-wrapped assertion failures
        passed, message = False, assertion_message(e)
    except BaseExceptionGroup as e:  # hypothesis's FlakyFailure: the failure is inside
        inner = _first_leaf(e)
        if isinstance(inner, (ChildLost, OutOfTime)):
            raise inner from None
        passed, message = False, (assertion_message(inner, group=e) if isinstance(inner, AssertionError) else
                                  explain_remote(inner) if isinstance(inner, LearnerError) else
                                  "The grader could not judge this check from what your code answered "
                                  f"({type(inner).__name__}).")
    except LearnerError as e:
        passed, message = False, explain_remote(e)
    except Exception as e:  # noqa: BLE001 - a grader's own failure on odd answers is this check's
        traceback.print_exc(file=sys.stderr)
        passed, message = False, ("The grader could not judge this check from what your code "
                                  f"answered ({type(e).__name__}). Check that your model returns "
                                  "tensors of the shapes the exercise asks for.")
    finally:
        channel.deadline = None
    event = {"check": fn.kerasgrade_check.name, "passed": passed, "message": message}
    if expect.recorded:
        event["data"] = dict(expect.recorded)
    if lost is not None:
        event["lost"] = _lost_word(channel)  # the zygote tells how the child ended
    return event


def judge(grader: types.ModuleType, task: JudgeTask, channel: Channel, emit, secret: bytes) -> None:
    """Grade one submission through ``channel``; ``emit`` each event."""
    started = time.monotonic()
    code, notes = task.code, task.notes
    submission = Submission(channel, code, task.filename, follow=getattr(grader, "FOLLOW", None))
    # With a secret (a class graded), the draws are the student's and the file's own; without
    # one (check, validate, mutate), every file of an exercise draws the same, so that mutants
    # and alternatives can be compared with the reference answer by answer.
    base = (task.seed, task.exercise)
    if secret:
        base += (task.student, hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest())
    checks = [(s, fn) for s, fn in checks_of(grader) if task.include_hidden or not s.hidden]
    if task.load_error:
        emit({"load_error": task.load_error})
        return
    channel.start_check(task.check_timeout)
    try:
        channel.request("load")
    except (LearnerError, OutOfTime, ChildLost) as e:
        emit({"violation": channel.lost} if channel.violated else
             {"load_error": _load_message(e), "lost": _lost_word(channel)})
        return
    except Exception as e:  # noqa: BLE001 - the judge's own failure on an odd answer: this job's result
        emit({"load_error": f"The grader could not read your file's answers ({type(e).__name__})."})
        return
    finally:
        channel.deadline = None
    for note in notes:
        emit({"note": note})
    check_seconds: dict[str, float] = {}  # for the benchmarks' per-phase table
    for spec, fn in checks:
        if channel.lost:
            emit({"check": spec.name, "passed": False,
                  "message": f"Not run: your submission's process stopped answering the grader ({channel.lost})."})
            continue
        draw.seed(draw.key(secret, *base, spec.name))
        try:
            channel.start_check(task.check_timeout)
            channel.request("reset", seed=draw.key(secret, *base, spec.name, "child") % (1 << 31))
        except (ChildLost, OutOfTime, LearnerError):
            pass  # the check itself reports it
        except Exception as e:  # noqa: BLE001 - the judge's own failure: this check's, never the job's
            channel.lost, channel.lost_kind = f"the grader could not prepare the check ({type(e).__name__})", Lost.VIOLATION
        began = time.monotonic()
        emit(judge_check(fn, submission, check_timeout=task.check_timeout))
        check_seconds[spec.name] = round(time.monotonic() - began, 4)
    channel.check_quiet()
    if channel.violated:
        emit({"violation": channel.lost})
    emit({"stats": {"requests": channel.requests, "waited": round(channel.waited, 4),
                    "seconds": round(time.monotonic() - started, 4), "checks": check_seconds,
                    "ops": {op: [n, round(t, 4)] for op, (n, t) in channel.by_op.items()}}})


def judge_here(grader: types.ModuleType, path, *, include_hidden: bool, check_timeout: float, seed: int,
               emit, student: str = "here", exercise: str | None = None, secret: bytes = b"") -> None:
    """The judge and the child's request server in this one process, no isolation: what a
    benchmark's warm interpreter runs (trusted files only). The same requests and verdicts; with
    the ``secret``, ``student`` and ``exercise`` of a ``grade`` run, the same draws too."""
    from kerasgrade.engine.server import Server
    from kerasgrade.source import read_source
    from kerasgrade.wire.handle import LocalChannel

    code, notes = read_source(path)
    channel = LocalChannel(Server(code, str(path)), check_timeout)
    task = JudgeTask(student, exercise or getattr(grader, "__name__", ""), str(path), code, notes, seed=seed,
                     include_hidden=include_hidden, check_timeout=check_timeout)
    judge(grader, task, channel, emit, secret)
    emit(DONE)


# -- the judge process -------------------------------------------------------------------------

def serve(control: socket.socket, graders: dict[str, types.ModuleType], secret_file: str | None) -> None:
    """The judge's loop (in the forked judge process): one job at a time, never returns."""
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent ends the run; the zygote ends us
    secret = read_secret(secret_file)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, 1, 2)
        except OSError:
            os._exit(0)
        if not msg:
            os._exit(0)  # the zygote is gone
        try:
            task = JudgeTask.from_message(protocol.receive(control.fileno()))
        except (protocol.ProtocolError, ValueError):
            os._exit(1)
        child_fd, report_fd = (fds + [-1, -1])[:2]
        report = os.fdopen(report_fd, "w", buffering=1, closefd=True) if report_fd >= 0 else None

        def emit(event: dict):
            if report is not None:
                try:
                    report.write(json.dumps(event) + "\n")
                except (OSError, ValueError):
                    pass  # the zygote gave up on this job (its time ran out)

        try:
            channel = Channel(child_fd, task.check_timeout)
            judge(graders[task.exercise], task, channel, emit, secret)
            emit(DONE)
        except BaseException:  # noqa: BLE001 - the judge's failure on one job is that job's
            traceback.print_exc(file=sys.stderr)
        finally:
            for closing in (lambda: report and report.close(), lambda: os.close(child_fd)):
                try:
                    closing()
                except OSError:
                    pass
            try:
                control.sendall(b".")  # idle again
            except OSError:
                os._exit(0)
