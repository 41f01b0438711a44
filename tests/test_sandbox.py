"""The sandbox's defences, each shown by attacking it from a confined child (no TensorFlow)."""
import errno
import json
import os
import subprocess
import sys
import threading

import pytest

from kerasgrade.engine import sandbox
from kerasgrade.job import Job

from .conftest import ROOT

needs_full = pytest.mark.skipif(sandbox.probe()[0] != sandbox.FULL, reason="no full sandbox here")


def in_child(fn, **job) -> tuple[dict, int | None]:
    """Run ``fn()`` in a child spawned as a grading child is; its JSON answer and wait status."""
    r, w = os.pipe()

    def body(missing):
        try:
            answer = fn()
        except BaseException as e:  # noqa: BLE001
            answer = {"raised": repr(e)}
        os.write(w, json.dumps(answer).encode())
        os._exit(0)

    child = sandbox.spawn(Job("t", "t", "t", b"", **job), body, out_fd=2, keep_fd=w,
                          run=f"{sandbox.run_id()}-test")
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    status = sandbox.reap(child, grace=1.0)
    sandbox.end_run(child.run)
    return (json.loads(data) if data else {}), status


def errno_of(call) -> int:
    import ctypes

    ctypes.set_errno(0)
    ret = call()
    return 0 if ret == 0 else ctypes.get_errno()


def test_the_seccomp_filter_refuses_ptrace_and_its_relatives_but_not_threads_or_fork():
    def attack():
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        sandbox.seccomp()
        nr = sandbox._nr
        out = {name: errno_of(lambda n=name: libc.syscall(ctypes.c_long(nr(n)), 0, 0, 0, 0))
               for name in ("ptrace", "process_vm_readv", "perf_event_open", "kcmp", "bpf", "userfaultfd",
                            "keyctl", "mount", "umount2", "pivot_root", "chroot", "unshare", "setns")}
        out["clone_newns"] = errno_of(lambda: libc.syscall(ctypes.c_long(nr("clone")), sandbox.CLONE_NEWNS | 17,
                                                           0, 0, 0, 0))
        out["clone3"] = errno_of(lambda: libc.syscall(ctypes.c_long(nr("clone3")), 0, 0))
        seen = []
        t = threading.Thread(target=lambda: seen.append(1))
        t.start(), t.join()
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        out["thread"], out["fork"] = seen == [1], os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        return out

    out, _ = in_child(attack)
    assert out.pop("thread") is True and out.pop("fork") == 7, out
    assert out.pop("clone3") == errno.ENOSYS  # the C library falls back to clone
    assert set(out.values()) == {errno.EPERM}, out


@needs_full
def test_a_child_sees_only_read_only_mounts_but_its_own_tmp_shm_and_proc():
    def look():
        mounts = {}
        with open("/proc/self/mountinfo") as f:
            for line in f:
                parts = line.split()
                mounts[parts[4]] = "ro" if "ro" in parts[5].split(",") else "rw"
        writable = {}
        for path in ("/dev/shm/x", "/tmp/x", "/usr/x", "/sys/fs/cgroup/pids/x", "/x", "/dev/x"):
            try:
                open(path, "w").close()
                writable[path] = True
            except OSError:
                writable[path] = False
        return {"mounts": mounts, "writable": writable, "dev": sorted(os.listdir("/dev")),
                "pid": os.getpid(), "uid": os.getuid(), "course": os.path.exists(str(ROOT))}

    out, _ = in_child(look)
    rw = {m for m, mode in out["mounts"].items() if mode == "rw"}
    assert rw == {"/tmp", "/dev/shm", "/proc"} | {f"/dev/{d}" for d in sandbox.DEVICES}, out["mounts"]
    assert out["writable"] == {"/dev/shm/x": True, "/tmp/x": True, "/usr/x": False,
                               "/sys/fs/cgroup/pids/x": False, "/x": False, "/dev/x": False}
    assert out["dev"] == sorted([*sandbox.DEVICES, "fd", "shm", "stdin", "stdout", "stderr"])
    assert out["pid"] == 2  # the worker; PID 1 is the reaper
    assert out["uid"] >= sandbox.UID_BASE and not out["course"]
    assert not os.path.exists("/dev/shm/x")


@needs_full
def test_two_live_children_never_share_a_user_id():
    answers = []

    def uid_while_another_lives():
        return {"uid": os.getuid()}

    r, w = os.pipe()
    first = sandbox.spawn(Job("t", "t", "t", b""), lambda m: (os.read(r, 1), os._exit(0)), out_fd=2, keep_fd=r,
                          run=f"{sandbox.run_id()}-uids")
    try:
        for _ in range(3):
            answers.append(in_child(uid_while_another_lives)[0]["uid"])
    finally:
        os.close(w), os.close(r)
        sandbox.reap(first)
        sandbox.end_run(first.run)
    assert len(set(answers) | {sandbox.UID_BASE + first.pid}) == 4


def processes_named(name: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{pid}/comm").read().strip() == name:
                found.append(pid)
        except OSError:
            pass
    return found


@needs_full
def test_a_child_that_dies_of_a_real_time_signal_is_named_and_nothing_it_started_survives():
    name = f"kg{os.getpid() % 100000}orphan"

    def die():
        import ctypes
        import signal

        if os.fork() == 0:  # an orphan in its own session, ignoring what it can
            os.setsid()
            ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME: found by name below
            for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(s, signal.SIG_IGN)
            while True:
                signal.pause()
        import time

        time.sleep(0.2)
        os.kill(os.getpid(), 40)

    _, status = in_child(die)
    assert os.WIFSIGNALED(status) and sandbox.signal_name(os.WTERMSIG(status)).startswith("SIGRTMIN+")
    assert processes_named(name) == []


def test_doctor_lists_every_defence_with_reached_or_missing():
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", "doctor"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("reached", "missing"))]
    assert [line.split(None, 1)[1] for line in lines] == list(sandbox.DEFENCES.values())
    assert proc.returncode == (0 if all(line.startswith("reached") for line in lines) else 1)
    forced = subprocess.run([sys.executable, "-m", "kerasgrade", "doctor"], capture_output=True, text=True,
                            timeout=120, cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), KERASGRADE_SANDBOX="rlimits"))
    assert forced.returncode == 1 and "why: turned off by KERASGRADE_SANDBOX=rlimits" in forced.stdout
