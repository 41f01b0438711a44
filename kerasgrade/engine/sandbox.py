"""Confine a forked grading child: namespaces, a read-only view, no network, limits.

``spawn`` forks the child (from the zygote, or from ``probe``); everything here
costs system calls, not a new interpreter. With root on Linux the child gets:

* its own PID namespace: the forked process is PID 1 there, a tiny reaper that
  forks the worker and exits with the worker's status, so when it ends the
  kernel kills everything left in the namespace (``_reaper``);
* its own mount, network, IPC and UTS namespaces: no network at all, and a new
  root (``pivot_root``) made of read-only bind mounts, read-only all the way
  down, of what Python and TensorFlow need (``/usr``, ``/lib*``, ``/etc``,
  ``/opt``, the interpreter's prefixes wherever they are, ``/sys``), a fresh
  ``/proc`` of its PID namespace, a minimal ``/dev`` (null, zero, full, random,
  urandom, a private ``/dev/shm``) and a private, size-limited ``/tmp``; the
  course (with its solutions and mutants), the class's folder, the output
  folder and ``/root`` are simply not there;
* a memory, process-count and freezer cgroup of its own (v1, or one v2
  folder), ``RUN/job-<pid>``, so a memory or fork bomb ends in that child only
  and the whole job is killed at once (``cgroup.kill`` or the freezer);
* a user id of its own (``UID_BASE`` + its host pid: unique while its cgroup
  lives, since the cgroup is killed before the pid is reaped), no groups,
  ``no_new_privs``, resource limits and a seccomp filter that refuses
  ``ptrace`` and its relatives, mounts and namespace changes (``seccomp``).

What cannot be had here is said: each defence is reached or missing with a
reason (``probe``, ``kerasgrade doctor``). Without namespaces but as root
(``KERASGRADE_SANDBOX=rlimits``, or a kernel that refuses them) the child still
gets the cgroup, its own user id, a private working folder, the limits and the
filter, so a classmate's files and the output stay out of its reach.
"""
from __future__ import annotations

import ctypes
import errno
import glob
import json
import os
import platform
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
from dataclasses import dataclass

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x02000000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18)
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS = 1, 22, 38
UID_BASE = 2_000_000_000     # a child runs as UID_BASE + its host pid (pid_max <= 2**22)
CGROUP_ROOT = "/sys/fs/cgroup"
CGROUP_NAME = "kerasgrade"
V1_CONTROLLERS = ("memory", "pids", "freezer")
RUN_ENV = "KERASGRADE_RUN"   # the run's id: its cgroups are CGROUP_NAME/run-<id>/
FORCE_ENV = "KERASGRADE_SANDBOX"
READ_ONLY = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"]
NEW_ROOTS = ("/mnt", "/media", "/srv", "/run", "/boot")  # where the new root is built (first not in use)
DEVICES = ("null", "zero", "full", "random", "urandom")
SHM_MB = 64
WORKDIR_PREFIX = "kerasgrade-job-"  # a child's working folder without a mount namespace: /tmp/<this><run>-*
REAP_SECONDS = 5.0           # how long the zygote waits for a killed child to be reaped
WORKER_FAILED = 70           # exit status of a child whose confinement or trusted code failed

# The defences, in the order ``kerasgrade doctor`` prints them.
DEFENCES = {
    "mount": "mount namespace + new root (read-only, minimal /dev, private /tmp)",
    "pid": "PID namespace (the kernel ends all of a job's processes)",
    "net": "network namespace (no network)",
    "cgroup": "cgroup: memory and process limits, killed at once",
    "uid": "an unprivileged user id of its own",
    "seccomp": "seccomp filter (no ptrace, mount, namespace changes, bpf...)",
    "no_new_privs": "no_new_privs",
    "rlimits": "resource limits (CPU, file size, open files, no core)",
}
FULL = "namespaces"          # the level of a child with every defence
PARTIAL = "rlimits"          # the level of a child without them all

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class SandboxError(OSError):
    pass


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise SandboxError(err, f"{what}: {os.strerror(err)}")


def _mount(src, dst, fstype=None, flags=0, data=None):
    _check(_libc.mount(src and src.encode(), dst.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), f"mount {src} on {dst}")


# -- system call numbers (x86_64 and aarch64) ---------------------------------------------------

