"""Confine a forked grading child: namespaces, a read-only view, no network, limits.

Called in the child right after ``fork`` (before any learner code runs), so it
costs a few system calls, not a new interpreter. With root (or CAP_SYS_ADMIN)
on Linux the child gets:

* its own mount, network, IPC and UTS namespaces: no network at all, and a
  new root made of read-only bind mounts of what Python and TensorFlow need
  (``/usr``, ``/lib*``, ``/etc``, the interpreter's prefix, ``/proc``,
  ``/sys``, ``/dev``) plus a private, size-limited ``/tmp``; the course (with
  its solutions and mutants), the class's folder, the output folder and
  ``/root`` are simply not there;
* a memory and a process-count cgroup of its own (v1 or v2), so a memory bomb
  or fork bomb ends in that child only, and every process it started can be
  found and killed afterwards;
* an unprivileged user id of its own and ``no_new_privs``.

Without those rights (a laptop, a locked-down container) ``probe()`` says
why, the run says so at its start, and the child keeps the resource limits
(``rlimits``) only.
"""
from __future__ import annotations

import ctypes
import os
import resource
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET = 0x00020000, 0x04000000, 0x08000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 32, 4096, 16384, 1 << 18)
PR_SET_NO_NEW_PRIVS = 38
FIRST_UID = 61000            # children run as FIRST_UID + (pid % 4000): one user id each
CGROUP_ROOT = "/sys/fs/cgroup"
CGROUP_NAME = "kerasgrade"
READ_ONLY = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"]
NEW_ROOT = "/mnt"            # mount point of the child's new root, inside its own namespace

_libc = ctypes.CDLL(None, use_errno=True)


class SandboxError(OSError):
    pass


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise SandboxError(err, f"{what}: {os.strerror(err)}")


def _mount(src, dst, fstype=None, flags=0, data=None):
    _check(_libc.mount(src and src.encode(), dst.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), f"mount {src} on {dst}")