_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}  # AUDIT_ARCH_*
_NR = {  # name: (x86_64, aarch64)
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "perf_event_open": (298, 241), "kcmp": (312, 272), "bpf": (321, 280), "userfaultfd": (323, 282),
    "keyctl": (250, 219), "add_key": (248, 217), "request_key": (249, 218),
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "chroot": (161, 51),
    "unshare": (272, 97), "setns": (308, 268), "pidfd_getfd": (438, 438),
    "open_tree": (428, 428), "move_mount": (429, 429), "fsopen": (430, 430), "fsconfig": (431, 431),
    "fsmount": (432, 432), "fspick": (433, 433), "mount_setattr": (442, 442),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "name_to_handle_at": (303, 264), "open_by_handle_at": (304, 265), "fanotify_init": (300, 262),
    "acct": (163, 89), "swapon": (167, 224), "kexec_load": (246, 104), "init_module": (175, 105),
    "finit_module": (313, 273), "quotactl": (179, 60),
    "clone": (56, 220), "clone3": (435, 435),
}
_MACHINE = platform.machine()
_COLUMN = {"x86_64": 0, "aarch64": 1}.get(_MACHINE)


def _nr(name: str) -> int | None:
    return None if _COLUMN is None else _NR[name][_COLUMN]


# -- a bind mount, read-only all the way down ----------------------------------------------------

class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 1, 2, 4
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
_setattr_works = [_nr("mount_setattr") is not None]


def _submounts(top: str) -> list[str]:
    """Every mount point at or under ``top`` (from /proc/self/mountinfo), parents first."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].encode().decode("unicode_escape")  # \\040 for a space
            if point == top or point.startswith(top.rstrip("/") + "/"):
                points.append(point)
    return sorted(set(points), key=len)


def read_only(path: str) -> None:
    """Make the mount at ``path`` and every mount under it read-only, nosuid and nodev."""
    if _setattr_works[0]:
        attr = _MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, 0)
        ret = _libc.syscall(ctypes.c_long(_nr("mount_setattr")), ctypes.c_int(AT_FDCWD), path.encode(),
                            ctypes.c_uint(AT_RECURSIVE), ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)))
        if ret == 0:
            return
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL):
            _check(ret, f"mount_setattr {path}")
        _setattr_works[0] = False  # an older kernel: remount each submount
    for point in _submounts(path):
        _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _bind(src: str, dst: str, recursive: bool = True) -> None:
    if os.path.isdir(src):
        os.makedirs(dst, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        open(dst, "a").close()
    _mount(src, dst, None, MS_BIND | (MS_REC if recursive else 0))


# -- seccomp: no ptrace and relatives, no mounts, no namespace changes --------------------------

DENIED = ["ptrace", "process_vm_readv", "process_vm_writev", "perf_event_open", "kcmp", "bpf",
          "userfaultfd", "keyctl", "add_key", "request_key", "mount", "umount2", "pivot_root",
          "chroot", "unshare", "setns", "pidfd_getfd", "open_tree", "move_mount", "fsopen",
          "fsconfig", "fsmount", "fspick", "mount_setattr", "io_uring_setup", "io_uring_enter",
          "io_uring_register", "name_to_handle_at", "open_by_handle_at", "fanotify_init", "acct",
          "swapon", "kexec_load", "init_module", "finit_module", "quotactl"]
_RET_KILL, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06


def seccomp_program() -> list[tuple[int, int, int, int]]:
    """The filter: another architecture (or x32) is killed; a denied call fails with EPERM;
    ``clone`` with a namespace flag fails with EPERM; ``clone3`` (whose flags a filter cannot
    read) says ENOSYS, so the C library falls back to ``clone``."""
    if _COLUMN is None:
        raise SandboxError(errno.ENOSYS, f"seccomp: no system call table for {_MACHINE}")
    prog = [(_LD_ABS, 0, 0, 4), (_JEQ, 1, 0, _ARCH[_MACHINE]), (_RET, 0, 0, _RET_KILL), (_LD_ABS, 0, 0, 0)]
    if _MACHINE == "x86_64":
        prog += [(_JGE, 0, 1, 0x40000000), (_RET, 0, 0, _RET_KILL)]
    denied = [_nr(n) for n in DENIED]
    tail = len(prog) + len(denied) + 1          # index of the clone test
    allow, deny, nosys = tail + 3, tail + 4, tail + 5
    for i, nr in enumerate(denied):
        prog.append((_JEQ, deny - (len(prog) + 1), 0, nr))
    prog.append((_JEQ, nosys - (len(prog) + 1), 0, _nr("clone3")))
    prog += [(_JEQ, 0, 2, _nr("clone")),                 # tail
             (_LD_ABS, 0, 0, 16),                         # clone's flags (low 32 bits of args[0])
             (_JSET, 1, 0, NAMESPACE_FLAGS),
             (_RET, 0, 0, _RET_ALLOW),                    # allow
             (_RET, 0, 0, _RET_ERRNO | errno.EPERM),      # deny
             (_RET, 0, 0, _RET_ERRNO | errno.ENOSYS)]     # nosys
    assert len(prog) == nosys + 1 and all(0 <= jt < 256 and 0 <= jf < 256 for _, jt, jf, _ in prog)
    return prog


def seccomp() -> None:
    """Install the filter on the calling thread (and all it starts); needs no_new_privs or root."""
    prog = seccomp_program()
    raw = b"".join(struct.pack("HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Fprog(len(prog), ctypes.addressof(buf))
    _check(_libc.prctl(PR_SET_SECCOMP, 2, ctypes.byref(fprog), 0, 0), "seccomp")


# -- cgroups: RUN/job-<pid>, killed at once ----------------------------------------------------

def run_id() -> str:
    return os.environ.get(RUN_ENV) or f"z{os.getpid()}"


def cgroup_v2() -> bool:
    return os.path.exists(f"{CGROUP_ROOT}/cgroup.controllers")


def _run_dirs(run: str) -> list[str]:
    if cgroup_v2():
        return [f"{CGROUP_ROOT}/{CGROUP_NAME}/run-{run}"]
    return [f"{CGROUP_ROOT}/{c}/{CGROUP_NAME}/run-{run}" for c in V1_CONTROLLERS
            if os.path.isdir(f"{CGROUP_ROOT}/{c}")]


def _cgroup_dirs(pid: int, run: str | None = None) -> list[str]:
    """The cgroup folders of one child: v2 (one folder) or v1 (memory, pids, freezer)."""
    return [f"{d}/job-{pid}" for d in _run_dirs(run or run_id())]


def _write(path: str, value) -> None:
    with open(path, "w") as f:
        f.write(str(value))


def cgroup_missing() -> str:
    """Why a job's cgroup could not be killed at once here ("" if it can)."""
    if os.geteuid() != 0:
        return "not root"
    if cgroup_v2():
        return ""  # cgroup.kill (or cgroup.freeze) lives in every non-root folder
    absent = [c for c in V1_CONTROLLERS if not os.path.isdir(f"{CGROUP_ROOT}/{c}")]
    return f"no cgroup v1 {', '.join(absent)} controller mounted under {CGROUP_ROOT}" if absent else ""


def join_cgroup(pid: int, memory_mb: int, max_pids: int, run: str) -> None:
    """Put the calling process (whose host pid is ``pid``) in its own cgroup, with limits."""
    dirs = _cgroup_dirs(pid, run)
    if not dirs:
        raise SandboxError(errno.ENOENT, f"no cgroup controllers under {CGROUP_ROOT}")
    if cgroup_v2():
        parent = os.path.dirname(dirs[0])
        os.makedirs(parent, exist_ok=True)
        for up in (f"{CGROUP_ROOT}/{CGROUP_NAME}", parent):
            try:
                _write(f"{up}/cgroup.subtree_control", "+memory +pids")
            except OSError:
                pass
    for d in dirs:
        os.makedirs(d, exist_ok=True)
        for name, value in (("memory.limit_in_bytes", memory_mb << 20), ("memory.max", memory_mb << 20),
                            ("memory.memsw.limit_in_bytes", memory_mb << 20), ("memory.swap.max", 0),
                            ("pids.max", max_pids)):
            if os.path.exists(f"{d}/{name}"):
                try:
                    _write(f"{d}/{name}", value)
                except OSError:
                    pass  # e.g. memsw accounting off: the plain limit still holds
        _write(f"{d}/cgroup.procs", 0)  # 0: the writer itself


def _procs(d: str) -> list[int]:
    try:
        with open(f"{d}/cgroup.procs") as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