def _bind(src: str, dst: str, read_only: bool = True) -> None:
    if os.path.isdir(src):
        os.makedirs(dst, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        open(dst, "a").close()
    _mount(src, dst, None, MS_BIND | MS_REC)
    if read_only:
        _mount(None, dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


# -- cgroups ------------------------------------------------------------------------------------

def _cgroup_dirs(pid: int) -> list[str]:
    """The cgroup folders of one child: v2 (one folder) or v1 (memory and pids)."""
    if os.path.exists(f"{CGROUP_ROOT}/cgroup.controllers"):
        return [f"{CGROUP_ROOT}/{CGROUP_NAME}/job-{pid}"]
    return [f"{CGROUP_ROOT}/{c}/{CGROUP_NAME}/job-{pid}" for c in ("memory", "pids")
            if os.path.isdir(f"{CGROUP_ROOT}/{c}")]


def _write(path: str, value) -> None:
    with open(path, "w") as f:
        f.write(str(value))


def join_cgroup(pid: int, memory_mb: int, max_pids: int) -> None:
    for d in _cgroup_dirs(pid):
        os.makedirs(d, exist_ok=True)
        for name, value in (("memory.limit_in_bytes", memory_mb << 20), ("memory.max", memory_mb << 20),
                            ("memory.memsw.limit_in_bytes", memory_mb << 20), ("memory.swap.max", 0),
                            ("pids.max", max_pids)):
            if os.path.exists(f"{d}/{name}"):
                try:
                    _write(f"{d}/{name}", value)
                except OSError:
                    pass  # e.g. memsw accounting off: the plain limit still holds
        _write(f"{d}/cgroup.procs", os.getpid())


def kill_cgroup(pid: int) -> bool:
    """Kill every process left in the child's cgroups and remove them; True if it had any."""
    import signal
    import time

    found = False
    for d in _cgroup_dirs(pid):
        if not os.path.isdir(d):
            continue
        found = True
        for _ in range(50):
            try:
                pids = [int(p) for p in open(f"{d}/cgroup.procs").read().split()]
            except OSError:
                pids = []
            if not pids:
                break
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        try:
            os.rmdir(d)
        except OSError:
            pass
    return found


def memory_exceeded(pid: int) -> bool:
    for d in _cgroup_dirs(pid):
        for name in ("memory.failcnt", "memory.events"):
            try:
                text = open(f"{d}/{name}").read()
            except OSError:
                continue
            if name == "memory.failcnt" and int(text.strip() or 0) > 0:
                return True
            if name == "memory.events" and any(line.startswith("oom_kill ") and not line.endswith(" 0")
                                                for line in text.splitlines()):
                return True
    return False


# -- the confinement ------------------------------------------------------------------------------

def _new_root(tmp_mb: int) -> None:
    _mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    for path in READ_ONLY + sorted({sys.prefix, sys.base_prefix, sys.exec_prefix}):
        if os.path.exists(path) and not os.path.islink(path):
            _bind(path, NEW_ROOT + path)
        elif os.path.islink(path):
            os.symlink(os.readlink(path), NEW_ROOT + path)
    for path in ("/proc", "/sys"):
        _bind(path, NEW_ROOT + path)
    _bind("/dev", NEW_ROOT + "/dev", read_only=False)
    os.makedirs(NEW_ROOT + "/tmp")
    _mount("tmpfs", NEW_ROOT + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=1777")
    _check(_libc.chroot(NEW_ROOT.encode()), "chroot")
    os.chdir("/tmp")


def confine(job: dict) -> str:
    """Confine the calling (freshly forked) child; returns the level reached.

    ``namespaces``: all of the above. ``rlimits``: only resource limits (no
    rights for namespaces). Resource limits are set in both cases.
    """
    level = "rlimits"
    if os.environ.get("KERASGRADE_SANDBOX") == "rlimits":
        job["sandbox_error"] = "namespaces turned off by KERASGRADE_SANDBOX=rlimits"
    elif os.geteuid() == 0 and sys.platform.startswith("linux"):
        try:
            join_cgroup(os.getpid(), int(job.get("memory_mb", 4096)), int(job.get("max_pids", 256)))
            _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            _new_root(int(job.get("tmp_mb", 256)))
            uid = FIRST_UID + os.getpid() % 4000
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            level = "namespaces"
        except OSError as e:
            if os.getuid() != 0 or os.geteuid() != 0:
                raise  # half-dropped privileges: never go on
            job["sandbox_error"] = str(e)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.environ["HOME"] = os.getcwd() if level == "namespaces" else os.environ.get("HOME", "/tmp")
    _rlimits(job, cgroup=level == "namespaces")
    return level


def _rlimits(job: dict, cgroup: bool) -> None:
    def cap(which, value):
        try:
            soft, hard = resource.getrlimit(which)
            value = min(value, hard) if hard != resource.RLIM_INFINITY else value
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_CPU, int(job.get("timeout", 60)) * 2 + 5)
    cap(resource.RLIMIT_FSIZE, int(job.get("tmp_mb", 256)) << 20)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NOFILE, 1024)
    if not cgroup:
        # No memory cgroup: an address-space limit instead. TensorFlow reserves far more
        # address space than it uses, so this one is generous.
        cap(resource.RLIMIT_AS, (int(job.get("memory_mb", 4096)) + 4096) << 20)
        cap(resource.RLIMIT_NPROC, int(job.get("max_pids", 256)) * 4)


def probe() -> tuple[str, str]:
    """Which level a child would reach here, and why not more: forks a throw-away child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        job = {"memory_mb": 512, "timeout": 5}
        try:
            level = confine(job)
            msg = f"{level}\n{job.get('sandbox_error', '')}"
        except BaseException as e:  # noqa: BLE001
            msg = f"rlimits\n{e}"
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    kill_cgroup(pid)
    level, _, reason = data.decode().partition("\n")
    if level != "namespaces" and not reason:
        reason = "not running as root on Linux (namespaces and cgroups need it)"
    return level or "rlimits", reason