def _kill_dir(d: str, deadline: float) -> None:
    """Kill every process in one cgroup folder, at once where the kernel can."""
    if os.path.exists(f"{d}/cgroup.kill"):
        try:
            _write(f"{d}/cgroup.kill", 1)
            return
        except OSError:
            pass
    frozen = False
    for state, want in ((f"{d}/freezer.state", "FROZEN"), (f"{d}/cgroup.freeze", "1")):
        if os.path.exists(state):
            try:
                _write(state, want)
                frozen = True
            except OSError:
                pass
            while frozen and state.endswith("freezer.state") and time.monotonic() < deadline:
                try:
                    if open(state).read().strip() == "FROZEN":
                        break
                except OSError:
                    break
                time.sleep(0.002)
    for p in _procs(d):  # frozen: none of them can fork meanwhile
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if frozen:
        for state, thawed in ((f"{d}/freezer.state", "THAWED"), (f"{d}/cgroup.freeze", "0")):
            if os.path.exists(state):
                try:
                    _write(state, thawed)  # a killed, frozen process dies once thawed
                except OSError:
                    pass


def kill_cgroup(pid: int, run: str | None = None, remove: bool = True, seconds: float = REAP_SECONDS) -> bool:
    """Kill every process in the job's cgroups (all at once), wait until they are gone and
    (``remove``) remove the folders; True if it had any. Never waits past ``seconds``."""
    dirs = [d for d in _cgroup_dirs(pid, run) if os.path.isdir(d)]
    deadline = time.monotonic() + seconds
    freezer = [d for d in dirs if "/freezer/" in d or cgroup_v2()]
    for d in freezer + [d for d in dirs if d not in freezer]:
        _kill_dir(d, deadline)
    for d in dirs:
        while _procs(d) and time.monotonic() < deadline:
            for p in _procs(d):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.005)
    if remove:
        remove_cgroup(pid, run, deadline)
    return bool(dirs)


def remove_cgroup(pid: int, run: str | None = None, deadline: float | None = None) -> None:
    deadline = deadline or time.monotonic() + REAP_SECONDS
    for d in _cgroup_dirs(pid, run):
        while os.path.isdir(d):
            try:
                os.rmdir(d)
            except FileNotFoundError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.005)


def end_run(run: str) -> list[str]:
    """Kill every job of the run ``run``, remove its cgroups and its children's working folders;
    the cgroup folders that stay. Twice: a child forked just before its zygote was killed may
    make its cgroup after the first look (it dies at once, with its zygote)."""
    left = []
    for attempt in range(2):
        if attempt:
            time.sleep(0.1)
        left = []
        for d in _run_dirs(run):
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                if name.startswith("job-") and name[4:].isdigit():
                    kill_cgroup(int(name[4:]), run, seconds=2.0)
            try:
                os.rmdir(d)
            except OSError:
                left.append(d)
    for path in glob.glob(os.path.join(tempfile.gettempdir(), f"{WORKDIR_PREFIX}{glob.escape(run)}-*")):
        shutil.rmtree(path, ignore_errors=True)  # never follows a link
    return left


def memory_exceeded(pid: int, run: str | None = None) -> bool:
    for d in _cgroup_dirs(pid, run):
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


# -- the new root ---------------------------------------------------------------------------------

def _covered(path: str, bound: list[str]) -> bool:
    return any(path == b or path.startswith(b.rstrip("/") + "/") for b in bound)


def _sources() -> list[str]:
    """What the child sees of the host (read-only): the system folders and Python's prefixes."""
    prefixes = {os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    prefixes |= {os.path.realpath(p) for p in prefixes}
    out = []
    for path in sorted(set(READ_ONLY) | prefixes, key=lambda p: (p.count("/"), p)):
        if path != "/" and (os.path.lexists(path)) and not _covered(path, out):
            out.append(path)
    return out


def _new_root_at(sources: list[str]) -> str:
    for where in NEW_ROOTS:
        if os.path.isdir(where) and not os.path.islink(where) and not any(
                _covered(s, [where]) or _covered(where, [s]) for s in sources):
            return where
    raise SandboxError(errno.EBUSY, f"no free mount point for the new root among {', '.join(NEW_ROOTS)}")


def _new_root(tmp_mb: int, fresh_proc: bool) -> None:
    sources = _sources()
    root = _new_root_at(sources)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    os.makedirs(root + "/tmp")  # first: a prefix under /tmp is bound inside it
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=1777")
    for path in sources:
        if os.path.islink(path):
            os.makedirs(os.path.dirname(root + path), exist_ok=True)
            os.symlink(os.readlink(path), root + path)
        else:
            _bind(path, root + path)
            read_only(root + path)
    _bind("/sys", root + "/sys")
    read_only(root + "/sys")
    os.makedirs(root + "/proc")
    if fresh_proc:
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    else:
        _bind("/proc", root + "/proc")
        read_only(root + "/proc")
    dev = root + "/dev"
    os.makedirs(dev)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for name in DEVICES:
        _bind(f"/dev/{name}", f"{dev}/{name}", recursive=False)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{dev}/{name}")
    os.makedirs(dev + "/shm")
    _mount("tmpfs", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, f"size={SHM_MB}m,mode=1777")
    _mount(None, dev, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
    os.chdir(root)
    if _libc.syscall(ctypes.c_long(_nr("pivot_root") or -1), b".", b".") == 0:
        _check(_libc.umount2(b".", MNT_DETACH), "umount the old root")
    else:
        _check(_libc.chroot(b"."), "chroot")
    os.chdir("/")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


# -- the child --------------------------------------------------------------------------------------

@dataclass
class Spawned:
    """The zygote's handle on a child it forked."""
    pid: int
    status_fd: int   # the reaper writes the worker's wait status here
    workdir: str     # the private working folder (without a mount namespace)
    run: str


def _pid_ns_missing() -> str:
    if os.environ.get(FORCE_ENV) == "rlimits":
        return f"turned off by {FORCE_ENV}=rlimits"
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return "not root on Linux"
    return ""


_own_pid_ns: list[int] = []


def _leave_pid_ns() -> None:
    """The zygote's next children are in its own PID namespace again (as before ``unshare``)."""
    _check(_libc.setns(_own_pid_ns[0], CLONE_NEWPID), "setns back to the zygote's PID namespace")


def spawn(job, body, *, out_fd: int, keep_fd: int, run: str | None = None) -> Spawned:
    """Fork a confined child that calls ``body(missing)`` and never returns.

    ``job`` gives the limits (a ``job.Job``); the child's stdout and stderr go to ``out_fd``,
    ``keep_fd`` stays open for it; ``missing`` maps each defence not reached to the reason.
    Its cgroups are those of the run ``run`` (default: this process's, ``run_id()``).
    """
    run = run or run_id()
    workdir = tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{run}-")  # end_run removes what reap could not
    os.chmod(workdir, 0o700)
    st_r, st_w = os.pipe()
    missing = {}
    pid_ns = False
    why = _pid_ns_missing()
    if not why:
        try:
            if not _own_pid_ns:
                _own_pid_ns.append(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))
            _check(_libc.unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)")
            pid_ns = True
        except OSError as e:
            why = str(e)
    if why:
        missing["pid"] = why
    try:
        pid = os.fork()
    except BaseException:
        if pid_ns:
            _leave_pid_ns()
        raise
    if pid and pid_ns:
        _leave_pid_ns()
    if pid == 0:  # pragma: no cover - the child never returns
        code = WORKER_FAILED
        try:
            os.close(st_r)
            _child(job, body, run, workdir, out_fd, keep_fd, st_w, missing, pid_ns)
        except BaseException:  # noqa: BLE001 - the zygote reports a child that ends early
            try:
                import traceback

                traceback.print_exc()
            except BaseException:  # noqa: BLE001
                pass
        os._exit(code)
    os.close(st_w)
    return Spawned(pid, st_r, workdir, run)


def _child(job, body, run, workdir, out_fd, keep_fd, st_w, missing, pid_ns):
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    keep = sorted({keep_fd, st_w})
    os.closerange(3, keep[0])
    for a, b in zip(keep, keep[1:] + [1 << 16]):
        os.closerange(a + 1, b)
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    root = os.geteuid() == 0 and sys.platform.startswith("linux")
    if root:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    host_pid = int(os.readlink("/proc/self")) if pid_ns else os.getpid()  # the host's /proc, still
    forced = os.environ.get(FORCE_ENV) == "rlimits"
    if not root:
        for d in ("cgroup", "uid", "mount", "net"):
            missing[d] = "not root on Linux (namespaces, cgroups and other user ids need it)"
    else:
        why = cgroup_missing()
        try:
            if why:
                raise SandboxError(errno.ENOENT, why)
            join_cgroup(host_pid, job.memory_mb, job.max_pids, run)
        except OSError as e:
            missing["cgroup"] = str(e)
    isolated = False
    if root and forced:
        missing["mount"] = missing["net"] = f"turned off by {FORCE_ENV}=rlimits"
    elif root:
        try:
            _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            _new_root(job.tmp_mb, fresh_proc=pid_ns)
            isolated = True
        except OSError as e:
            missing["mount"] = str(e)
            missing.setdefault("net", "the namespaces could not be set up: " + str(e))
    if pid_ns:
        worker = os.fork()
        if worker:
            _reaper(worker, st_w)
    os.close(st_w)
    uid = UID_BASE + host_pid
    if not isolated:
        os.chdir(workdir)
        if root:
            os.chown(workdir, uid, uid)
    else:
        os.chdir("/tmp")
    if root:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise SandboxError(errno.EPERM, "the user id could not be dropped")
    os.environ["HOME"] = os.environ["TMPDIR"] = os.getcwd()
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _rlimits(job, cgroup="cgroup" not in missing)
    try:
        seccomp()
    except OSError as e:
        missing["seccomp"] = str(e)
    body(missing)
    raise SystemExit("the grading body returned")


def _reaper(worker: int, status_fd: int):
    """PID 1 of the child's namespace: reap every orphan until the worker ends, then write its
    wait status and exit (the kernel then kills whatever is left in the namespace)."""
    os.closerange(0, status_fd)
    os.closerange(status_fd + 1, 1 << 16)
    status = WORKER_FAILED << 8
    while True:
        try:
            pid, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == worker:
            status = st
            break
    try:
        os.write(status_fd, str(status).encode())
    finally:
        os._exit(0)


def _rlimits(job, cgroup: bool) -> None:
    def cap(which, value):
        try:
            soft, hard = resource.getrlimit(which)
            value = min(value, hard) if hard != resource.RLIM_INFINITY else value
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_CPU, int(job.timeout) * 2 + 5)
    cap(resource.RLIMIT_FSIZE, job.tmp_mb << 20)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NOFILE, 1024)
    # One user id per child: this caps that child's processes alone.
    cap(resource.RLIMIT_NPROC, job.max_pids * 4)
    if not cgroup:
        # No memory cgroup: an address-space limit instead. TensorFlow reserves far more
        # address space than it uses, so this one is generous.
        cap(resource.RLIMIT_AS, (job.memory_mb + 4096) << 20)


def reap(child: Spawned, seconds: float = REAP_SECONDS, grace: float = 0.0) -> int | None:
    """Kill the child (its cgroup at once, then the child: its PID namespace goes with it),
    reap it without waiting past ``seconds`` and clean up; the worker's wait status, or None
    if it could not be reaped in time. ``grace``: seconds the reaper may take first to report
    a worker that ended by itself."""
    if grace > 0:
        select.select([child.status_fd], [], [], grace)  # readable: a status, or the reaper is gone
    kill_cgroup(child.pid, child.run, remove=False, seconds=seconds)
    for target in (-child.pid, child.pid):  # its session (no cgroup here), then the child itself
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + seconds
    status = None
    while status is None:
        try:
            done, st = os.waitpid(child.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if done:
            status = st
        elif time.monotonic() > deadline:
            break
        else:
            time.sleep(0.002)
    reported = b""
    try:
        os.set_blocking(child.status_fd, False)
        reported = os.read(child.status_fd, 32)
    except OSError:
        pass
    os.close(child.status_fd)
    remove_cgroup(child.pid, child.run)
    shutil.rmtree(child.workdir, ignore_errors=True)
    if reported.strip().isdigit():
        return int(reported)
    return status


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        if signal.SIGRTMIN <= number <= signal.SIGRTMAX:
            return f"SIGRTMIN+{number - signal.SIGRTMIN} (signal {number})"
        return f"signal {number}"


# -- what this machine offers -----------------------------------------------------------------------

def _self_test(missing: dict, host: dict) -> dict:
    """In a confined probe child: check each defence by trying it, not by trusting the set-up."""
    found = dict(missing)

    def fail(key, why):
        found.setdefault(key, why)

    try:
        st = os.stat("/")
        if (st.st_dev, st.st_ino) == tuple(host["root"]):
            fail("mount", "the child sees the host's root")
        writable = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                parts = line.split()
                point, opts = parts[4], parts[5].split(",")
                if "rw" in opts and point not in ("/tmp", "/dev/shm", "/proc") and not point.startswith(
                        tuple(f"/dev/{d}" for d in DEVICES)):
                    writable.append(point)
        if writable:
            fail("mount", f"writable mounts in the child: {', '.join(writable[:5])}")
        if os.path.exists("/dev/pts/ptmx") or os.stat("/dev/shm").st_dev == host["shm"]:
            fail("mount", "the host's /dev is visible")
    except OSError as e:
        fail("mount", str(e))
    if os.getpid() == host["pid_of_probe"] or os.readlink("/proc/self/ns/pid") == host["pid_ns"]:
        fail("pid", "the child is in the host's PID namespace")
    if os.readlink("/proc/self/ns/net") == host["net_ns"]:
        fail("net", "the child is in the host's network namespace")
    try:
        cgroups = open("/proc/self/cgroup").read()
        if f"{CGROUP_NAME}/run-" not in cgroups:
            fail("cgroup", "the child is not in a kerasgrade cgroup")
    except OSError as e:
        fail("cgroup", str(e))
    if os.getuid() == 0 or os.geteuid() == 0:
        fail("uid", "the child runs as root")
    status = open("/proc/self/status").read()
    if "NoNewPrivs:\t1" not in status:
        fail("no_new_privs", "not set")
    if "Seccomp:\t2" not in status:
        fail("seccomp", "no filter installed")
    elif _libc.unshare(0) == 0 or ctypes.get_errno() != errno.EPERM:
        fail("seccomp", "unshare was not refused")
    if resource.getrlimit(resource.RLIMIT_CPU)[0] == resource.RLIM_INFINITY:
        fail("rlimits", "no CPU limit")
    return found


def probe() -> tuple[str, str]:
    """Which level a child reaches here, and what is missing (empty when complete)."""
    missing = defences()
    if not missing:
        return FULL, ""
    by_reason: dict[str, list[str]] = {}
    for key, why in missing.items():
        by_reason.setdefault(why, []).append(DEFENCES[key].split(" (")[0].split(":")[0])
    return PARTIAL, "; ".join(f"no {', '.join(names)} ({why})" for why, names in by_reason.items())


def defences() -> dict[str, str]:
    """Each defence not reached by a child here, and why: forks a confined throw-away child
    that tries each one."""
    from kerasgrade.job import Job

    host = {"root": [os.stat("/").st_dev, os.stat("/").st_ino],
            "shm": os.stat("/dev/shm").st_dev if os.path.exists("/dev/shm") else -1,
            "pid_ns": os.readlink("/proc/self/ns/pid"), "net_ns": os.readlink("/proc/self/ns/net"),
            "pid_of_probe": -1}
    r, w = os.pipe()
    out_r, out_w = os.pipe()

    def body(missing):
        os.write(w, json.dumps(_self_test(missing, host)).encode())
        os._exit(0)

    try:
        child = spawn(Job("probe", "probe", "probe", b"", timeout=5, memory_mb=512), body,
                      out_fd=out_w, keep_fd=w, run=f"{run_id()}-probe{os.getpid()}")
    except OSError as e:
        os.close(r), os.close(w), os.close(out_r), os.close(out_w)
        return {k: f"the probe could not start: {e}" for k in DEFENCES}
    os.close(w)
    os.close(out_w)
    data, deadline = b"", time.monotonic() + 30
    while time.monotonic() < deadline and len(data) < 65536:
        if not select.select([r], [], [], max(0.0, deadline - time.monotonic()))[0]:
            break
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.set_blocking(out_r, False)
    try:
        output = os.read(out_r, 4096).decode("utf-8", "replace")
    except OSError:
        output = ""
    os.close(r)
    os.close(out_r)
    reap(child, grace=1.0)
    end_run(child.run)
    try:
        found = json.loads(data)
        return {k: str(found[k]) for k in DEFENCES if k in found}
    except (ValueError, TypeError):
        why = output.strip().splitlines()[-1:] or ["it ended without a report"]
        return {k: f"the probe child failed: {why[0]}" for k in DEFENCES}
